using System;
using System.Collections.Generic;
using System.Linq;
using M365SmtpTools.Engine.Exchange;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>How one message ended.</summary>
    public enum SendMailStatus
    {
        /// <summary>The server accepted the message (some recipients may have been refused: see RejectedRecipients).</summary>
        Sent,
        /// <summary>The message was not accepted: refused, invalid, or every retry failed. Nothing was delivered.</summary>
        Failed,
        /// <summary>The connection was lost after the end of the message was sent and before the reply: it may or may not have been
        /// delivered, and it was not resent.</summary>
        Unknown,
        /// <summary>The message was never sent: cancelled (Ctrl+C), declined (-WhatIf, -Confirm), or the batch stopped earlier.</summary>
        NotAttempted,
    }

    /// <summary>What the server said to one recipient.</summary>
    public sealed class SendMailRecipientResult
    {
        internal SendMailRecipientResult(string address, bool accepted, int? replyCode, string? enhancedStatusCode, string? reply)
        {
            Address = address;
            Accepted = accepted;
            ReplyCode = replyCode;
            EnhancedStatusCode = enhancedStatusCode;
            Reply = reply;
        }

        /// <summary>The recipient's address.</summary>
        public string Address { get; }

        /// <summary>True when the server accepted the recipient.</summary>
        public bool Accepted { get; }

        /// <summary>The reply code to RCPT TO, when it was sent.</summary>
        public int? ReplyCode { get; }

        /// <summary>The enhanced status code (e.g. 5.1.1), when the reply had one.</summary>
        public string? EnhancedStatusCode { get; }

        /// <summary>The reply to RCPT TO (code and text), when it was sent.</summary>
        public string? Reply { get; }

        /// <inheritdoc />
        public override string ToString() => $"{Address}: {Reply ?? (Accepted ? "accepted" : "not sent")}";
    }

    /// <summary>The outcome of one message of Send-M365Mail: exactly one per input.</summary>
    public sealed class SendMailResult
    {
        /// <summary>The input's position in the batch (0 = first).</summary>
        public int Index { get; internal set; }

        /// <summary>Sent, Failed, Unknown or NotAttempted.</summary>
        public SendMailStatus Status { get; internal set; }

        /// <summary>The Message-ID header (with angle brackets), once the message was built.</summary>
        public string? MessageId { get; internal set; }

        /// <summary>The sender (MAIL FROM).</summary>
        public string? From { get; internal set; }

        /// <summary>The subject.</summary>
        public string? Subject { get; internal set; }

        /// <summary>Every envelope recipient (To, Cc and Bcc).</summary>
        public DisplayList<string> Recipients { get; internal set; } = DisplayList<string>.Empty;

        /// <summary>The recipients the server accepted.</summary>
        public DisplayList<string> AcceptedRecipients => RecipientResults.Where(r => r.Accepted).Select(r => r.Address).ToArray();

        /// <summary>The recipients the server refused (each reply in <see cref="RecipientResults"/>).</summary>
        public DisplayList<string> RejectedRecipients =>
            RecipientResults.Where(r => !r.Accepted && r.ReplyCode != null).Select(r => r.Address).ToArray();

        /// <summary>What the server said to each recipient (empty when the transaction never reached RCPT TO).</summary>
        public DisplayList<SendMailRecipientResult> RecipientResults { get; internal set; } = DisplayList<SendMailRecipientResult>.Empty;

        /// <summary>How many times sending was attempted (0 when it never was).</summary>
        public int Attempts { get; internal set; }

        /// <summary>From the first attempt to the outcome (pacing and back-off included).</summary>
        public TimeSpan Elapsed { get; internal set; }

        /// <summary>The sending method.</summary>
        public SendMethod Method { get; internal set; }

        /// <summary>The server, as <c>host:port</c> (null when it was never resolved).</summary>
        public string? Server { get; internal set; }

        /// <summary>The server's last reply for this message (for a sent message, the reply to its end, often with a queue id).</summary>
        public string? Reply { get; internal set; }

        /// <summary>The code of <see cref="Reply"/>.</summary>
        public int? ReplyCode { get; internal set; }

        /// <summary>The enhanced status code of <see cref="Reply"/> (e.g. 5.7.60).</summary>
        public string? EnhancedStatusCode { get; internal set; }

        /// <summary>When the server accepted it.</summary>
        public DateTimeOffset? SentAt { get; internal set; }

        /// <summary>For a failure: the stable error id (e.g. SmtpSenderRejected, DirectSendExternalRecipient).</summary>
        public string? ErrorId { get; internal set; }

        /// <summary>For a failure: what happened.</summary>
        public string? ErrorMessage { get; internal set; }

        /// <summary>For a failure: what the server's reply means (the Exchange Online reply catalogue, or RFC 3463).</summary>
        public string? Meaning { get; internal set; }

        /// <summary>For a failure: what to do.</summary>
        public string? Remediation { get; internal set; }

        /// <summary>For a failure: Exchange Online commands that fix it, values filled in.</summary>
        public DisplayList<string> RemediationCommands { get; internal set; } = DisplayList<string>.Empty;

        /// <summary>
        /// The failure itself. Not a public property: the cmdlet writes it as an ErrorRecord (with <see cref="Input"/> as
        /// target) and the CLI prints its id and message; on the result, ErrorId, ErrorMessage, Meaning and Remediation say it
        /// in text that exports to CSV or JSON, where an exception object would print a stack trace.
        /// </summary>
        internal M365SmtpException? Error { get; set; }

        /// <summary>The code of <see cref="Error"/>: what failed and at which step (the CLI's exit code comes from it).</summary>
        internal ErrorCode? ErrorCode => Error?.Code;

        /// <summary>The input the message came from.</summary>
        public object? Input { get; internal set; }

        /// <inheritdoc />
        public override string ToString() =>
            $"{Status} {MessageId} {From} -> {string.Join(", ", Recipients)}" + (ErrorId != null ? $" ({ErrorId})" : "");
    }
}
