using M365SmtpTools.Engine.Exchange;

namespace M365SmtpTools.Engine.Tests.Exchange;

/// <summary>
/// Real Exchange Online reply texts, each with the stage where Exchange Online sends it, the finding it must become,
/// and where the text comes from. Written from the sources, not from the catalogue's patterns, so that the table and
/// these samples can disagree (and a test then fails).
/// </summary>
/// <remarks>
/// Sources: "NDR table" is Microsoft's overview "Email non-delivery reports and SMTP errors in Exchange Online" (its
/// table's description column); "page x.y.z" is the per-code page "Fix email delivery issues for error code x.y.z in
/// Exchange Online"; "issue 17" is the reply quoted in the issue that reported the misreadings; "public bounce" is a
/// reply as it appears in published bounces and logs; "fallback" is a real code with only its generic part of the
/// text, as devices often log it (it must reach the code's fallback row, which lists the candidates).
/// </remarks>
public static class ExchangeOnlineReplySamples
{
    public sealed record Sample(string Name, ReplyStages Stage, string Reply, string ExpectedId, string Source)
    {
        public int Code => int.Parse(Reply[..3]);
        public string Text => Reply[4..];
        public override string ToString() => Name;
    }

    private const ReplyStages Greeting = ReplyStages.Greeting, Ehlo = ReplyStages.Ehlo, Auth = ReplyStages.Auth,
        Mail = ReplyStages.MailFrom, Rcpt = ReplyStages.RcptTo, Data = ReplyStages.EndOfData, Ndr = ReplyStages.Ndr;

    public static readonly Sample[] All =
    {
        // ---- the four misreadings of issue 17 ----
        new("5.7.139-credentials", Auth,
            "535 5.7.139 Authentication unsuccessful, the user credentials were incorrect. [Hostname=BN8PR01CA0001.outlook.office365.com]",
            "CredentialsIncorrect", "issue 17"),
        new("5.2.252-sendas", Data, "554 5.2.252 SendAsDenied; alice@contoso.com not allowed to send as boss@contoso.com; "
            + "STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied; Failed to process message due to a "
            + "permanent exception with message [BeginDiagnosticData]Cannot submit message.", "SendAsDenied", "issue 17"),
        new("5.1.10-dbeb", Rcpt, "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup",
            "RecipientNotFound", "issue 17; NDR table 5.1.10"),
        new("5.7.1-spamhaus", Greeting, "554 5.7.1 Service unavailable; Client host [203.0.113.9] blocked using Spamhaus. To request "
            + "removal from this list see https://www.spamhaus.org/query/ip/203.0.113.9 AS(1450) "
            + "[BN8NAM12FT003.eop-nam12.prod.protection.outlook.com]", "SendingIpBlockListed", "issue 17"),

        // ---- greeting and EHLO ----
        new("5.7.1-blocklist1", Rcpt, "550 5.7.1 Service unavailable; Client host [203.0.113.9] blocked using Blocklist 1; To request "
            + "removal from this list please forward this message to delist@messaging.microsoft.com", "SendingIpBlockListed", "page 5.7.1"),
        new("5.7.708", Greeting, "550 5.7.708 Service unavailable. Access denied, traffic not accepted from this IP.",
            "IpReputationBlocked", "NDR table 5.7.708"),
        new("5.7.511", Greeting, "550 5.7.511 Access denied, banned sender[203.0.113.9]. To request removal from this list, forward this "
            + "message to delist@microsoft.com.", "SendingIpBanned", "NDR table 5.7.511"),
        new("5.7.606", Rcpt, "550 5.7.606 Access denied, banned sending IP [203.0.113.9]. To request removal from this list please visit "
            + "https://sender.office.com/ and follow the directions.", "SendingIpBanned", "public bounce; NDR table 5.7.606-649"),
        new("4.7.500-busy", Greeting, "451 4.7.500 Server busy. Please try again later from [203.0.113.9]. (S77719) "
            + "[BN8NAM12FT003.eop-nam12.prod.protection.outlook.com]", "TemporaryAccessDenied", "public bounce; page 451 4.7.500-699"),
        new("4.7.500-accessdenied", Rcpt, "451 4.7.500 Access denied, please try again later", "TemporaryAccessDenied",
            "NDR table 4.7.500-699"),
        new("4.7.650", Rcpt, "451 4.7.650 The mail server [203.0.113.9] has been temporarily rate limited due to IP reputation.",
            "IpReputationRateLimited", "public bounce; page 451 4.7.500-699"),
        new("4.7.851", Greeting, "451 4.7.851 Access denied, please try again later", "IpTemporarilyRestricted", "NDR table 4.7.850-899"),
        new("4.3.2-service", Greeting, "421 4.3.2 Service not available, closing transmission channel", "ServiceBusy", "fallback"),
        new("5.7.513", Greeting,
            "550 5.7.513 Service unavailable, Client host [203.0.113.9] blocked by fabrikam.com using Customer Block list (AS16012607)",
            "BlockedByRecipientOrganization", "NDR table 5.7.513"),
        new("5.7.506", Ehlo, "550 5.7.506 Access Denied, Bad HELO", "BadHelo", "NDR table 5.7.506"),

        // ---- AUTH ----
        new("5.7.139-tenant", Auth, "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit "
            + "https://aka.ms/smtp_auth_disabled for more information.", "SmtpAuthDisabled",
            "public bounce; page Enable or disable SMTP AUTH"),
        new("5.7.139-mailbox", Auth, "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox. "
            + "Visit https://aka.ms/smtp_auth_disabled for more information.", "SmtpAuthDisabled",
            "public bounce; page Enable or disable SMTP AUTH"),
        new("5.7.139-securitydefaults", Auth, "535 5.7.139 Authentication unsuccessful, user is locked by your organization's security "
            + "defaults policy. Contact your administrator.", "SecurityDefaultsBlock", "public bounce"),
        new("5.7.139-basic", Auth, "535 5.7.139 Authentication unsuccessful, basic authentication is disabled.", "BasicAuthBlocked",
            "public bounce"),
        new("5.7.139-conditionalaccess", Auth, "535 5.7.139 Authentication unsuccessful, the request did not meet the criteria to be "
            + "authenticated successfully. Contact your administrator.", "ConditionalAccessBlock", "public bounce"),
        new("5.7.139-bare", Auth, "535 5.7.139 Authentication unsuccessful", "AuthenticationRefused", "fallback"),
        new("5.7.3", Auth, "535 5.7.3 Authentication unsuccessful [SN2PR00CA0018.namprd00.prod.outlook.com]", "AuthenticationUnsuccessful",
            "page Authenticate … using OAuth (SMTP example)"),
        new("5.7.30", Auth, "550 5.7.30 Basic authentication is not supported for Client Submission.", "BasicAuthRetired", "public bounce"),

        // ---- MAIL FROM ----
        new("5.7.57", Mail, "530 5.7.57 Client not authenticated to send mail. Error: 530 5.7.57 SMTP; Client was not authenticated to "
            + "send anonymous mail during MAIL FROM", "ClientNotAuthenticated", "NDR table 5.7.57"),
        new("5.7.1-notauthenticated", Mail, "530 5.7.1 Client was not authenticated", "ClientNotAuthenticated",
            "NDR table (how to interpret an NDR)"),
        new("5.7.60-mail", Mail, "550 5.7.60 SMTP; Client does not have permissions to send as this sender", "SendAsDenied",
            "public bounce"),
        new("4.3.2-thread", Mail, "432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded", "ConcurrentConnectionLimit",
            "public bounce"),
        new("5.1.8", Mail, "550 5.1.8 Access denied, bad outbound sender", "SenderRestricted", "NDR table 5.1.8"),
        new("5.7.501", Mail, "550 5.7.501 Access denied, spam abuse detected", "AccountBannedForSpam", "NDR table 5.7.501"),
        new("5.7.502", Mail, "550 5.7.502 Access denied, banned sender", "AccountBannedForSpam", "NDR table 5.7.502"),
        new("5.7.705", Mail, "550 5.7.705 Access denied, tenant has exceeded threshold", "TenantSendingBlocked", "page 5.7.700-750"),
        new("5.7.7xx-bare", Mail, "550 5.7.700 Access denied", "TenantSendingRestricted", "fallback"),
        new("5.7.800", Mail, "550 5.7.800 Access denied, banned sender", "SenderDomainBanned", "NDR table 5.7.800"),
        new("5.3.4", Mail, "552 5.3.4 Message size exceeds fixed maximum message size", "MessageTooLarge", "public bounce"),
        new("552-no-enhanced", Mail, "552 Message size exceeds fixed limit", "MessageTooLarge", "public bounce"),
        new("5.2.252-throttled", Mail, "550 5.2.252 SendAsDenied; Sender throttled due to continuous send as denied errors",
            "SenderThrottled", "fallback (Exchange Online's 'Sender throttled due to continuous …' form)"),

        // ---- RCPT TO ----
        new("5.4.1-dbeb", Rcpt,
            "550 5.4.1 Recipient address rejected: Access denied. AS(201806281) [DM6NAM12FT044.eop-nam12.prod.protection.outlook.com]",
            "RecipientNotFound", "NDR table 5.4.1; public bounce"),
        new("5.4.1-relay", Rcpt, "550 5.4.1 Relay Access Denied", "DomainNotAccepted", "page 5.4.1"),
        new("5.7.504", Rcpt, "550 5.7.504 [bob@contoso.com]: Recipient address rejected: Access denied", "RecipientNotFound",
            "NDR table 5.7.504"),
        new("5.7.505", Rcpt, "550 5.7.505 Access denied, banned recipient", "RecipientBanned", "NDR table 5.7.505"),
        new("5.5.0", Rcpt, "550 5.5.0 Requested action not taken: mailbox unavailable", "RecipientNotFound", "NDR table 5.5.0"),
        new("5.1.1", Rcpt, "550 5.1.1 RESOLVER.ADR.RecipNotFound; not found", "RecipientAddressInvalid",
            "public bounce; page 5.1.1 through 5.1.20"),
        new("5.1.0", Rcpt, "550 5.1.0 Sender denied", "SenderDenied", "NDR table 5.1.0"),
        new("5.1.90", Rcpt, "550 5.1.90 Your message can't be sent because you've reached your daily limit for message recipients",
            "DailyRecipientLimitExceeded", "NDR table 5.1.90"),
        new("5.7.64", Rcpt, "550 5.7.64 TenantAttribution; Relay Access Denied [Hostname=BN8PR01CA0001.outlook.office365.com]",
            "RelayAccessDenied", "NDR table 5.7.64"),
        new("5.7.68", Rcpt, "550 5.7.68 TenantInboundAttribution; Direct Send not allowed for this organization from unauthorized sources",
            "DirectSendRejected", "Set-OrganizationConfig -RejectDirectSend"),
        new("5.7.51", Rcpt, "550 5.7.51 TenantInboundAttribution; There is a partner connector configured that matched the message's "
            + "recipient domain. The connector had either the RestrictDomainsToIPAddresses or RestrictDomainsToCertificate set",
            "PartnerConnectorRestriction", "public bounce"),
        new("5.7.54", Rcpt, "550 5.7.54 SMTP; Unable to relay recipient in non-accepted domain", "RelayNotPermitted", "public bounce"),
        new("5.7.1-unabletorelay", Rcpt, "550 5.7.1 Unable to relay", "RelayNotPermitted", "NDR table 5.7.1"),
        new("5.7.1-deliverynotauthorized", Rcpt, "550 5.7.1 Delivery not authorized, message refused", "RecipientRestricted",
            "NDR table 5.7.1"),
        new("5.7.1-authrequired", Rcpt, "550 5.7.1 RESOLVER.RST.AuthRequired; authentication required [Stage: CreateMessage]",
            "RecipientRestricted", "page 5.7.1"),
        new("5.7.1-bare", Rcpt, "550 5.7.1 Access denied", "DeliveryNotAuthorized", "fallback"),
        new("4.5.3", Rcpt, "452 4.5.3 Too many recipients", "TooManyRecipients", "NDR table 4.5.3"),
        new("5.7.12", Rcpt, "550 5.7.12 RESOLVER.RST.SenderNotAuthenticated; Sender was not authenticated by organization",
            "SenderNotAuthenticatedForRecipient", "NDR table 5.7.12"),
        new("5.7.133", Rcpt, "550 5.7.133 RESOLVER.RST.SenderNotAuthenticatedForGroup; authentication required; Delivery restriction "
            + "check failed as sender not authenticated for group", "SenderNotAuthenticatedForRecipient", "NDR table 5.7.133"),
        new("5.7.134", Rcpt, "550 5.7.134 RESOLVER.RST.SenderNotAuthenticatedForMailbox; authentication required; Delivery restriction "
            + "check failed as sender not authenticated for mailbox", "SenderNotAuthenticatedForRecipient", "NDR table 5.7.134"),
        new("5.7.135", Rcpt,
            "550 5.7.135 RESOLVER.RST.SenderNotAuthenticatedForPublicFolder; Sender was not authenticated for public folder",
            "SenderNotAuthenticatedForRecipient", "NDR table 5.7.13 or 135"),
        new("5.7.136", Rcpt, "550 5.7.136 RESOLVER.RST.SenderNotAuthenticated; Sender was not authenticated",
            "SenderNotAuthenticatedForRecipient", "NDR table 5.7.136"),
        new("5.7.124", Rcpt, "550 5.7.124 RESOLVER.RST.NotAuthorized; not authorized; Sender not in allowed-senders list",
            "SenderNotAllowedForGroup", "NDR table 5.7.124"),
        new("5.7.25", Rcpt, "550 5.7.25 Access denied, the sending IPv6 address [2a01:111:f200:2004::240] must have a reverse DNS record",
            "IPv6NoReverseDns", "NDR table 5.7.25"),
        new("5.7.510", Rcpt, "550 5.7.510 Access denied, contoso.com does not accept email over IPv6", "RecipientRefusesIPv6",
            "NDR table 5.7.510"),
        new("5.7.508", Rcpt,
            "550 5.7.508 Access denied, [2a01:111:f200:2004::240] has exceeded permitted limits within 2a01:111:f200::/48 range",
            "IPv6RateLimited", "NDR table 5.7.508"),
        new("5.7.507", Rcpt, "550 5.7.507 Access denied, rejected by recipient", "BlockedByRecipientOrganization", "NDR table 5.7.507"),
        new("5.2.121", Rcpt, "550 5.2.121 Recipient's per hour message receive limit from specific sender exceeded", "RecipientRateLimited",
            "NDR table 5.2.121"),
        new("5.2.122", Rcpt, "550 5.2.122 Recipient's per hour message receive limit exceeded", "RecipientRateLimited",
            "NDR table 5.2.122"),
        new("5.7.750", Rcpt, "550 5.7.750 Service unavailable. Client blocked from sending from unregistered domains",
            "UnregisteredDomainBlocked", "NDR table 5.7.750"),
        new("5.2.2-recipient-full", Rcpt, "552 5.2.2 mailbox full", "MailboxQuotaExceeded", "fallback"),

        // ---- end of DATA / BDAT ----
        new("5.7.60-data", Data,
            "550 5.7.60 SMTP; Client does not have permissions to send as this sender [BY2PR1001MB1094.namprd10.prod.outlook.com]",
            "SendAsDenied", "public log (reply to BDAT LAST)"),
        new("5.2.0-sendas", Data, "554 5.2.0 STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied; Failed to "
            + "process message due to a permanent exception with message Cannot submit message", "SendAsDenied", "public bounce"),
        new("5.2.0-quota", Data, "554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException; Failed to process message due "
            + "to a permanent exception with message [BeginDiagnosticData]Cannot submit message.", "SubmissionQuotaExceeded",
            "public bounce"),
        new("5.2.0-other", Data,
            "554 5.2.0 STOREDRV.Submission.Exception:StoragePermanentException; Failed to process message due to a permanent exception",
            "SubmissionFailed", "fallback"),
        new("5.2.2-sender-full", Data,
            "554 5.2.2 mailbox full; STOREDRV.Submission.Exception:QuotaExceededException.MapiExceptionShutoffQuotaExceeded",
            "SenderMailboxFull", "public bounce"),
        new("5.2.2-quota", Data, "550 5.2.2 Submission quota exceeded", "SubmissionQuotaExceeded", "NDR table 5.2.2"),
        new("5.2.3-sender", Data, "550 5.2.3 RESOLVER.RST.SendSizeLimit.Sender; message too large for this sender",
            "MessageTooLargeForSender", "public bounce"),
        new("5.2.3-recipient", Data, "550 5.2.3 RESOLVER.RST.RecipSizeLimit; message too large for this recipient",
            "MessageTooLargeForRecipient", "public bounce"),
        new("5.3.190", Data,
            "550 5.3.190 Journaling on-premises messages to Microsoft 365 or Office 365 not supported when Journaling Archive is disabled",
            "JournalingArchiveDisabled", "NDR table 5.3.190"),
        new("5.4.14", Data, "554 5.4.14 Hop count exceeded - possible mail loop ATTR34", "MailLoop", "page 5.4.6 through 5.4.20"),
        new("5.4.6", Data, "554 5.4.6 Hop count exceeded - possible mail loop", "MailLoop", "page 5.4.6 through 5.4.20"),
        new("5.7.23", Data, "550 5.7.23 The message was rejected because of Sender Policy Framework violation", "SpfFailed",
            "NDR table 5.7.23"),
        new("5.7.509", Data,
            "550 5.7.509 Access denied, sending domain [CONTOSO.COM] does not pass DMARC verification and has a DMARC policy of reject.",
            "DmarcRejected", "NDR table 5.7.509"),
        new("5.7.512", Data, "550 5.7.512 Access denied, message must be RFC 5322 section 3.6.2 compliant", "FromHeaderInvalid",
            "NDR table 5.7.512"),
        new("4.7.26", Data, "451 4.7.26 Access denied, a message sent over IPv6 [2a01:111:f200:2004::240] must pass either SPF or DKIM "
            + "validation, this message is not signed", "IPv6NotAuthenticated", "NDR table 4.7.26"),
        new("5.0.350-xdgref", Data, "550 5.0.350 x-dg-ref header is too long", "RichTextHeaderTooLong", "page 550 5.0.350"),
        new("5.0.350-as345", Data, "550 5.0.350 Requested action not taken: policy violation detected (AS345)", "NestedAttachmentsRejected",
            "page 550 5.0.350"),
        new("5.0.350-generic", Data, "550 5.0.350 Generic error", "RecipientServerError", "NDR table 5.0.350"),
        new("5.6.211", Data, "554 5.6.211 Invalid MIME Content: Single text value size (32768) exceeded", "MessageLineTooLong",
            "public bounce"),
        new("5.7.1-rule", Data, "550 5.7.1 TRANSPORT.RULES.RejectMessage; the message was rejected by organization policy",
            "MailFlowRuleRejected", "public bounce"),
        new("5.7.900-rule", Data, "550 5.7.900 TRANSPORT.RULES.RejectMessage; the message was rejected by organization policy",
            "MailFlowRuleRejected", "public bounce"),

        // ---- only in non-delivery reports (after the server accepted the message) ----
        new("4.4.7", Ndr, "550 4.4.7 QUEUE.Expired; message expired", "MessageExpired", "page 4.4.7"),
        new("5.4.300", Ndr, "550 5.4.300 Message expired", "MessageExpired", "NDR table 5.4.300"),
        new("4.4.316", Ndr, "451 4.4.316 Connection refused [Message=Socket error code 10061]", "RemoteConnectionRefused",
            "NDR table 4.4.316"),
        new("5.4.316", Ndr, "550 5.4.316 Message expired, connection refused(Socket error code 10061)", "RemoteConnectionRefused",
            "public bounce"),
        new("5.6.11", Ndr, "550 5.6.11 SMTPSEND.BareLinefeedsAreIllegal; message contains bare linefeeds, which cannot be sent via DATA",
            "BareLineFeedsRejected", "page 550 5.6.11; public bounce"),
        new("5.7.520", Ndr, "550 5.7.520 Access denied, Your organization does not allow external forwarding. Please contact your "
            + "administrator for further assistance. AS(7555)", "ExternalForwardingBlocked", "public bounce; external forwarding page"),
        new("5.7.703", Ndr, "550 5.7.703 Your message can't be delivered because messages to fabrikam.com are blocked by your "
            + "organization using Tenant Allow Block List.", "RecipientBlockedByTenantList", "NDR table 5.7.703"),
        new("4.3.2-recipient", Ndr, "432 4.3.2 STOREDRV.Deliver; recipient thread limit exceeded", "RecipientThreadLimit",
            "NDR table 432 4.3.2"),
        new("quota-no-code", Ndr, "554 The message can't be submitted because the sender's submission quota was exceeded",
            "SubmissionQuotaExceeded", "NDR table n/a"),
    };

    public static Sample Get(string name) => All.Single(s => s.Name == name);
}
