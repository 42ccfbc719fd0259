using System;
using M365SmtpTools.Engine.Operations;

namespace M365SmtpTools.Engine.Smtp
{
    /// <summary>How <see cref="SmtpClient.ConnectAsync(string, int, SmtpConnectOptions, System.Threading.CancellationToken)"/> connects:
    /// security, timeouts, names, logging.</summary>
    public sealed class SmtpConnectOptions
    {
        /// <summary>
        /// What is known about particular services (for Exchange Online: no port 465, its replies' advice); null (the
        /// default) is plain SMTP with no service-specific rules.
        /// </summary>
        public ISmtpServerRules? ServerRules { get; set; }

        /// <summary>STARTTLS required (default), when available, implicit TLS, or none.</summary>
        public SmtpTlsMode TlsMode { get; set; } = SmtpTlsMode.StartTlsRequired;

        /// <summary>The TLS rules (protocol versions, certificate validation, client certificate).</summary>
        public TlsPolicy TlsPolicy { get; set; } = new TlsPolicy();

        /// <summary>How long resolving and opening the TCP connection may take (default 30 s).</summary>
        public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);

        /// <summary>How long any one reply (or one write) may take (default 2 minutes; RFC 5321 suggests up to 10 minutes after the final
        /// dot).</summary>
        public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromMinutes(2);

        /// <summary>The name sent in EHLO; defaults to the machine's name (a literal [127.0.0.1] when it isn't a usable domain).</summary>
        public string? LocalDomain { get; set; }

        /// <summary>Where warnings and verbose lines go.</summary>
        public IOperationHost Host { get; set; } = NullOperationHost.Instance;

        /// <summary>Receives the protocol transcript; none by default.</summary>
        public ISmtpTranscriptLogger? TranscriptLogger { get; set; }

        /// <summary>
        /// Writes AUTH payloads, passwords and tokens into the transcript in clear text. Off by default; switch it on
        /// only to debug an authentication exchange, and delete the transcript afterwards.
        /// </summary>
        public bool IncludeSecretsInTranscript { get; set; }

        /// <summary>Lets the client send BDAT when the server offers CHUNKING (default true).</summary>
        public bool UseChunking { get; set; } = true;

        /// <summary>Lets the client pipeline MAIL/RCPT/DATA when the server offers PIPELINING (default true).</summary>
        public bool UsePipelining { get; set; } = true;

        /// <summary>Sends the SASL initial response with AUTH when the mechanism has one (default true); false waits for an empty 334
        /// first.</summary>
        public bool UseSaslInitialResponse { get; set; } = true;

        /// <summary>
        /// The largest BDAT chunk (default 1 MB; a smaller message goes in one chunk). Each chunk waits for the server's
        /// reply, so larger chunks mean fewer round trips; the client holds one chunk in memory.
        /// </summary>
        public int ChunkSize { get; set; } = 1024 * 1024;

        /// <summary>The longest reply line accepted before the reply is treated as a protocol error (default 64 KB).</summary>
        public int MaxReplyLineLength { get; set; } = SmtpReplyReader.DefaultMaxLineLength;

        /// <summary>The longest multi-line reply accepted (default 1 MB).</summary>
        public int MaxReplyLength { get; set; } = SmtpReplyReader.DefaultMaxReplyLength;
    }
}
