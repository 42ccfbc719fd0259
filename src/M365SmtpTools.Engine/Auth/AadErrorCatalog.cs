using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net.Http;
using System.Text.RegularExpressions;
using Microsoft.Identity.Client;

namespace M365SmtpTools.Engine.Auth
{
    /// <summary>What an AADSTS error code from Entra ID means and what to do about it.</summary>
    public sealed class AadErrorInfo
    {
        internal AadErrorInfo(string code, ErrorCode errorCode, string meaning, string action)
        {
            Code = code;
            ErrorCode = errorCode;
            Meaning = meaning;
            Action = action;
        }

        /// <summary>The code, e.g. <c>AADSTS7000215</c>.</summary>
        public string Code { get; }

        /// <summary>The engine error code it becomes (one of <see cref="TokenErrorCodes"/>).</summary>
        public ErrorCode ErrorCode { get; }

        /// <summary>The engine error id it becomes, e.g. <c>AadInvalidClientSecret</c>.</summary>
        public string ErrorId => ErrorCode.Id;

        /// <summary>The failure kind.</summary>
        public ErrorKind Kind => ErrorCode.Kind;

        /// <summary>What it means, in one sentence.</summary>
        public string Meaning { get; }

        /// <summary>What to do.</summary>
        public string Action { get; }
    }

    /// <summary>
    /// The AADSTS codes worth explaining, and the translation of identity-library failures into
    /// <see cref="M365SmtpException"/>s that say what went wrong without echoing any secret.
    /// </summary>
    public static class AadErrorCatalog
    {
        private static readonly Regex s_code = new Regex(@"AADSTS(\d{5,7})", RegexOptions.CultureInvariant);

        private static readonly Dictionary<string, AadErrorInfo> s_entries = Build(
            ("7000215", TokenErrorCodes.AadInvalidClientSecret,
                "Invalid client secret: the value given is not a current secret of the app (often the secret's ID was copied instead of " +
                    "its Value, or the secret was deleted).",
                "In the app registration open Certificates & secrets, create a new client secret and pass its Value to -ClientSecret; " +
                    "better, use a certificate (-CertificatePath/-CertificateThumbprint)."),
            ("7000222", TokenErrorCodes.AadClientSecretExpired,
                "The client secret has expired.",
                "Create a new client secret in the app registration (Certificates & secrets) and use its Value, or switch to a " +
                    "certificate."),
            ("700027", TokenErrorCodes.AadCertificateRejected,
                "The client assertion signed with the certificate was rejected: the certificate is not registered on the app, has " +
                    "expired, or the key used doesn't match the uploaded certificate.",
                "Upload the certificate's public part (.cer) to the app registration under Certificates & secrets, check its thumbprint " +
                    "and validity dates, and sign with the matching private key."),
            ("700024", TokenErrorCodes.AadAssertionOutsideValidity,
                "The client assertion is not within its valid time range: this computer's clock is wrong, or the certificate has expired.",
                "Synchronize the clock (NTP / w32tm /resync) and check the certificate's NotBefore/NotAfter dates; renew an expired " +
                    "certificate."),
            ("65001", TokenErrorCodes.AadConsentMissing,
                "The app has not been granted consent for the permission requested.",
                "In the app registration's API permissions add Office 365 Exchange Online SMTP.SendAsApp (app-only) or SMTP.Send " +
                    "(delegated) and press Grant admin consent; or use App RBAC (New-ManagementRoleAssignment -Role 'Application " +
                    "SMTP.SendAsApp')."),
            ("90002", TokenErrorCodes.AadTenantNotFound,
                "The tenant was not found: the tenant id or domain does not exist in this cloud.",
                "Check -TenantId (the Directory (tenant) ID GUID on the app's Overview page, or a verified domain) and -Environment (a " +
                    "GCC High tenant needs -Environment USGovGCCHigh)."),
            ("900023", TokenErrorCodes.AadTenantInvalid,
                "The tenant identifier is not valid: it is neither a GUID nor a domain name.",
                "Give -TenantId as the Directory (tenant) ID GUID or a verified domain such as contoso.onmicrosoft.com."),
            ("700016", TokenErrorCodes.AadAppNotFound,
                "No application with this client id exists in the tenant: a wrong -ClientId, the wrong tenant, or a multi-tenant app not " +
                    "yet consented in this tenant.",
                "Check -ClientId (the Application (client) ID on the app's Overview page) and -TenantId; for a multi-tenant app, have an " +
                    "admin of this tenant consent to it."),
            ("50126", TokenErrorCodes.AadInvalidUserCredentials,
                "Wrong username or password.",
                "Check the credential; for SMTP prefer OAuth (-DeviceCode for a person, -CertificatePath or -ManagedIdentity for " +
                    "automation)."),
            ("50076", TokenErrorCodes.AadMfaRequired,
                "Multi-factor authentication is required (Conditional Access or Security Defaults) and this flow can't satisfy it.",
                "Sign in with -DeviceCode or -Interactive, which can do MFA; for unattended jobs use an app-only way (-CertificatePath, " +
                    "-CertificateThumbprint, -ManagedIdentity)."),
            ("50079", TokenErrorCodes.AadMfaRequired,
                "The user must register for multi-factor authentication before signing in.",
                "Have the user complete MFA registration (https://aka.ms/mfasetup), then sign in with -DeviceCode or -Interactive; for " +
                    "unattended jobs use an app-only way."),
            ("50053", TokenErrorCodes.AadAccountLocked,
                "The account is locked (too many failed sign-ins) or sign-in was blocked as suspicious.",
                "Wait and try again, or have an admin unblock the account; check for a script retrying a wrong password."),
            ("50034", TokenErrorCodes.AadUserNotFound,
                "The user account does not exist in this tenant.",
                "Check the user name (UPN) and the tenant."),
            ("500011", TokenErrorCodes.AadResourceNotFound,
                "The resource (Office 365 Exchange Online) was not found in the tenant: the scope is wrong or Exchange Online isn't " +
                    "provisioned there.",
                "Check -Scope (https://outlook.office365.com/.default for app-only) and -Environment; the tenant must have " +
                    "Exchange Online."),
            ("70011", TokenErrorCodes.AadInvalidScope,
                "The scope requested is not valid for this flow.",
                "App-only flows need a scope ending in /.default (https://outlook.office365.com/.default); delegated flows need " +
                    "https://outlook.office.com/SMTP.Send. Check -Scope."),
            ("7000218", TokenErrorCodes.AadPublicClientFlowsDisabled,
                "The app requires a client secret or certificate: public client flows (device code) are not enabled for it.",
                "In the app registration's Authentication page set Allow public client flows to Yes, or use an app-only way with the " +
                    "app's certificate or secret."),
            ("700082", TokenErrorCodes.AadRefreshTokenExpired,
                "The refresh token has expired due to inactivity.",
                "Sign in again (Connect-M365Smtp -DeviceCode or -Interactive)."),
            ("50011", TokenErrorCodes.AadRedirectUriMismatch,
                "The redirect URI of the sign-in is not registered on the app.",
                "Add http://localhost as a Mobile and desktop applications redirect URI in the app registration, or use -DeviceCode.")
        );

        private static Dictionary<string, AadErrorInfo> Build(
            params (string Code, ErrorCode ErrorCode, string Meaning, string Action)[] rows)
        {
            var d = new Dictionary<string, AadErrorInfo>(StringComparer.Ordinal);
            foreach (var r in rows) d["AADSTS" + r.Code] = new AadErrorInfo("AADSTS" + r.Code, r.ErrorCode, r.Meaning, r.Action);
            return d;
        }

        /// <summary>Every explained code.</summary>
        public static IReadOnlyCollection<AadErrorInfo> Entries => s_entries.Values;

        /// <summary>The explanation of a code (<c>AADSTS7000215</c> or <c>7000215</c>), or null.</summary>
        public static AadErrorInfo? Lookup(string code)
        {
            string key = code.StartsWith("AADSTS", StringComparison.OrdinalIgnoreCase) ? "AADSTS" + code.Substring(6) : "AADSTS" + code;
            return s_entries.TryGetValue(key, out AadErrorInfo? info) ? info : null;
        }

        /// <summary>The first AADSTS code in a text, or null.</summary>
        public static string? FindCode(string? text)
        {
            if (text == null) return null;
            Match m = s_code.Match(text);
            return m.Success ? "AADSTS" + m.Groups[1].Value : null;
        }

        /// <summary>Turns a failure of the identity library into an engine exception (inner exception chained).</summary>
        internal static M365SmtpException Translate(Exception e, SmtpAuthMethod method)
        {
            switch (e)
            {
                case MsalServiceException service:
                {
                    string? code = FindCode(service.Message);
                    AadErrorInfo? info = code == null ? null : Lookup(code);
                    if (info != null)
                        return new M365SmtpException(info.ErrorCode, $"{code}: {info.Meaning} (while getting a token for {method})", e)
                        { TargetObject = code, RecommendedAction = info.Action };
                    if (code != null)
                        return new M365SmtpException(TokenErrorCodes.AadError,
                            $"Entra ID refused the token request ({method}) with {code}; look the code up at https://login.microsoftonline.com/error?code={code.Substring(6)}.", e)
                        { TargetObject = code, RecommendedAction = "Read the inner exception's message for Entra ID's explanation." };
                    if (method == SmtpAuthMethod.ManagedIdentity)
                        return new M365SmtpException(TokenErrorCodes.ManagedIdentityUnavailable,
                            $"The managed identity endpoint refused or failed the token request ({service.ErrorCode}, " +
                                $"HTTP {service.StatusCode.ToString(CultureInfo.InvariantCulture)}).", e)
                        { RecommendedAction = "Run this on an Azure resource with a managed identity enabled (Automation account " +
                            "Identity blade, VM/Function Identity); for a user-assigned identity pass its client id with " +
                            "-ManagedIdentityClientId and check it is attached to the resource." };
                    return new M365SmtpException(TokenErrorCodes.TokenRequestFailed,
                        $"The token request ({method}) failed: {service.ErrorCode} (HTTP {service.StatusCode.ToString(CultureInfo.InvariantCulture)}).", e)
                    { RecommendedAction = "Check -TenantId, -ClientId, -Environment and the app registration." };
                }
                case MsalClientException client when client.ErrorCode == MsalError.ManagedIdentityAllSourcesUnavailable
                                                   || client.ErrorCode == "managed_identity_unreachable_network":
                    return new M365SmtpException(TokenErrorCodes.ManagedIdentityUnavailable, ErrorKind.ResourceUnavailable,
                        "No managed identity endpoint is available here: this is not an Azure resource with a managed identity.", e)
                    { RecommendedAction = "Use -ManagedIdentity only inside Azure (Automation, VM, App Service, Functions) with an " +
                        "identity enabled; elsewhere use -CertificatePath or -CertificateThumbprint." };
                case MsalClientException client:
                    return new M365SmtpException(TokenErrorCodes.TokenRequestFailed,
                        $"The identity library could not get a token ({method}): {client.ErrorCode}.", e)
                    { RecommendedAction = "Check the parameters of the sign-in; the inner exception has the library's explanation." };
                case HttpRequestException _:
                    return new M365SmtpException(TokenErrorCodes.IdentityEndpointUnreachable,
                        $"The identity endpoint could not be reached while getting a token ({method}).", e)
                    { RecommendedAction = "Check network access (proxy, firewall) to the authority host of -Environment, e.g. " +
                        "login.microsoftonline.com:443." };
                case OperationCanceledException _:
                    return new M365SmtpException(TokenErrorCodes.IdentityEndpointTimeout,
                        $"The identity endpoint did not answer in time ({method}).", e)
                    { RecommendedAction = "Try again; check network access to the authority host." };
                default:
                    return new M365SmtpException(TokenErrorCodes.TokenRequestFailed,
                        $"Getting a token ({method}) failed: {e.GetType().Name}.", e);
            }
        }
    }
}
