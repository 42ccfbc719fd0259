using System.Security.Cryptography.X509Certificates;

namespace M365SmtpTools.Engine.Tests.Infrastructure;

/// <summary>Which Exchange Online endpoint the double plays.</summary>
public enum DoubleRole
{
    /// <summary>smtp.office365.com:587 — STARTTLS, then AUTH (LOGIN/XOAUTH2) required before MAIL FROM (530 5.7.57 otherwise).</summary>
    ClientSubmission,
    /// <summary>The tenant MX endpoint (relay connectors, Direct Send) — no AUTH;
    /// recipients judged by <see cref="ExchangeOnlineDoubleOptions.MxBehavior"/>.</summary>
    Mx,
}

/// <summary>How AUTH ends when the credentials themselves are right (the tenant/mailbox policy answers).</summary>
public enum DoubleAuthPolicy
{
    /// <summary>Good credentials succeed (235 2.7.0).</summary>
    Allow,
    /// <summary>535 5.7.139 … SmtpClientAuthentication is disabled for the Tenant.</summary>
    SmtpAuthDisabledForTenant,
    /// <summary>535 5.7.139 … user is locked by your organization's security defaults policy.</summary>
    SecurityDefaults,
    /// <summary>PLAIN/LOGIN get 550 5.7.30 Basic authentication is not supported for Client Submission (XOAUTH2 still works).</summary>
    BasicAuthRetired,
}

/// <summary>How the MX role treats recipients.</summary>
public enum DoubleMxBehavior
{
    /// <summary>Recipients in accepted domains are accepted; others get 550 5.7.64 (no connector matched).</summary>
    DirectSendAllowed,
    /// <summary>A connector matched (IP or client certificate): any recipient is accepted.</summary>
    RelayConnectorMatched,
    /// <summary>Every recipient gets 550 5.7.64 TenantAttribution; Relay Access Denied.</summary>
    RelayDenied,
    /// <summary>Every recipient gets 550 5.7.68 TenantInboundAttribution; Direct Send not allowed … (RejectDirectSend).</summary>
    DirectSendRejected,
    /// <summary>Recipients outside accepted domains get 550 5.7.54 SMTP; Unable to relay recipient in non-accepted domain.</summary>
    UnableToRelayNonAccepted,
}

/// <summary>Where a refused Send As shows up.</summary>
public enum DoubleSendAsCheck
{
    /// <summary>At MAIL FROM: 550 5.7.60.</summary>
    MailFrom,
    /// <summary>After the end of data (where Exchange's submission happens).</summary>
    EndOfData,
}

/// <summary>
/// Settings of <see cref="ExchangeOnlineDouble"/>. Every property may be changed while the double runs; a new value
/// applies to the next command. Defaults give a healthy client-submission endpoint with STARTTLS, AUTH LOGIN XOAUTH2,
/// one mailbox alice@contoso.com (password "app-password", token "good-token").
/// </summary>
public sealed class ExchangeOnlineDoubleOptions
{
    /// <summary>The name in the greeting, EHLO reply and [Hostname=…] of replies.</summary>
    public string ServerName { get; set; } = "BN8PR01CA0001.outlook.office365.com";

    public DoubleRole Role { get; set; } = DoubleRole.ClientSubmission;

    /// <summary>The server certificate; null = one made for localhost/127.0.0.1 signed by <see cref="TestCertificates.Ca"/>.</summary>
    public X509Certificate2? ServerCertificate { get; set; }

    /// <summary>Announce and accept STARTTLS (false = the "no STARTTLS" fault).</summary>
    public bool OfferStartTls { get; set; } = true;

    /// <summary>Ask the client for a certificate during the TLS handshake (relay connectors).</summary>
    public bool RequestClientCertificate { get; set; }

    /// <summary>Mechanisms announced after TLS (Exchange Online: LOGIN XOAUTH2).</summary>
    public string[] AuthMechanisms { get; set; } = { "LOGIN", "XOAUTH2" };

    /// <summary>Announce AUTH before TLS too (Exchange Online doesn't).</summary>
    public bool OfferAuthWithoutTls { get; set; }

    /// <summary>Mailbox → password (PLAIN, LOGIN).</summary>
    public Dictionary<string, string> Passwords { get; } = new(StringComparer.OrdinalIgnoreCase) { ["alice@contoso.com"] = "app-password" };

    /// <summary>Access token → the mailbox it is valid for (XOAUTH2 user= must match, else 535 5.7.3).</summary>
    public Dictionary<string, string> AccessTokens { get; } = new() { ["good-token"] = "alice@contoso.com" };

    /// <summary>Mailbox → other addresses it may send as (its own address is always allowed).</summary>
    public Dictionary<string, HashSet<string>> SendAs { get; } = new(StringComparer.OrdinalIgnoreCase);

    public DoubleAuthPolicy AuthPolicy { get; set; } = DoubleAuthPolicy.Allow;

    /// <summary>Answer a bad XOAUTH2 token with 334 base64-JSON first
    /// (Dovecot/Google style) instead of 535 at once (Exchange style).</summary>
    public bool XOAuth2ErrorChallenge { get; set; }

    public DoubleSendAsCheck SendAsCheck { get; set; } = DoubleSendAsCheck.MailFrom;

    /// <summary>Accepted domains of the tenant (MX role and recipients' domains).</summary>
    public string[] AcceptedDomains { get; set; } = { "contoso.com" };

    public DoubleMxBehavior MxBehavior { get; set; } = DoubleMxBehavior.DirectSendAllowed;

    /// <summary>Concurrent authenticated sessions per mailbox; sessions beyond it (in
    /// order of AUTH) get 432 4.3.2 at MAIL FROM until earlier ones end.</summary>
    public int MaxConnectionsPerMailbox { get; set; } = 3;

    /// <summary>Messages per mailbox per rolling minute; one more gets 554
    /// 5.2.0 SubmissionQuotaExceeded after DATA. Null = no limit.</summary>
    public int? MessagesPerMinute { get; set; } = 30;

    /// <summary>The clock the rate limit uses (inject a fake one to test the window).</summary>
    public Func<DateTimeOffset> Clock { get; set; } = () => DateTimeOffset.UtcNow;

    /// <summary>The sender's mailbox is full: 554 5.2.2 after DATA.</summary>
    public bool MailboxFull { get; set; }

    /// <summary>SIZE limit announced and enforced (552 5.3.4); Exchange Online's default is 35 MB.</summary>
    public long MaxMessageSize { get; set; } = 35L * 1024 * 1024;

    public bool OfferPipelining { get; set; } = true;
    public bool OfferChunking { get; set; } = true;
    public bool Offer8BitMime { get; set; } = true;
    public bool OfferSmtpUtf8 { get; set; } = true;
    public bool OfferDsn { get; set; } = true;

    /// <summary>Fault: close the connection after receiving the end of data (final dot or BDAT LAST), without replying.</summary>
    public bool DropAfterEndOfData { get; set; }

    /// <summary>
    /// Replies to play instead of the normal ones, by step: "GREETING" (the banner), "EHLO" (EHLO and HELO), "AUTH", "MAIL", "RCPT" (each
    /// command gets the scripted line at once) and "ENDOFDATA" (the reply to the final dot or BDAT LAST). For catalogue
    /// replies the settings above don't produce, e.g. ["AUTH"] = "535 5.7.139 Authentication unsuccessful, the request
    /// did not meet the criteria to be authenticated successfully."
    /// </summary>
    public Dictionary<string, string> ScriptedReplies { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Fault: wait this long before every reply.</summary>
    public TimeSpan ReplyDelay { get; set; } = TimeSpan.Zero;
}
