using static M365SmtpTools.Engine.Exchange.ReplyRetry;
using static M365SmtpTools.Engine.Exchange.ReplySources;

namespace M365SmtpTools.Engine.Exchange
{
    public static partial class ReplyCatalogue
    {
        // The 5.7.x rows (security, policy, authentication, SPF and connectors, protection, the tenant) and the rows
        // without an enhanced code, after the others in the table (the order decides only between equal rows).
        private static ReplyCatalogueEntry[] SecurityRows() => new[]
        {
            // ---- 5.7.1: security or policy, several causes ------------------------------------------------------------
            Row("SendingIpBlockListed", "5.7.1", @"blocked using|block ?list|Spamhaus",
                Greeting | Mail | Rcpt, SendersAdmin | Ms, RetryAfterFix, Fix571,
                "The sending IP address is on a block list that Exchange Online checks (Microsoft's own or a public one such as " +
                    "Spamhaus), so the mail is refused.",
                "The address sent spam, or it is a shared or dynamic address (an ISP's, a cloud provider's) with a bad reputation.",
                "Have the address delisted: follow the removal link in the reply (Microsoft's own list: forward the reply to " +
                    "delist@messaging.microsoft.com or use the delist portal). " + OtherPath),
            Row("ClientNotAuthenticated", "5.7.1", @"not authenticated", Mail | Rcpt, SendersAdmin, RetryAfterFix, Overview,
                "The server requires authentication before it accepts this message, and the client didn't authenticate.",
                "The app or device sends anonymously to a server or endpoint that needs AUTH.",
                "Configure the app or device to authenticate (OAuth), or send to the tenant's MX endpoint (relay connector or " +
                    "Direct Send)."),
            Row("RelayNotPermitted", "5.7.1", @"unable to relay", Rcpt, SendersAdmin, RetryAfterFix, Overview,
                "The server refused to relay to a domain it doesn't accept mail for.",
                "The sender isn't allowed to relay through this server: Direct Send only reaches the tenant's own recipients, and a " +
                    "relay needs a connector that recognizes the sender.",
                "Send to recipients in the tenant's own domains, or set up a relay connector (New-M365RelayConnectorPlan) or " +
                    "authenticated submission."),
            Row("MailFlowRuleRejected", "5.7.1,5.7.900-999", @"TRANSPORT\.RULES|organization policy",
                Data | Ndr, RecipientsAdmin | SendersAdmin, RetryAfterFix, Fix571,
                "A mail flow (transport) rule refused the message.",
                "A rule in the sending or the receiving organization matched the message.",
                "The admin of the organization whose rule matched must change the rule or grant an exception; message trace shows " +
                    "which rule."),
            Row("RecipientRestricted", "5.7.1", @"RESOLVER\.RST|delivery not authori[sz]ed|not authori[sz]ed to send|permission",
                Rcpt | Data, RecipientsAdmin, RetryAfterFix, Fix571,
                "The sender may not send to this recipient: the recipient (often a group) accepts mail only from certain or " +
                    "authenticated senders.",
                Anonymous,
                "Ask the recipient's admin or the group's owner to allow this sender (or external senders), or send authenticated from " +
                    "an allowed mailbox."),
            Row("DeliveryNotAuthorized", "5.7.1", null,
                Greeting | Mail | Rcpt | Data | Ndr, RecipientsAdmin | SendersAdmin, RetryAfterFix, Fix571,
                "A security or policy setting refused the message.",
                "",
                "Read the rest of the reply for the reason; most of these are fixed by the recipient's admin.",
                Likely("the recipient or group accepts mail only from certain or authenticated senders", "a mail flow rule refused " +
                    "the message",
                    "the sending IP address is on a block list", "the server doesn't relay for this sender or domain")),

            // ---- 5.7.3 / 5.7.139 / 5.7.30 / 5.7.57: authentication ----------------------------------------------------
            Row("AuthenticationUnsuccessful", "5.7.3", @"authentication unsuccessful", Auth, SendersAdmin, RetryAfterFix, OAuth,
                "The credentials were refused: a wrong password or token, a wrong user= name, a token for the wrong audience or scope, " +
                    "or (app-only) a service principal Exchange doesn't know or that has no permission on the mailbox.",
                "",
                "With OAuth, check the token's audience (https://outlook.office365.com), roles (SMTP.SendAsApp) or scp (SMTP.Send) and " +
                    "that user= is the mailbox; register the app's service principal in Exchange and give it access to the mailbox. With " +
                    "a password, check it and that the account isn't a shared mailbox.",
                commands: Cmd("New-ServicePrincipal -AppId {AppId} -ObjectId {ServicePrincipal}", "Add-MailboxPermission -Identity " +
                    "{Mailbox} -User {ServicePrincipal} -AccessRights FullAccess"),
                codes: new[] { 535 },
                passwordSummary: "The user name or password was refused (or the account is a shared mailbox, or Basic authentication is " +
                    "blocked for it)."),
            Row("SmtpAuthDisabled", "5.7.139", @"SmtpClientAuthentication is disabled", Auth, SendersAdmin, RetryAfterFix, SmtpAuth,
                "SMTP AUTH (client submission) is switched off for the tenant or this mailbox.",
                "Tenants created after January 2020 and tenants with Security Defaults have it off.",
                "Allow SMTP AUTH for this mailbox only (preferred) or for the whole tenant; the change can take an hour to apply.",
                commands: Cmd("Set-CASMailbox -Identity {Mailbox} -SmtpClientAuthenticationDisabled $false", "Set-TransportConfig " +
                    "-SmtpClientAuthenticationDisabled $false")),
            Row("SecurityDefaultsBlock", "5.7.139", @"security defaults", Auth, SendersAdmin, RetryAfterFix, SmtpAuth,
                "The account is blocked by the tenant's Security Defaults, which refuse SMTP AUTH with a password.",
                "",
                "Use OAuth instead of a password. " + MoveOff),
            Row("BasicAuthBlocked", "5.7.139", @"basic authentication is disabled", Auth, SendersAdmin, RetryAfterFix, SmtpAuth,
                "Basic authentication (a password) is disabled for this tenant or account.",
                "",
                MoveOff),
            Row("ConditionalAccessBlock", "5.7.139", @"did not meet the criteria", Auth, SendersAdmin, RetryAfterFix, SmtpAuth,
                "A Conditional Access policy refused the sign-in (location, device or legacy-authentication rule).",
                "",
                "Use OAuth from an allowed context, or ask the identity admin to review the Conditional Access policy's sign-in " +
                    "log entry. " + MoveOff),
            Row("CredentialsIncorrect", "5.7.139", @"credentials were incorrect|incorrect credentials",
                Auth, SendersAdmin, RetryAfterFix, SmtpAuth,
                "The credentials are wrong: the password doesn't match the account, or (with OAuth) the token doesn't belong to the user " +
                    "named in user=. It is not a tenant policy block.",
                "A mistyped, changed or expired password or app password, a user name that isn't the mailbox's address, or a token " +
                    "issued for another account.",
                "Check the user name (the full mailbox address) and the password, or that the token's user is the mailbox in user=; then " +
                    "authenticate again. Repeated failures can lock the account.",
                passwordSummary: "The user name or password is wrong (a mistyped, changed or expired password or app password, or a user " +
                    "name that isn't the mailbox's address). It is not a tenant policy block."),
            Row("AuthenticationRefused", "5.7.139", null, Auth, SendersAdmin, RetryAfterFix, SmtpAuth,
                "Authentication was refused, and the reply doesn't say why.",
                "",
                "Read the rest of the server's reply; check the credentials first, then whether SMTP AUTH is allowed for the mailbox " +
                    "(SmtpClientAuthenticationDisabled) and the tenant, and the sign-in logs for Security Defaults or Conditional Access.",
                Likely("the credentials are wrong (password, or a token for another user)", "SMTP AUTH is disabled for the mailbox or " +
                    "the tenant",
                    "Security Defaults refuse password sign-ins", "a Conditional Access policy refused the sign-in"),
                commands: Cmd("Get-CASMailbox -Identity {Mailbox}", "Get-TransportConfig")),
            Row("BasicAuthRetired", "5.7.30", @"basic auth", Auth, SendersAdmin, RetryAfterFix, SmtpAuth,
                "Basic authentication is no longer supported for client submission in this tenant.",
                "",
                MoveOff, codes: new[] { 550, 535 }),
            Row("ClientNotAuthenticated", "5.7.57", @"not authenticated", Mail, SendersAdmin, RetryAfterFix, Fix5757,
                "The server expected authentication before MAIL FROM: no AUTH was done, or TLS failed first, on a " +
                    "client-submission endpoint.",
                "",
                "Authenticate (OAuth) before sending, or send unauthenticated to the tenant's MX endpoint on port 25 (relay connector or " +
                    "Direct Send)."),

            // ---- 5.7.12-136: recipients that accept only authenticated or listed senders ------------------------------
            Row("SenderNotAuthenticatedForRecipient", "5.7.12", @"not ?authenticated", Rcpt | Data, RecipientsAdmin, RetryAfterFix, Fix5712,
                "The recipient accepts only messages from inside its organization, and this one counts as coming from outside.",
                Anonymous,
                "The recipient's admin can allow external senders for this recipient; a sender in the same organization can send " +
                    "authenticated instead."),
            Row("SenderNotAuthenticatedForRecipient", "5.7.133", @"not ?authenticated",
                Rcpt | Data, RecipientsAdmin, RetryAfterFix, Fix57133,
                "The recipient is a group that accepts only messages from inside its organization (authenticated senders).",
                Anonymous,
                "Let the group accept external senders, or send authenticated (client submission) or through an OnPremises relay " +
                    "connector.",
                commands: Cmd("Set-DistributionGroup -Identity {Recipient} -RequireSenderAuthenticationEnabled $false")),
            Row("SenderNotAuthenticatedForRecipient", "5.7.134", @"not ?authenticated",
                Rcpt | Data, RecipientsAdmin, RetryAfterFix, Fix57134,
                "The recipient is a mailbox that accepts only messages from inside its organization (authenticated senders).",
                Anonymous,
                "Let the mailbox accept external senders, or send authenticated (client submission) or through an OnPremises relay " +
                    "connector.",
                commands: Cmd("Set-Mailbox -Identity {Recipient} -RequireSenderAuthenticationEnabled $false")),
            Row("SenderNotAuthenticatedForRecipient", "5.7.13,5.7.135", @"not ?authenticated",
                Rcpt | Data, RecipientsAdmin, RetryAfterFix, Fix57135,
                "The recipient is a public folder that accepts only messages from inside its organization (authenticated senders).",
                Anonymous,
                "The recipient's admin can let the public folder accept mail from all senders, or send authenticated."),
            Row("SenderNotAuthenticatedForRecipient", "5.7.136", @"not ?authenticated",
                Rcpt | Data, RecipientsAdmin, RetryAfterFix, Fix57136,
                "The recipient is a mail user that accepts only messages from inside its organization (authenticated senders).",
                Anonymous,
                "The recipient's admin can let the mail user accept external senders, or send authenticated."),
            Row("SenderNotAllowedForGroup", "5.7.124", @"allowed.senders|not in allowed",
                Rcpt | Data, RecipientsAdmin, RetryAfterFix, Fix57124,
                "The recipient is a group that accepts mail only from its list of allowed senders, and this sender isn't on it.",
                "The group's delivery restrictions (AcceptMessagesOnlyFromSendersOrMembers); even its owner may need to be listed.",
                "Ask the group's owner or admin to add the sender to the allowed senders.",
                commands: Cmd("Set-DistributionGroup -Identity {Recipient} -AcceptMessagesOnlyFromSendersOrMembers @{Add={Sender}}")),

            // ---- 5.7.2x-6x: SPF, IPv6, connectors, relay -------------------------------------------------------------
            Row("SpfFailed", "5.7.23", @"Sender Policy Framework|SPF", Data | Ndr, SendersAdmin, RetryAfterFix, Fix5723,
                "The message was refused because it failed the sending domain's SPF check.",
                "The domain's SPF record doesn't list where the message came from (an on-premises server, a device, an unprovisioned " +
                    "domain), or the message left through the high-risk delivery pool.",
                "Fix the domain's SPF record (Test-M365MailDomain shows the record and what it lacks) and provision every domain you " +
                    "send from."),
            Row("IPv6NoReverseDns", "5.7.25", @"reverse DNS", Mail | Rcpt, SendersAdmin, RetryAfterFix, Overview,
                "The sending IPv6 address has no reverse DNS (PTR) record, which Exchange Online requires for mail over IPv6.",
                "The network's IPv6 range has no PTR records.",
                "Publish a PTR record for the sending IPv6 address, or send over IPv4."),
            Row("PartnerConnectorRestriction", "5.7.50,5.7.51", @"partner connector",
                Rcpt, SendersAdmin, RetryAfterFix, NewInboundConnector,
                "A Partner inbound connector for the recipient's domain restricts which IP addresses or certificates may send for it, " +
                    "and this connection matches neither.",
                "The organization routes its inbound mail through a gateway and locked the tenant to it (RestrictDomainsToIPAddresses or " +
                    "RestrictDomainsToCertificate); Direct Send and devices that bypass the gateway are refused, as intended.",
                "Send through the gateway (or the path the connector names), or add this device's address or certificate to the connector.",
                commands: Cmd("Get-InboundConnector")),
            Row("RelayNotPermitted", "5.7.54", @"relay", Rcpt, SendersAdmin, RetryAfterFix, Devices,
                "The server refused to relay to a domain it doesn't accept mail for (often on-premises Exchange without a relay " +
                    "connector).",
                "",
                "Send to recipients in the server's own domains, or fix the relay connector so this client may relay."),
            Row("SendAsDenied", "5.7.60", @"send as|SendAs", Mail | Data, SendersAdmin, RetryAfterFix, AddRecipientPermission,
                "The authenticated mailbox may not send as the MAIL FROM address.",
                "",
                "Send from the authenticated mailbox itself, or give it Send As on the sender address (can take an hour), or use a relay " +
                    "connector where any address in an accepted domain may send.",
                commands: Cmd("Add-RecipientPermission -Identity {Sender} -Trustee {Mailbox} -AccessRights SendAs -Confirm:$false")),
            Row("RelayAccessDenied", "5.7.64", @"TenantAttribution|relay access denied", Rcpt, SendersAdmin, RetryAfterFix, Fix5764,
                "No inbound connector matched this connection: the sending IP or TLS certificate doesn't match the relay connector " +
                    "(any more).",
                "",
                "Compare the device's public IP or certificate with the connector's SenderIPAddresses / TlsSenderCertificateName " +
                    "(New-M365RelayConnectorPlan writes a correct one).",
                commands: Cmd("Get-InboundConnector")),
            Row("DirectSendRejected", "5.7.68", @"Direct Send|TenantInboundAttribution",
                Rcpt, SendersAdmin, RetryAfterFix, SetOrganizationConfig,
                "The tenant rejects Direct Send from unauthorized sources (RejectDirectSend is on).",
                "",
                "Use a relay connector (New-M365RelayConnectorPlan) or authenticated client submission; only if the organization accepts " +
                    "the risk, allow Direct Send again.",
                commands: Cmd("Set-OrganizationConfig -RejectDirectSend $false")),

            // ---- 5.7.5xx / 5.7.6xx: Exchange Online Protection ------------------------------------------------------
            Row("AccountBannedForSpam", "5.7.501-503", @"spam abuse|banned sender",
                Mail | Rcpt | Data, SendersAdmin | Ms, RetryAfterFix, Overview,
                "The sending account is banned because it sent spam.",
                "The account is most likely compromised.",
                "Secure the account (reset its credentials, remove what an attacker added), then ask Microsoft support to restore " +
                    "its sending."),
            Row("RecipientNotFound", "5.7.504", @"recipient address rejected", Rcpt, SendersAdmin | RecipientsAdmin, DoNotRetry, Overview,
                "The recipient's address isn't valid at the receiving organization.",
                "A mistyped or outdated address.",
                "Correct the recipient's address."),
            Row("RecipientBanned", "5.7.505", @"banned recipient", Rcpt, RecipientsAdmin | Ms, DoNotRetry, Overview,
                "Exchange Online refuses mail for this recipient.",
                "The recipient address is banned (not a valid destination).",
                "Don't send to this address; if you think it is a mistake, the recipient's admin can contact Microsoft support."),
            Row("BadHelo", "5.7.506", @"bad HELO", Ehlo, SendersAdmin, RetryAfterFix, Overview,
                "The client introduced itself (EHLO/HELO) with the name of the server it connects to instead of its own name, which spam " +
                    "software does.",
                "The device or app is configured with the server's name as its own host name.",
                "Set the device's or app's host name (EHLO name) to its own fully qualified domain name."),
            Row("BlockedByRecipientOrganization", "5.7.507,5.7.513", @"rejected by recipient|block list|blocked by",
                Greeting | Mail | Rcpt, RecipientsAdmin, RetryAfterFix, Overview,
                "The recipient's organization blocks mail from this IP address (its own block list).",
                "The receiving organization added the address to its connection filter or custom block list.",
                "Ask the recipient's organization to remove the address from its block list."),
            Row("IPv6RateLimited", "5.7.508", @"exceeded permitted limits", Mail | Rcpt, SendersAdmin, RetryLater, Overview,
                "The sending IPv6 range sent too many messages in too short a time.",
                "A burst of mail from the range.",
                "Send more slowly, or over IPv4."),
            Row("DmarcRejected", "5.7.509", @"DMARC", Data, SendersAdmin, RetryAfterFix, Overview,
                "The From domain fails DMARC and its DMARC policy says to reject such mail.",
                "Neither SPF nor DKIM passes aligned with the From domain: an SPF record without this source, no DKIM signature, or a " +
                    "From domain other than the envelope's.",
                "Fix SPF and DKIM for the From domain so one of them passes aligned (Test-M365MailDomain checks SPF, DKIM and DMARC)."),
            Row("RecipientRefusesIPv6", "5.7.510", @"IPv6", Mail | Rcpt, SendersAdmin, RetryAfterFix, Overview,
                "The recipient's domain doesn't accept mail over IPv6.",
                "The sending host connected over IPv6.",
                "Send over IPv4."),
            Row("SendingIpBanned", "5.7.511,5.7.606-649", @"banned", Greeting | Mail | Rcpt, SendersAdmin | Ms, RetryAfterFix, Overview,
                "The sending IP address is banned by Exchange Online.",
                "The address sent spam or malicious mail, or its reputation was ruined by a compromised device or by others sharing it.",
                "After fixing the cause, request removal of the address from Microsoft's blocked senders list: the delist portal " +
                    "(https://sender.office.com), or for 5.7.511 a mail to delist@microsoft.com with the reply and the " +
                    "IP address. " + OtherPath),
            Row("FromHeaderInvalid", "5.7.512", @"5322|From", Data, SendersAdmin, DoNotRetry, Overview,
                "The message has no valid From header address.",
                "The app wrote a From header without a proper address (for example a bare name, or an address without angle brackets " +
                    "after a display name).",
                "Give the message a From header with a valid address, e.g. Name <user@contoso.com> (Send-M365Mail always writes one)."),
            Row("ExternalForwardingBlocked", "5.7.520", @"forwarding", Ndr, SendersAdmin, RetryAfterFix, ExternalForwarding,
                "An automatic forward to an outside address was blocked by the outbound spam policy.",
                "Automatic external forwarding is off by default in Microsoft 365.",
                "Turn on external forwarding only for the mailboxes that need it, with a dedicated outbound spam policy, or stop " +
                    "forwarding outside.",
                commands: Cmd("Get-HostedOutboundSpamFilterPolicy")),

            // ---- 5.7.7xx / 5.7.800: the tenant -------------------------------------------------------------------------
            Row("RecipientBlockedByTenantList", "5.7.703", @"Tenant Allow Block List", Ndr, SendersAdmin, RetryAfterFix, Overview,
                "Your own organization blocks one of the recipients in its Tenant Allow/Block List, so the whole message was blocked.",
                "A block entry for the recipient's address or domain.",
                "Remove the recipient from the message, or the block entry from the Tenant Allow/Block List."),
            Row("TenantSendingBlocked", "5.7.705", @"exceeded threshold",
                Greeting | Mail | Rcpt | Data, SendersAdmin | Ms, RetryAfterFix, Fix57700,
                "The whole tenant is blocked from sending because too much of its mail was spam or bulk.",
                "A compromised on-premises server or admin account (often with a connector an attacker created); rarely, a subscription " +
                    "renewed after it expired.",
                "Find and fix the cause (compromised accounts, unknown connectors), then explain it to Microsoft support to lift " +
                    "the block."),
            Row("IpReputationBlocked", "5.7.708", @"traffic not accepted|this IP",
                Greeting | Mail | Rcpt, SendersAdmin | Ms, RetryAfterFix, Fix57700,
                "The sending IP address has a low reputation (common with new or trial tenants).",
                "",
                "Send through client submission instead, or open a Microsoft support request to have the IP reviewed.",
                codes: new[] { 550 }),
            Row("UnregisteredDomainBlocked", "5.7.750", @"unregistered domain", Mail | Rcpt | Data, SendersAdmin, RetryAfterFix, Fix57700,
                "The tenant is blocked from sending from domains it hasn't added and verified.",
                "Much of its mail uses From domains that aren't accepted domains of the tenant (or an attacker's connector sends spam).",
                "Add and verify every domain you send from as an accepted domain; look for unknown inbound connectors.",
                commands: Cmd("Get-AcceptedDomain", "Get-InboundConnector")),
            Row("TenantSendingRestricted", "5.7.700-749", null, Greeting | Mail | Rcpt | Data, SendersAdmin | Ms, RetryAfterFix, Fix57700,
                "Exchange Online restricts sending from this tenant or address.",
                "",
                "Read the rest of the reply; fix the cause, then contact Microsoft support.",
                Likely("the tenant sent too much spam or bulk mail and is blocked", "the sending IP address has a low reputation (new or " +
                    "trial tenants)",
                    "the tenant sends a lot from domains it hasn't verified")),
            Row("SenderDomainBanned", "5.7.800", @"banned sender", Greeting | Mail | Rcpt, SendersAdmin | Ms, RetryAfterFix, Overview,
                "The sender's domain (in EHLO, MAIL FROM or From) is banned because of spam from it.",
                "Spam was sent with the domain.",
                "Fix the cause and contact Microsoft support to restore the domain's sending."),

            // ---- no enhanced code ------------------------------------------------------------------------------------
            Row("SubmissionQuotaExceeded", "", @"submission quota was exceeded", Ndr, SendersAdmin, RetryLater, SubmissionQuota,
                "The mailbox went over its daily recipient limit (10,000 recipients a day).",
                "A large send, or a compromised account sending spam.",
                "Wait a day before sending from the mailbox again, and check the account hasn't been compromised."),
        };
    }
}
