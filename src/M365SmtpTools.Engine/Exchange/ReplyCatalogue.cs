using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace M365SmtpTools.Engine.Exchange
{
    /// <summary>Values a remediation command is filled with (unknown ones stay as quoted placeholders).</summary>
    public sealed class RemediationContext
    {
        /// <summary>The mailbox that authenticates (the XOAUTH2 user or the Basic user name).</summary>
        public string? Mailbox { get; set; }
        /// <summary>The MAIL FROM address.</summary>
        public string? Sender { get; set; }
        /// <summary>The Entra application (client) id, for app-only tokens.</summary>
        public string? AppId { get; set; }
        /// <summary>The enterprise application's (service principal's) object id, when known.</summary>
        public string? ServicePrincipalObjectId { get; set; }
        /// <summary>True when the session authenticated with OAuth (changes what 5.7.3 most likely means).</summary>
        public bool UsedOAuth { get; set; }
    }

    /// <summary>A reply the catalogue recognizes: what it means and how to fix it.</summary>
    public sealed class ReplyCatalogueEntry
    {
        internal ReplyCatalogueEntry(string id, int[] codes, string enhanced, string? textPattern, FindingSeverity severity,
            bool transient, string meaning, string remediation, params string[] commands)
        {
            Id = id;
            Codes = codes;
            EnhancedCode = enhanced;
            TextPattern = textPattern == null ? null : new Regex(textPattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
            Severity = severity;
            IsTransient = transient;
            Meaning = meaning;
            Remediation = remediation;
            CommandTemplates = commands;
        }

        /// <summary>A stable id (also the finding id), e.g. <c>SmtpAuthDisabled</c>.</summary>
        public string Id { get; }
        /// <summary>The basic reply codes it applies to (empty: any).</summary>
        public IReadOnlyList<int> Codes { get; }
        /// <summary>The enhanced status code, or a range like <c>4.7.500-699</c>.</summary>
        public string EnhancedCode { get; }
        /// <summary>Text that must also appear, when the code alone is ambiguous.</summary>
        public Regex? TextPattern { get; }
        /// <summary>How serious it is.</summary>
        public FindingSeverity Severity { get; }
        /// <summary>True when retrying later can succeed.</summary>
        public bool IsTransient { get; }
        /// <summary>What the reply means.</summary>
        public string Meaning { get; }
        /// <summary>What to do, in words.</summary>
        public string Remediation { get; }
        /// <summary>Exchange Online / Entra commands with placeholders {Mailbox}, {Sender}, {AppId}, {ServicePrincipal}.</summary>
        public IReadOnlyList<string> CommandTemplates { get; }

        /// <summary>The commands with the context's values filled in (unknown values as quoted placeholders).</summary>
        public IReadOnlyList<string> Commands(RemediationContext? context) =>
            CommandTemplates.Select(t => t
                .Replace("{Mailbox}", Quote(context?.Mailbox, "<mailbox>"))
                .Replace("{Sender}", Quote(context?.Sender, "<sender address>"))
                .Replace("{AppId}", Quote(context?.AppId, "<application id>"))
                .Replace("{ServicePrincipal}", Quote(context?.ServicePrincipalObjectId, "<enterprise application object id>")))
            .ToList();

        // Single-quoted PowerShell literals: safe to paste, and a placeholder still parses.
        private static string Quote(string? value, string placeholder) => PowerShellText.Quote(value ?? placeholder);

        internal bool Matches(int code, EnhancedCodeParts? enhanced, string text)
        {
            if (Codes.Count > 0 && !Codes.Contains(code)) return false;
            if (EnhancedCode.Length > 0 && (enhanced == null || !enhanced.Value.Within(EnhancedCode))) return false;
            return TextPattern == null || TextPattern.IsMatch(text);
        }
    }

    /// <summary>An enhanced status code (RFC 3463) split into its three numbers.</summary>
    public readonly struct EnhancedCodeParts
    {
        /// <summary>Creates the code.</summary>
        public EnhancedCodeParts(int @class, int subject, int detail) { Class = @class; Subject = subject; Detail = detail; }
        /// <summary>2 success, 4 persistent transient failure, 5 permanent failure.</summary>
        public int Class { get; }
        /// <summary>The subject (0 other, 1 addressing, 2 mailbox, 3 mail system, 4 network, 5 protocol, 6 content, 7 security).</summary>
        public int Subject { get; }
        /// <summary>The detail.</summary>
        public int Detail { get; }

        /// <summary>Parses <c>5.7.139</c>; null when the text isn't an enhanced code.</summary>
        public static EnhancedCodeParts? Parse(string? text)
        {
            if (text == null) return null;
            Match m = Regex.Match(text, @"^\s*([245])\.(\d{1,3})\.(\d{1,3})\b");
            if (!m.Success) return null;
            return new EnhancedCodeParts(int.Parse(m.Groups[1].Value), int.Parse(m.Groups[2].Value), int.Parse(m.Groups[3].Value));
        }

        /// <summary>True when this code equals <c>x.y.z</c> or falls in <c>x.y.a-b</c>.</summary>
        public bool Within(string pattern)
        {
            string[] p = pattern.Split('.');
            if (int.Parse(p[0]) != Class || int.Parse(p[1]) != Subject) return false;
            string[] range = p[2].Split('-');
            return range.Length == 1 ? int.Parse(range[0]) == Detail : Detail >= int.Parse(range[0]) && Detail <= int.Parse(range[1]);
        }

        /// <inheritdoc />
        public override string ToString() => $"{Class}.{Subject}.{Detail}";
    }

    /// <summary>What an SMTP reply means, from the catalogue or, failing that, from RFC 3463's generic meanings.</summary>
    public sealed class ReplyExplanation
    {
        internal ReplyExplanation(ReplyCatalogueEntry? entry, string id, FindingSeverity severity, bool transient, string meaning, string remediation, IReadOnlyList<string> commands)
        {
            Entry = entry; Id = id; Severity = severity; IsTransient = transient; Meaning = meaning; Remediation = remediation; Commands = commands;
        }
        /// <summary>The catalogue entry, or null for a generic explanation.</summary>
        public ReplyCatalogueEntry? Entry { get; }
        /// <summary>The finding id.</summary>
        public string Id { get; }
        /// <summary>How serious it is.</summary>
        public FindingSeverity Severity { get; }
        /// <summary>True when a retry later can succeed.</summary>
        public bool IsTransient { get; }
        /// <summary>What it means.</summary>
        public string Meaning { get; }
        /// <summary>What to do.</summary>
        public string Remediation { get; }
        /// <summary>Commands to run, values filled in.</summary>
        public IReadOnlyList<string> Commands { get; }
    }

    /// <summary>
    /// The replies Exchange Online gives to clients, devices and scripts, with their meaning and fix (DOMAIN.md's
    /// catalogue). The first matching entry wins, so the specific ones come before the general ones.
    /// </summary>
    public static class ReplyCatalogue
    {
        private const string MoveOff = "Move to OAuth (Connect-M365Smtp with a certificate, a managed identity or a delegated sign-in), or to a relay connector or Direct Send.";

        /// <summary>Every entry, in match order.</summary>
        public static IReadOnlyList<ReplyCatalogueEntry> Entries { get; } = new[]
        {
            new ReplyCatalogueEntry("SmtpAuthDisabled", new[] { 535 }, "5.7.139", "SmtpClientAuthentication is disabled", FindingSeverity.Error, false,
                "SMTP AUTH (client submission) is switched off for the tenant or this mailbox. Tenants created after January 2020 and tenants with Security Defaults have it off.",
                "Allow SMTP AUTH for this mailbox only (preferred) or for the whole tenant; the change can take an hour to apply.",
                "Set-CASMailbox -Identity {Mailbox} -SmtpClientAuthenticationDisabled $false",
                "Set-TransportConfig -SmtpClientAuthenticationDisabled $false"),
            new ReplyCatalogueEntry("SecurityDefaultsBlock", new[] { 535 }, "5.7.139", "security defaults", FindingSeverity.Error, false,
                "The account is blocked by the tenant's Security Defaults, which refuse SMTP AUTH with a password.",
                "Use OAuth instead of a password. " + MoveOff),
            new ReplyCatalogueEntry("BasicAuthBlocked", new[] { 535 }, "5.7.139", "basic authentication is disabled", FindingSeverity.Error, false,
                "Basic authentication (a password) is disabled for this tenant or account.",
                MoveOff),
            new ReplyCatalogueEntry("ConditionalAccessBlock", new[] { 535 }, "5.7.139", "did not meet the criteria", FindingSeverity.Error, false,
                "A Conditional Access policy refused the sign-in (location, device or legacy-authentication rule).",
                "Use OAuth from an allowed context, or ask the identity admin to review the Conditional Access policy's sign-in log entry. " + MoveOff),
            new ReplyCatalogueEntry("AuthBlocked", new[] { 535 }, "5.7.139", null, FindingSeverity.Error, false,
                "Authentication was refused by a tenant policy (SMTP AUTH disabled, Security Defaults, or Conditional Access).",
                "Read the rest of the server's reply for the policy; allow SMTP AUTH for the mailbox or use OAuth.",
                "Set-CASMailbox -Identity {Mailbox} -SmtpClientAuthenticationDisabled $false"),
            new ReplyCatalogueEntry("BasicAuthRetired", new[] { 550 }, "5.7.30", null, FindingSeverity.Error, false,
                "Basic authentication is no longer supported for client submission in this tenant.",
                MoveOff),
            new ReplyCatalogueEntry("AuthenticationUnsuccessful", new[] { 535 }, "5.7.3", null, FindingSeverity.Error, false,
                "The credentials were refused: a wrong password or token, a wrong user= name, a token for the wrong audience or scope, or (app-only) a service principal Exchange doesn't know or that has no permission on the mailbox.",
                "With OAuth, check the token's audience (https://outlook.office365.com), roles (SMTP.SendAsApp) or scp (SMTP.Send) and that user= is the mailbox; register the app's service principal in Exchange and give it access to the mailbox. With a password, check it and that the account isn't a shared mailbox.",
                "New-ServicePrincipal -AppId {AppId} -ObjectId {ServicePrincipal}",
                "Add-MailboxPermission -Identity {Mailbox} -User {ServicePrincipal} -AccessRights FullAccess"),
            new ReplyCatalogueEntry("ClientNotAuthenticated", new[] { 530 }, "5.7.57", null, FindingSeverity.Error, false,
                "The server expected authentication before MAIL FROM: no AUTH was done, or TLS failed first, on a client-submission endpoint.",
                "Authenticate (OAuth) before sending, or send unauthenticated to the tenant's MX endpoint on port 25 (relay connector or Direct Send)."),
            new ReplyCatalogueEntry("SendAsDenied", Array.Empty<int>(), "5.7.60", null, FindingSeverity.Error, false,
                "The authenticated mailbox may not send as the MAIL FROM address.",
                "Send from the authenticated mailbox itself, or give it Send As on the sender address (can take an hour), or use a relay connector where any address in an accepted domain may send.",
                "Add-RecipientPermission -Identity {Sender} -Trustee {Mailbox} -AccessRights SendAs -Confirm:$false"),
            new ReplyCatalogueEntry("ConcurrentConnectionLimit", new[] { 432, 421, 451 }, "4.3.2", null, FindingSeverity.Warning, true,
                "Too many simultaneous connections for this mailbox (Exchange Online allows 3).",
                "Retry with back-off and keep to at most 3 connections per mailbox (Send-M365Mail does both)."),
            new ReplyCatalogueEntry("SenderMailboxFull", new[] { 554, 552 }, "5.2.2", "mailbox (is )?full|quota exceeded for sent|storage quota", FindingSeverity.Error, false,
                "The sending mailbox is full, so the copy for Sent Items can't be saved.",
                "Free space in the mailbox (empty Sent Items or Deleted Items) or raise its quota."),
            new ReplyCatalogueEntry("SubmissionQuotaExceeded", new[] { 554, 550, 452 }, "5.2.2", null, FindingSeverity.Error, false,
                "The mailbox went over its sending limits (30 messages a minute, 10,000 recipients a day).",
                "Wait until the limit resets, send more slowly (Send-M365Mail paces to the limits), and check the account hasn't been compromised."),
            new ReplyCatalogueEntry("SubmissionQuotaExceeded", new[] { 554, 550 }, "5.2.0", "quota", FindingSeverity.Error, false,
                "The mailbox went over its sending limits (30 messages a minute, 10,000 recipients a day).",
                "Wait until the limit resets, send more slowly (Send-M365Mail paces to the limits), and check the account hasn't been compromised."),
            new ReplyCatalogueEntry("SenderThrottled", new[] { 550 }, "5.2.251-255", null, FindingSeverity.Error, false,
                "The mailbox is throttled after repeated errors (for example many invalid recipients).",
                "Fix what caused the errors, then wait for the throttle to lift."),
            new ReplyCatalogueEntry("TemporaryAccessDenied", new[] { 451, 450, 421 }, "4.7.500-699", null, FindingSeverity.Warning, true,
                "Exchange Online blocked the connection temporarily.",
                "Retry later; Send-M365Mail retries 4xx replies with back-off."),
            new ReplyCatalogueEntry("IpReputationBlocked", new[] { 550 }, "5.7.708", null, FindingSeverity.Error, false,
                "The sending IP address has a low reputation (common with new or trial tenants).",
                "Send through client submission instead, or open a Microsoft support request to have the IP reviewed."),
            new ReplyCatalogueEntry("RelayAccessDenied", new[] { 550 }, "5.7.64", null, FindingSeverity.Error, false,
                "No inbound connector matched this connection: the sending IP or TLS certificate doesn't match the relay connector (any more).",
                "Compare the device's public IP or certificate with the connector's SenderIPAddresses / TlsSenderCertificateName (New-M365RelayConnectorPlan writes a correct one).",
                "Get-InboundConnector"),
            new ReplyCatalogueEntry("DirectSendRejected", new[] { 550 }, "5.7.68", null, FindingSeverity.Error, false,
                "The tenant rejects Direct Send from unauthorized sources (RejectDirectSend is on).",
                "Use a relay connector (New-M365RelayConnectorPlan) or authenticated client submission; only if the organization accepts the risk, allow Direct Send again.",
                "Set-OrganizationConfig -RejectDirectSend $false"),
            new ReplyCatalogueEntry("RelayNotPermitted", Array.Empty<int>(), "5.7.54", null, FindingSeverity.Error, false,
                "The server refused to relay to a domain it doesn't accept mail for (often on-premises Exchange without a relay connector).",
                "Send to recipients in the server's own domains, or fix the relay connector so this client may relay."),
            new ReplyCatalogueEntry("MessageTooLarge", new[] { 552, 554, 550 }, "5.3.4", null, FindingSeverity.Error, false,
                "The message is larger than the size limit (35 MB by default, up to 150 MB; base64 makes attachments about a third larger).",
                "Send smaller attachments or share a link instead; an admin can raise the mailbox's MaxSendSize."),
            new ReplyCatalogueEntry("MessageTooLarge", new[] { 552 }, "", null, FindingSeverity.Error, false,
                "The message is larger than the server accepts.",
                "Send smaller attachments or share a link instead."),
        };

        /// <summary>Explains a reply: the first catalogue entry that matches, else RFC 3463's generic meaning.</summary>
        public static ReplyExplanation Explain(int code, string? enhancedCode, string text, RemediationContext? context = null)
        {
            EnhancedCodeParts? enhanced = EnhancedCodeParts.Parse(enhancedCode) ?? EnhancedCodeParts.Parse(text);
            foreach (ReplyCatalogueEntry entry in Entries)
                if (entry.Matches(code, enhanced, text ?? ""))
                    return new ReplyExplanation(entry, entry.Id, entry.Severity, entry.IsTransient, Meaning(entry, context), entry.Remediation, entry.Commands(context));
            bool transient = code >= 400 && code < 500;
            return new ReplyExplanation(null, "SmtpReply" + code, transient ? FindingSeverity.Warning : FindingSeverity.Error, transient,
                GenericMeaning(code, enhanced), transient ? "A temporary failure: retry later." : "A permanent failure: read the server's text for the reason.", Array.Empty<string>());
        }

        // 5.7.3 means different things to a password user and an OAuth user.
        private static string Meaning(ReplyCatalogueEntry entry, RemediationContext? context) =>
            entry.Id == "AuthenticationUnsuccessful" && context != null && !context.UsedOAuth
                ? "The user name or password was refused (or the account is a shared mailbox, or Basic authentication is blocked for it)."
                : entry.Meaning;

        /// <summary>RFC 3463's meaning of an enhanced code's class and subject (and the common details).</summary>
        public static string GenericMeaning(int code, EnhancedCodeParts? enhanced)
        {
            string cls = (enhanced?.Class ?? code / 100) switch
            {
                2 => "Success",
                4 => "Persistent transient failure",
                5 => "Permanent failure",
                _ => "Unknown reply class",
            };
            if (enhanced == null) return $"{cls} (reply {code}).";
            string subject = enhanced.Value.Subject switch
            {
                0 => "other or undefined status",
                1 => "addressing status (a mailbox address or domain)",
                2 => "mailbox status (the mailbox is full, disabled or not accepting mail)",
                3 => "mail system status (the receiving system)",
                4 => "network and routing status",
                5 => "mail delivery protocol status",
                6 => "message content or media status",
                7 => "security or policy status",
                _ => "an unknown subject",
            };
            string detail = (enhanced.Value.Subject, enhanced.Value.Detail) switch
            {
                (1, 1) => ": bad destination mailbox address",
                (1, 2) => ": bad destination system address",
                (1, 3) => ": bad destination mailbox address syntax",
                (1, 7) => ": bad sender's mailbox address syntax",
                (1, 8) => ": bad sender's system address",
                (2, 1) => ": mailbox disabled, not accepting messages",
                (2, 2) => ": mailbox full",
                (2, 3) => ": message length exceeds administrative limit",
                (3, 4) => ": message too big for system",
                (4, 1) => ": no answer from host",
                (4, 7) => ": delivery time expired",
                (5, 1) => ": invalid command",
                (5, 2) => ": syntax error",
                (5, 3) => ": too many recipients",
                (7, 0) => ": other security or policy status",
                (7, 1) => ": delivery not authorized, message refused",
                (7, 8) => ": authentication credentials invalid",
                (7, 9) => ": authentication mechanism is too weak",
                (7, 11) => ": encryption required for requested authentication mechanism",
                _ => "",
            };
            return $"{cls}: {subject}{detail} ({enhanced}).";
        }
    }
}
