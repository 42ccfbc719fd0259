using System;
using System.Collections.Generic;
using System.Linq;

namespace M365SmtpTools.Engine.Smtp
{
    /// <summary>When the server should send delivery status notifications (RFC 3461 NOTIFY).</summary>
    [Flags]
    public enum SmtpDsnNotify
    {
        /// <summary>No NOTIFY parameter (the server decides).</summary>
        Default = 0,
        /// <summary>NOTIFY=NEVER.</summary>
        Never = 1,
        /// <summary>On success.</summary>
        Success = 2,
        /// <summary>On failure.</summary>
        Failure = 4,
        /// <summary>On delay.</summary>
        Delay = 8,
    }

    /// <summary>What a DSN returns of the message (RFC 3461 RET).</summary>
    public enum SmtpDsnReturn
    {
        /// <summary>No RET parameter.</summary>
        Default,
        /// <summary>RET=FULL: the whole message.</summary>
        Full,
        /// <summary>RET=HDRS: headers only.</summary>
        Headers,
    }

    /// <summary>The SMTP envelope of one message: the reverse path and the recipients (To, Cc and Bcc together).</summary>
    public sealed class SmtpEnvelope
    {
        /// <summary>Creates an envelope.</summary>
        public SmtpEnvelope(string from, IEnumerable<string> recipients)
        {
            From = from ?? throw new ArgumentNullException(nameof(from));
            Recipients = (recipients ?? throw new ArgumentNullException(nameof(recipients))).ToList();
        }

        /// <summary>MAIL FROM (the empty string is the null reverse path &lt;&gt;).</summary>
        public string From { get; }

        /// <summary>RCPT TO, one per address, in order.</summary>
        public IReadOnlyList<string> Recipients { get; }

        /// <summary>DSN NOTIFY for every recipient (sent only when the server offers DSN).</summary>
        public SmtpDsnNotify Notify { get; set; }

        /// <summary>DSN RET (sent only when the server offers DSN).</summary>
        public SmtpDsnReturn Return { get; set; }

        /// <summary>DSN ENVID (sent only when the server offers DSN).</summary>
        public string? EnvelopeId { get; set; }

        internal bool WantsDsn => Notify != SmtpDsnNotify.Default || Return != SmtpDsnReturn.Default || !string.IsNullOrEmpty(EnvelopeId);
    }

    /// <summary>What the server said to one RCPT TO.</summary>
    public sealed class SmtpRecipientResult
    {
        internal SmtpRecipientResult(string address, SmtpReply reply)
        {
            Address = address;
            Reply = reply;
        }

        /// <summary>The recipient's address.</summary>
        public string Address { get; }

        /// <summary>True when the server accepted the recipient (2xx).</summary>
        public bool Accepted => Reply.IsPositiveCompletion;

        /// <summary>The reply to RCPT TO.</summary>
        public SmtpReply Reply { get; }

        /// <summary>Address and reply.</summary>
        public override string ToString() => $"{Address}: {Reply.Code} {Reply.Text}";
    }

    /// <summary>The outcome of a message the server accepted.</summary>
    public sealed class SmtpSendResult
    {
        internal SmtpSendResult(IReadOnlyList<SmtpRecipientResult> recipients, SmtpReply finalReply, long bytesSent, bool usedChunking)
        {
            Recipients = recipients;
            FinalReply = finalReply;
            BytesSent = bytesSent;
            UsedChunking = usedChunking;
        }

        /// <summary>Each recipient's result; some may have been rejected while the others were accepted.</summary>
        public IReadOnlyList<SmtpRecipientResult> Recipients { get; }

        /// <summary>The recipients that were refused.</summary>
        public IEnumerable<SmtpRecipientResult> RejectedRecipients => Recipients.Where(r => !r.Accepted);

        /// <summary>The reply to the final dot or the BDAT LAST chunk (often holds the server's queue id).</summary>
        public SmtpReply FinalReply { get; }

        /// <summary>The message bytes put on the wire (after dot-stuffing and line-end normalization).</summary>
        public long BytesSent { get; }

        /// <summary>True when the message went with BDAT (CHUNKING) rather than DATA.</summary>
        public bool UsedChunking { get; }
    }
}
