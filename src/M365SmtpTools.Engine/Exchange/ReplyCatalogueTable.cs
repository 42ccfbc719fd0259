using System.Linq;
using static M365SmtpTools.Engine.Exchange.ReplyRetry;
using static M365SmtpTools.Engine.Exchange.ReplySources;

namespace M365SmtpTools.Engine.Exchange
{
    public static partial class ReplyCatalogue
    {
        private const ReplyFixOwner SendersAdmin = ReplyFixOwner.SendersAdmin, RecipientsAdmin = ReplyFixOwner.RecipientsAdmin,
            Ms = ReplyFixOwner.Microsoft;
        private const ReplyStages Greeting = ReplyStages.Greeting, Ehlo = ReplyStages.Ehlo, Auth = ReplyStages.Auth,
            Mail = ReplyStages.MailFrom, Rcpt = ReplyStages.RcptTo, Data = ReplyStages.EndOfData, Ndr = ReplyStages.Ndr;

        private const string MoveOff = "Move to OAuth (Connect-M365Smtp with a certificate, a managed identity or a delegated sign-in), " +
            "or to a relay connector or Direct Send.";
        private const string OtherPath = "Until then send another way: client submission (smtp.office365.com port 587 with OAuth) or a " +
            "relay connector, whose mail leaves from Microsoft's addresses.";
        private const string Anonymous = "Mail from Direct Send and from a relay connector of type Partner arrives unauthenticated (as " +
            "from outside the organization); a relay connector of type OnPremises or client submission makes it internal.";

        private static ReplyCatalogueEntry Row(string id, string code, string? text, ReplyStages stages, ReplyFixOwner owner,
            ReplyRetry retry, ReplySource source, string summary, string cause, string fix, string[]? candidates = null,
            string[]? commands = null, int[]? codes = null, string? passwordSummary = null) =>
            new ReplyCatalogueEntry(id, code, text, codes ?? System.Array.Empty<int>())
            {
                Stages = stages, FixOwner = owner, Retry = retry, Source = source, Summary = summary, Cause = cause, Fix = fix,
                Candidates = candidates ?? System.Array.Empty<string>(), CommandTemplates = commands ?? System.Array.Empty<string>(),
                PasswordSummary = passwordSummary,
            };

        private static string[] Cmd(params string[] commands) => commands;
        private static string[] Likely(params string[] candidates) => candidates;

        /// <summary>
        /// The catalogue: one row per (finding id, enhanced code). Rows with a text pattern say what that text means;
        /// a fallback row (text null) explains the code when no text matches, listing the candidates most likely first.
        /// </summary>
        private static readonly ReplyCatalogueEntry[] Table = TransientAndAddressRows().Concat(SecurityRows()).ToArray();

        // Methods, not fields: static fields of a partial class in two files have no defined initialization order.
        private static ReplyCatalogueEntry[] TransientAndAddressRows() => new[]
        {
            // ---- 4.3.x / 4.4.x / 4.5.x: connections, queues, recipients per message --------------------------------
            Row("ConcurrentConnectionLimit", "4.3.2", @"sender thread limit|ClientSubmit|concurrent connection",
                Mail | Data, SendersAdmin, RetryLater, Devices,
                "Too many simultaneous connections for this mailbox (Exchange Online allows 3).",
                "Several devices, threads or scripts submit as the same mailbox at once.",
                "Retry with back-off and keep to at most 3 connections per mailbox (Send-M365Mail does both)."),
            Row("RecipientThreadLimit", "4.3.2", @"recipient thread limit|STOREDRV\.Deliver", Ndr, Ms, RetryLater, Overview,
                "The recipient's mailbox is being throttled because it receives too many messages too quickly.",
                "Exchange Online protects the mailbox database the recipient shares with others.",
                "Retry later; send fewer messages to this recipient per minute."),
            Row("ServiceBusy", "4.3.2", null, Greeting | Mail | Data, Ms | SendersAdmin, RetryLater, Overview,
                "The server can't take the message now.",
                "",
                "Retry later with back-off, and keep to at most 3 connections per mailbox.",
                Likely("too many simultaneous connections for this mailbox or from this address", "the server is closing for maintenance " +
                    "or is overloaded")),
            Row("MessageExpired", "4.4.7,5.4.300", @"expired", Ndr, RecipientsAdmin, RetryAfterFix, Fix447,
                "Exchange Online accepted the message but couldn't deliver it before it expired in its queue.",
                "The receiving server didn't answer or kept refusing for hours (down, firewalled, or a wrong MX), or a protocol limit " +
                    "was hit on the way.",
                "Check the recipient's address and that the receiving domain's MX and mail server work; send again when they do."),
            Row("RemoteConnectionRefused", "4.4.316,5.4.316", @"connection refused|socket error",
                Ndr, RecipientsAdmin, RetryAfterFix, Overview,
                "Exchange Online could not connect to the receiving mail server outside Microsoft 365.",
                "A network problem at the receiving side: its server is down, or a firewall refuses Microsoft's connections.",
                "The receiving organization must fix its server or network; the reply names the address that refused."),
            Row("TooManyRecipients", "4.5.3", @"too many recipients", Rcpt, SendersAdmin, RetryLater, Overview,
                "The message has more envelope recipients from one domain than one transaction may carry (200 for Exchange Online).",
                "The sending app or device puts all recipients in one transaction.",
                "Send the remaining recipients in further transactions (Send-M365Mail splits large recipient lists)."),

            // ---- 4.7.x: temporary restrictions -----------------------------------------------------------------------
            Row("IPv6NotAuthenticated", "4.7.26", @"IPv6|SPF or DKIM", Data, SendersAdmin, RetryAfterFix, Overview,
                "The message came over IPv6 without passing SPF or DKIM, which Exchange Online requires of anonymous IPv6 mail.",
                "The sending domain's SPF record doesn't list the IPv6 address and the message isn't DKIM-signed.",
                "Add the sending IPv6 address to the domain's SPF record or sign with DKIM (Test-M365MailDomain checks both), or send " +
                    "over IPv4."),
            Row("IpReputationRateLimited", "4.7.650", @"rate limited|IP reputation",
                Greeting | Mail | Rcpt, SendersAdmin, RetryLater, Fix4xx500,
                "The sending IP address is temporarily rate limited because of its reputation.",
                "A new address, or one whose volume grew suddenly, is treated with suspicion until it builds a sending history.",
                "Retry later and ramp up volume slowly. " + OtherPath),
            Row("TemporaryAccessDenied", "4.7.500-699", null, Greeting | Mail | Rcpt | Data, SendersAdmin | Ms, RetryLater, Fix4xx500,
                "Exchange Online blocked the connection temporarily.",
                "",
                "Retry later; Send-M365Mail retries 4xx replies with back-off. A mail server that relays through Microsoft 365 all the " +
                    "time needs an inbound connector for its address.",
                Likely("the sending IP address is new or sends far more than before, and is throttled until it has a history (graylisting)",
                    "suspicious activity from the sender was detected and sending is held while it is evaluated")),
            Row("IpTemporarilyRestricted", "4.7.850-899", @"access denied|try again later",
                Greeting | Mail | Rcpt, SendersAdmin | Ms, RetryLater, Overview,
                "Suspicious activity from this IP address was detected and it is restricted while Exchange Online evaluates it.",
                "Unusual traffic from the address (often a compromised device or a shared address).",
                "Retry later; if the traffic is legitimate the restriction lifts by itself. " + OtherPath),

            // ---- 5.0.350: the recipient's organization ---------------------------------------------------------------
            Row("RichTextHeaderTooLong", "5.0.350", @"x-dg-ref", Data | Ndr, SendersAdmin, DoNotRetry, Fix50350,
                "The message's x-dg-ref header is too long for the receiving server.",
                "The message was sent in Rich Text (TNEF) format.",
                "Send the message as HTML or plain text (Send-M365Mail never sends TNEF; a client must stop using Rich Text for this " +
                    "recipient)."),
            Row("NestedAttachmentsRejected", "5.0.350", @"AS345|policy violation", Data | Ndr, SendersAdmin, DoNotRetry, Fix50350,
                "The message was refused for a policy violation about nested attachments.",
                "An attached message contains attached messages several levels deep.",
                "Attach the files themselves instead of messages that contain messages."),
            Row("RecipientServerError", "5.0.350", null, Data | Ndr, RecipientsAdmin, RetryAfterFix, Fix50350,
                "The recipient's mail organization refused the message with a generic error.",
                "",
                "Read the rest of the reply; the recipient's admin can tell from their logs what refused it.",
                Likely("a rule or policy in the recipient's organization", "a header that is too long (x-dg-ref, from Rich Text)",
                    "nested attached messages")),

            // ---- 5.1.x: addresses ------------------------------------------------------------------------------------
            Row("SenderDenied", "5.1.0", @"sender denied", Mail | Rcpt | Ndr, RecipientsAdmin | SendersAdmin, RetryAfterFix, Fix510,
                "The receiving server won't accept messages from this sender (or for this recipient).",
                "",
                "Check the recipient's address; ask the recipient whether they block the sender; the sending admin should check the " +
                    "domain's SPF record (Test-M365MailDomain).",
                Likely("the recipient or their organization blocks this sender", "the recipient's address could not be resolved (a stale " +
                    "address in a saved or replied-to message)",
                    "the sending domain's SPF record doesn't include this source")),
            Row("SenderRestricted", "5.1.8", @"bad outbound sender|access denied", Mail | Data, SendersAdmin, RetryAfterFix, Fix518,
                "The sending account is blocked from sending because it sent what looked like spam.",
                "The account is most likely compromised (phishing or malware) and was put on the restricted users list.",
                "Secure the account (reset its password or secret, look for inbox rules and delegates an attacker added), then release " +
                    "it from Restricted users in the Microsoft Defender portal; sending resumes within hours.",
                commands: Cmd("Get-BlockedSenderAddress -SenderAddress {Mailbox}", "Remove-BlockedSenderAddress -SenderAddress {Mailbox}")),
            Row("RecipientNotFound", "5.1.10", @"RecipientNotFound|recipient not found|not found by SMTP address lookup",
                Rcpt, SendersAdmin | RecipientsAdmin, DoNotRetry, Fix5110,
                "The recipient's address doesn't exist in the receiving Microsoft 365 organization (Directory-Based Edge Blocking " +
                    "refused it).",
                "A mistyped or outdated address, a recipient that was removed, or a forwarding rule that points to an address that " +
                    "doesn't exist.",
                "Correct the recipient's address; if it should exist, the recipient's admin must create it or fix its directory " +
                    "synchronization."),
            Row("RecipientAddressInvalid", "5.1.1-7,5.1.9,5.1.11-20", null,
                Rcpt | Ndr, SendersAdmin | RecipientsAdmin, DoNotRetry, Fix511To20,
                "The receiving system refused the recipient's address.",
                "",
                "Check and correct the recipient's address before sending again.",
                Likely("the address is mistyped", "the address no longer exists at the receiving system", "the recipient forwards to an " +
                    "address that doesn't exist",
                    "the sending account is compromised and sends to harvested addresses")),
            Row("DailyRecipientLimitExceeded", "5.1.90", @"daily limit|recipients", Mail | Rcpt | Data, SendersAdmin, RetryLater, Overview,
                "The mailbox reached its daily limit of recipients (10,000 a day).",
                "A large send from this mailbox, or a compromised account sending spam.",
                "Wait until the limit resets (a rolling 24 hours), spread large sends over several days or use a bulk-mail service, and " +
                    "check the account isn't compromised."),

            // ---- 5.2.x: mailboxes and sending limits -----------------------------------------------------------------
            Row("SubmissionFailed", "5.2.0", null, Data, SendersAdmin, RetryAfterFix, Overview,
                "Exchange Online's store refused to submit the message.",
                "",
                "Read the exception name in the reply; it says which of the causes applies.",
                Likely("the mailbox went over its sending limits (SubmissionQuotaExceeded)", "the mailbox may not send as the From " +
                    "address (SendAsDenied)",
                    "another store error for this mailbox")),
            Row("SubmissionQuotaExceeded", "5.2.0", @"quota", Data, SendersAdmin, RetryLater, SubmissionQuota,
                "The mailbox went over its sending limits (30 messages a minute, 10,000 recipients a day).",
                "The app sends faster than the limits allow, or the account is compromised and sends spam.",
                "Wait until the limit resets, send more slowly (Send-M365Mail paces to the limits), and check the account hasn't been " +
                    "compromised."),
            Row("SendAsDenied", "5.2.0", @"SendAsDenied", Data, SendersAdmin, RetryAfterFix, AddRecipientPermission,
                "The authenticated mailbox may not send as the From address: it has no Send As permission on it.",
                "The app signs in as one mailbox and sends from another address (a shared mailbox, a noreply address).",
                "Send from the authenticated mailbox itself, or give it Send As on the sender address (can take an hour), or use a relay " +
                    "connector where any address in an accepted domain may send.",
                commands: Cmd("Add-RecipientPermission -Identity {Sender} -Trustee {Mailbox} -AccessRights SendAs -Confirm:$false")),
            Row("SenderMailboxFull", "5.2.2",
                @"mailbox (is )?full.*Submission|Submission\.Exception:QuotaExceeded|quota exceeded for sent|storage quota",
                Data, SendersAdmin, RetryAfterFix, Overview,
                "The sending mailbox is full, so the copy for Sent Items can't be saved.",
                "The mailbox reached its storage quota.",
                "Free space in the mailbox (empty Sent Items or Deleted Items) or raise its quota."),
            Row("SubmissionQuotaExceeded", "5.2.2", @"submission quota|SubmissionQuotaExceeded",
                Mail | Data, SendersAdmin, RetryLater, Overview,
                "The mailbox went over its sending limits (30 messages a minute, 10,000 recipients a day).",
                "The app sends faster than the limits allow, or the account is compromised and sends spam.",
                "Wait until the limit resets, send more slowly (Send-M365Mail paces to the limits), and check the account hasn't been " +
                    "compromised."),
            Row("MailboxQuotaExceeded", "5.2.2", null, Mail | Rcpt | Data | Ndr, SendersAdmin | RecipientsAdmin, RetryAfterFix, Overview,
                "A quota was exceeded.",
                "",
                "Read the rest of the reply to tell which quota; wait for a sending limit to reset or free space in the full mailbox.",
                Likely("the sending mailbox went over its sending limits", "the sending mailbox is full", "the recipient's " +
                    "mailbox is full")),
            Row("MessageTooLargeForSender", "5.2.3", @"SendSizeLimit\.Sender|too large for this sender",
                Mail | Data, SendersAdmin, DoNotRetry, SetMailbox,
                "The message is larger than the sending mailbox may send (its MaxSendSize).",
                "Large attachments; base64 makes them about a third larger on the wire.",
                "Send smaller attachments or share a link instead; an admin can raise the mailbox's MaxSendSize (up to 150 MB).",
                commands: Cmd("Set-Mailbox -Identity {Mailbox} -MaxSendSize 150MB")),
            Row("MessageTooLargeForRecipient", "5.2.3", @"RecipSizeLimit|too large for this recipient",
                Rcpt | Data, RecipientsAdmin, DoNotRetry, SetMailbox,
                "The message is larger than the recipient's mailbox may receive (its MaxReceiveSize).",
                "Large attachments; base64 makes them about a third larger on the wire.",
                "Send smaller attachments or share a link instead; the recipient's admin can raise the mailbox's MaxReceiveSize.",
                commands: Cmd("Set-Mailbox -Identity {Recipient} -MaxReceiveSize 150MB")),
            Row("RecipientRateLimited", "5.2.121,5.2.122", @"per hour message receive limit",
                Rcpt | Ndr, SendersAdmin, RetryLater, Overview,
                "The recipient may receive no more messages this hour (from this sender, or from all senders).",
                "An automated sender mails one recipient too often, or a mail storm hits the recipient.",
                "Try again later and send fewer messages per hour to this recipient (combine notifications)."),
            Row("SendAsDenied", "5.2.252", @"not allowed to send as|SendAsDenied(Exception)?\b(?!.*throttled)",
                Mail | Data, SendersAdmin, RetryAfterFix, AddRecipientPermission,
                "The authenticated mailbox may not send as the From address: it has no Send As permission on it.",
                "The app signs in as one mailbox and sends from another address (a shared mailbox, a noreply address).",
                "Send from the authenticated mailbox itself, or give it Send As on the sender address (can take an hour), or use a relay " +
                    "connector where any address in an accepted domain may send.",
                commands: Cmd("Add-RecipientPermission -Identity {Sender} -Trustee {Mailbox} -AccessRights SendAs -Confirm:$false")),
            Row("SenderThrottled", "5.2.251-255", @"throttled", Mail | Data, SendersAdmin, RetryAfterFix, Overview,
                "The mailbox is throttled after repeated errors of the kind the reply names (for example many invalid recipients, or " +
                    "Send As refusals).",
                "The app kept sending what Exchange Online refused.",
                "Fix what caused the errors (for Send As refusals: give the mailbox Send As on the sender address), then wait for the " +
                    "throttle to lift."),

            // ---- 5.3.x / 5.4.x / 5.5.x / 5.6.x -----------------------------------------------------------------------
            Row("MessageTooLarge", "5.3.4", @"size|too (big|large)", Mail | Data, SendersAdmin, DoNotRetry, Devices,
                "The message is larger than the size limit (35 MB by default, up to 150 MB; base64 makes attachments about a " +
                    "third larger).",
                "Large attachments.",
                "Send smaller attachments or share a link instead; an admin can raise the mailbox's MaxSendSize.",
                codes: new[] { 552, 554, 550 }),
            Row("MessageTooLarge", "", @"size|too (big|large)", Mail | Data, SendersAdmin, DoNotRetry, Devices,
                "The message is larger than the server accepts.",
                "Large attachments.",
                "Send smaller attachments or share a link instead.", codes: new[] { 552 }),
            Row("JournalingArchiveDisabled", "5.3.190", @"journal", Data | Ndr, SendersAdmin, RetryAfterFix, Overview,
                "Exchange Online refuses journal reports from the on-premises organization because Journaling Archive is off for " +
                    "the tenant.",
                "An on-premises journal rule sends its reports to Microsoft 365.",
                "Turn on Journaling Archive for the tenant, or point the on-premises journal rule somewhere else."),
            Row("RecipientNotFound", "5.4.1", @"recipient address rejected", Rcpt, SendersAdmin | RecipientsAdmin, DoNotRetry, Overview,
                "The recipient's address doesn't exist in the receiving Microsoft 365 organization (Directory-Based Edge Blocking " +
                    "refused it).",
                "A mistyped or outdated address, or a recipient that was removed.",
                "Correct the recipient's address; if it should exist, the recipient's admin must create it or fix its directory " +
                    "synchronization."),
            Row("DomainNotAccepted", "5.4.1", @"relay access denied", Rcpt, RecipientsAdmin, RetryAfterFix, Fix541,
                "The server refused the recipient's domain: it doesn't accept mail for it.",
                "The domain's MX record points to a server (or Microsoft 365 tenant) where the domain isn't an accepted domain, DNS " +
                    "changes haven't propagated yet, or a hybrid connector is misconfigured.",
                "The recipient domain's admin must fix its MX record or accepted domains (Get-AcceptedDomain lists them); changes can " +
                    "take up to 72 hours to propagate.",
                commands: Cmd("Get-AcceptedDomain")),
            Row("MailLoop", "5.4.6,5.4.14", @"hop count|loop", Data | Ndr, SendersAdmin | RecipientsAdmin, RetryAfterFix, Fix546,
                "The message went round in a loop between servers and was stopped.",
                "A forwarding rule, a connector, or an MX or hybrid routing setup that sends the message back where it came from.",
                "Find the loop in the message's Received headers and fix the forwarding rule, connector or routing that causes it."),
            Row("RecipientNotFound", "5.5.0", @"mailbox unavailable", Rcpt, SendersAdmin, DoNotRetry, Overview,
                "The recipient's address (at outlook.com or hotmail.com) doesn't exist.",
                "A mistyped or closed consumer address.",
                "Correct the recipient's address."),
            Row("BareLineFeedsRejected", "5.6.11", @"bare ?line ?feed|invalid characters",
                Ndr, RecipientsAdmin | SendersAdmin, RetryAfterFix, Fix5611,
                "The receiving server refused the message because it contains bare line feeds (LF without CR).",
                "The sending program wrote lines ending in LF only, and the receiving server supports neither them nor BDAT.",
                "Send lines ending in CRLF (Send-M365Mail always does); the receiving admin can allow bare line feeds or upgrade to a " +
                    "server with BDAT."),
            Row("MessageLineTooLong", "5.6.211", @"MIME|line length|text value size", Data, SendersAdmin, DoNotRetry, Rfc5322LineLength,
                "The message's content is malformed for Exchange Online: a line or header is longer than it allows.",
                "The sending program didn't wrap long lines (for example base64 or HTML on one line).",
                "Wrap lines at 998 characters at most (Send-M365Mail encodes bodies and attachments with short lines)."),
        };
    }
}
