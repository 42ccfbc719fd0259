using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security;
using System.Security.Cryptography.X509Certificates;
using M365SmtpTools.Engine.Auth;
using M365SmtpTools.Engine.Exchange;
using M365SmtpTools.Engine.Mime;
using M365SmtpTools.Engine.Smtp;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>How message text is encoded on the wire. Text is always UTF-8.</summary>
    public enum SendMailEncoding
    {
        /// <summary>
        /// 8bit text parts when the server offers 8BITMIME and raw UTF-8 headers when it offers SMTPUTF8; otherwise
        /// quoted-printable and RFC 2047 encoded words (the default).
        /// </summary>
        Auto,
        /// <summary>
        /// Always 7-bit: quoted-printable or base64 bodies and RFC 2047 encoded-word headers, whatever the server offers
        /// (for gateways and archivers that mishandle 8-bit mail). Addresses with non-ASCII local parts can't be sent.
        /// </summary>
        SevenBit,
    }

    /// <summary>
    /// The parameters of Send-M365Mail: the auth options (the same as Connect-M365Smtp), where and how to send, the
    /// message, and the batch controls. Used alone its <see cref="Message"/> is the one message sent; with a list of
    /// <see cref="MailMessageSpec"/> (one per pipeline object) it holds the defaults each of them falls back to.
    /// </summary>
    public sealed class SendMailRequest : SmtpAuthOptions
    {
        /// <summary>ClientSubmission (default), Relay, DirectSend or Graph.</summary>
        public SendMethod Method { get; set; } = SendMethod.ClientSubmission;

        /// <summary>For ClientSubmission: which named endpoint (ClientSubmission, HighVolumeEmail, AzureCommunicationServices,
        /// LegacyTls).</summary>
        public SubmissionEndpointKind Endpoint { get; set; } = SubmissionEndpointKind.ClientSubmission;

        /// <summary>The SMTP server, overriding the endpoint's host (ClientSubmission) or the MX endpoint from DNS (Relay,
        /// DirectSend).</summary>
        public string? SmtpServer { get; set; }

        /// <summary>The port; default 587 for client submission, 25 for relay and Direct Send.</summary>
        public int? Port { get; set; }

        /// <summary>The session connection (Connect-M365Smtp -Name) to use when no auth parameters are given; default
        /// <c>Default</c>.</summary>
        public string? ConnectionName { get; set; }

        /// <summary>Relay and Direct Send: refuse to send unless STARTTLS succeeds (always required for client submission).</summary>
        public bool RequireTls { get; set; }

        /// <summary>A TLS client certificate (with private key) to present, for a certificate-based relay connector.</summary>
        public X509Certificate2? ClientCertificate { get; set; }

        /// <summary>The TLS client certificate from a PFX file.</summary>
        public string? ClientCertificatePath { get; set; }

        /// <summary>The password of <see cref="ClientCertificatePath"/>.</summary>
        public SecureString? ClientCertificatePassword { get; set; }

        /// <summary>The TLS client certificate from the Windows certificate store (CurrentUser\My, then LocalMachine\My).</summary>
        public string? ClientCertificateThumbprint { get; set; }

        /// <summary>Don't validate the server's certificate (test servers only; warns on every connection).</summary>
        public bool SkipCertificateValidation { get; set; }

        /// <summary>The DNS server for MX lookups (Relay, DirectSend) as host[:port]; default the system's resolvers.</summary>
        public string? DnsServer { get; set; }

        /// <summary>Use Basic authentication against Microsoft 365 even after its final removal date.</summary>
        public bool AllowRetiredBasicAuth { get; set; }

        /// <summary>
        /// The message: its author (From; default the authenticating mailbox for client submission), recipients, subject,
        /// bodies, files, headers, priority and DSN request. With <see cref="Messages"/> its values are each message's defaults.
        /// </summary>
        public MailMessageSpec Message { get; set; } = new MailMessageSpec();

        /// <summary>Auto (8-bit and UTF-8 headers when offered) or SevenBit.</summary>
        public SendMailEncoding Encoding { get; set; } = SendMailEncoding.Auto;

        /// <summary>
        /// The messages of a batch, one result each (<see cref="Message"/> holds their defaults); null sends
        /// <see cref="Message"/> alone.
        /// </summary>
        public IReadOnlyList<MailMessageSpec>? Messages { get; set; }

        /// <summary>Overrides the endpoint's messages-per-minute limit the batch is paced to.</summary>
        public int? MaxMessagesPerMinute { get; set; }

        /// <summary>Overrides the endpoint's recipients-per-day limit.</summary>
        public int? MaxRecipientsPerDay { get; set; }

        /// <summary>How many connections a batch may use at once (default 1; at most the endpoint's limit, 3 for Microsoft 365 client
        /// submission).</summary>
        public int? MaxConnections { get; set; }

        /// <summary>How many times a message is retried after a temporary failure (default 3).</summary>
        public int MaxRetry { get; set; } = 3;

        /// <summary>The messages' Body is HTML (Send-MailMessage's -BodyAsHtml): sent as the HTML body when no HtmlBody is given.</summary>
        public bool BodyAsHtml { get; set; }

        /// <summary>How long connecting and each server reply may take, in seconds (1-3600); null keeps 30 s to connect and 120 s per
        /// reply.</summary>
        public int? TimeoutSeconds { get; set; }

        /// <summary>Also resend a message whose delivery is unknown (the connection died after its end was sent): risks a
        /// duplicate.</summary>
        public bool RetryUnknown { get; set; }

        /// <summary>Write the redacted SMTP transcript to this new file (created owner-only; never through a symbolic link).</summary>
        public string? TranscriptPath { get; set; }

        /// <summary>Replace an existing TranscriptPath file (without it, an existing file is an error and nothing is sent).</summary>
        public bool Force { get; set; }

        /// <summary>Graph: keep a copy of each message in the mailbox's Sent Items (Graph's saveToSentItems); not kept by
        /// default.</summary>
        public bool SaveToSentItems { get; set; }

        /// <summary>Graph: the base address to send to instead of the cloud's Graph host (https://host[:port]), e.g. a private endpoint or
        /// a test double.</summary>
        public string? GraphEndpoint { get; set; }
    }
}
