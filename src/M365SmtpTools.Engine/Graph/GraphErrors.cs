using System;
using System.Collections.Generic;

namespace M365SmtpTools.Engine.Graph
{
    /// <summary>What a Graph error answer means, how to fix it, and whether to send again.</summary>
    internal sealed class GraphErrorExplanation
    {
        public GraphErrorExplanation(ErrorCode code, string meaning, string remediation, bool retry, params string[] commands)
            : this(code, code.Kind, meaning, remediation, retry, commands)
        {
        }

        public GraphErrorExplanation(ErrorCode code, ErrorKind kind, string meaning, string remediation, bool retry,
            params string[] commands)
        {
            Code = code;
            Kind = kind;
            Meaning = meaning;
            Remediation = remediation;
            Retry = retry;
            Commands = commands;
        }

        /// <summary>The error code (Graph + Graph's error code, or a more specific name).</summary>
        public ErrorCode Code { get; }

        /// <summary>The stable error id.</summary>
        public string ErrorId => Code.Id;
        public ErrorKind Kind { get; }
        public string Meaning { get; }
        public string Remediation { get; }
        /// <summary>True for throttling and service errors (429, 5xx): worth sending again.</summary>
        public bool Retry { get; }
        public IReadOnlyList<string> Commands { get; }
    }

    /// <summary>
    /// The Microsoft Graph sendMail error answers this module explains (HTTP status + <c>error.code</c> +
    /// <c>error.message</c>), with the fix. Unknown codes get a generic explanation by status class.
    /// </summary>
    internal static class GraphErrors
    {
        public static GraphErrorExplanation Explain(int status, string? code, string? message, string mailbox, string? sender,
            string? appId)
        {
            string app = string.IsNullOrWhiteSpace(appId) ? "<app id>" : appId!;
            string msg = message ?? "";
            switch (code ?? "")
            {
                case "ErrorAccessDenied" when IsAccessPolicy(msg):
                    // "Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly AccessPolicy settings."
                    return new GraphErrorExplanation(GraphErrorCodes.ErrorAccessDenied,
                        $"Graph refused to send from {mailbox}: an application access policy (New-ApplicationAccessPolicy) restricts the " +
                            "app to other mailboxes.",
                        $"Add {mailbox} to the group the app's access policy allows (or change the policy); better, move the app to RBAC " +
                            "for Applications (New-ManagementScope, New-ManagementRoleAssignment -Role 'Application Mail.Send'), which " +
                            "replaces access policies. Policy changes can take an hour to apply.",
                        false,
                        $"Test-ApplicationAccessPolicy -Identity {mailbox} -AppId {app}",
                        $"Test-ServicePrincipalAuthorization -Identity {app} -Resource {mailbox}");
                case "ErrorAccessDenied":
                    return new GraphErrorExplanation(GraphErrorCodes.ErrorAccessDenied,
                        $"Graph refused to send from {mailbox}: the token has no Mail.Send permission, or an application access policy " +
                            "or RBAC for Applications management scope excludes this mailbox.",
                        "Grant the app the Mail.Send application permission scoped to the mailboxes it may send from with RBAC for " +
                            "Applications (New-ManagementScope, New-ServicePrincipal, New-ManagementRoleAssignment -Role 'Application " +
                            $"Mail.Send'), or add {mailbox} to the scope or policy; check with Test-ServicePrincipalAuthorization.",
                        false,
                        $"Test-ServicePrincipalAuthorization -Identity {app} -Resource {mailbox}",
                        $"New-ManagementRoleAssignment -App {app} -Role 'Application Mail.Send' -CustomResourceScope '<scope name>'");
                case "MailboxNotEnabledForRESTAPI":
                    return new GraphErrorExplanation(GraphErrorCodes.MailboxNotEnabledForRestApi,
                        $"{mailbox} has no Exchange Online mailbox Graph can use: it is on-premises, unlicensed, inactive, soft-deleted, " +
                            "or not a mailbox at all.",
                        $"Send from a licensed Exchange Online mailbox (user or shared); check {mailbox} with Get-EXOMailbox.", false,
                        $"Get-EXOMailbox -Identity {mailbox}");
                case "ErrorInvalidRecipients":
                    return new GraphErrorExplanation(GraphErrorCodes.ErrorInvalidRecipients,
                        "Graph refused the recipients: at least one address is not valid, or the message has none Graph can deliver to.",
                        "Check the To, Cc and Bcc addresses.", false);
                case "ErrorMessageSizeExceeded":
                    return new GraphErrorExplanation(GraphErrorCodes.ErrorMessageSizeExceeded,
                        $"The message is larger than {mailbox} may send (its MaxSendSize, 35 MB by default) or than the recipient accepts.",
                        $"Send smaller attachments, or raise the mailbox's limit (up to 150 MB) with Set-Mailbox -MaxSendSize.", false,
                        $"Set-Mailbox -Identity {mailbox} -MaxSendSize 150MB");
                case "ErrorSendAsDenied":
                    return new GraphErrorExplanation(GraphErrorCodes.ErrorSendAsDenied,
                        $"{mailbox} may not send as {sender ?? "the From address"}: Send As permission is missing.",
                        $"Give {mailbox} Send As permission on {sender ?? "the From address"} (Add-RecipientPermission), " +
                            $"or send with -From {mailbox}.", false,
                        $"Add-RecipientPermission -Identity {sender ?? "<From address>"} -Trustee {mailbox} -AccessRights SendAs");
                case "InvalidAuthenticationToken":
                    if (msg.IndexOf("audience", StringComparison.OrdinalIgnoreCase) >= 0)
                        return WrongAudience();
                    if (msg.IndexOf("expired", StringComparison.OrdinalIgnoreCase) >= 0
                        || msg.IndexOf("Lifetime validation", StringComparison.OrdinalIgnoreCase) >= 0)
                        return new GraphErrorExplanation(GraphErrorCodes.TokenExpired,
                            "Graph refused the access token: it has expired.",
                            "Get a new token (a token given with -AccessToken can't be renewed here), or let this module get tokens " +
                                "itself (-CertificatePath, -ClientSecret, -ManagedIdentity).", false);
                    return new GraphErrorExplanation(GraphErrorCodes.InvalidAuthenticationToken,
                        "Graph refused the access token as invalid.",
                        "Get a token for https://graph.microsoft.com from the tenant of the mailbox, or let this module get it " +
                            "(-CertificatePath, -ClientSecret, -ManagedIdentity).", false);
            }
            if (status == 401)
            {
                if (msg.IndexOf("audience", StringComparison.OrdinalIgnoreCase) >= 0) return WrongAudience();
                return new GraphErrorExplanation(GraphErrorCodes.Unauthorized,
                    $"Graph refused the request as unauthenticated (401{(code != null ? " " + code : "")}).",
                    "Check that the token is for https://graph.microsoft.com and from the mailbox's tenant.", false);
            }
            if (status == 429)
                return new GraphErrorExplanation(GraphErrorCodes.Throttled,
                    $"Graph throttled the requests for {mailbox} (429): more than 4 at once or 10,000 in 10 minutes per app and mailbox.",
                    "Send later, or with a lower -MaxMessagesPerMinute / -MaxConnections.", true);
            if (status == 503 || status == 504 || status >= 500)
                return new GraphErrorExplanation(GraphErrorCodes.ServiceUnavailable,
                    $"Graph could not take the request now ({status}{(code != null ? " " + code : "")}).",
                    "Send again later; the message was retried with back-off.", true);
            if (status == 404)
                return new GraphErrorExplanation(GraphErrorCodes.MailboxNotFound,
                    $"Graph found no user {mailbox} ({code ?? "404"}).",
                    "Check -UserName (or -From): it must be the user principal name or id of a mailbox in the token's tenant.", false,
                    $"Get-EXOMailbox -Identity {mailbox}");
            if (status == 403)
                return new GraphErrorExplanation(GraphErrorCodes.Forbidden,
                    $"Graph refused the request (403{(code != null ? " " + code : "")}).",
                    "Check that the app has the Mail.Send permission for this mailbox.", false);
            return new GraphErrorExplanation(GraphErrorCodes.ForServerCode(code), ErrorKind.InvalidOperation,
                $"Graph refused the message ({status}{(code != null ? " " + code : "")}).",
                "Read the error message; fix the message or the request and send again.", false);
        }

        private static bool IsAccessPolicy(string message) =>
            message.IndexOf("AccessPolicy", StringComparison.OrdinalIgnoreCase) >= 0
            || message.IndexOf("[RAOP]", StringComparison.OrdinalIgnoreCase) >= 0;

        public static GraphErrorExplanation WrongAudience(string? audience = null) =>
            new GraphErrorExplanation(GraphErrorCodes.TokenWrongAudience,
                audience != null
                    ? $"The access token is for {audience}, not for Microsoft Graph, so Graph would refuse it (401)."
                    : "Graph refused the access token: it is not for Microsoft Graph (wrong audience).",
                "Get a token for Microsoft Graph: Get-AzAccessToken -ResourceUrl https://graph.microsoft.com (or the cloud's Graph " +
                    "host), or let this module get it (-CertificatePath, -ClientSecret, -ManagedIdentity ask for " +
                    "https://graph.microsoft.com/.default).",
                false);
    }
}
