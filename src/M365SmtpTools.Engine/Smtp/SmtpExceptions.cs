using System;
using System.Collections.Generic;

namespace M365SmtpTools.Engine.Smtp
{
    /// <summary>
    /// The base of every SMTP failure: what phase it happened in, the server, and the server's reply when there was
    /// one. Catch <see cref="SmtpProtocolException"/> (the connection is dead: reconnect) or
    /// <see cref="SmtpCommandException"/> (the server refused a command: the connection is still usable).
    /// </summary>
    public abstract class SmtpException : M365SmtpException
    {
        /// <summary>Creates the exception.</summary>
        protected SmtpException(ErrorCode code, ErrorKind kind, string message, SmtpPhase phase, string? serverHost, SmtpReply? reply,
            Exception? innerException)
            : base(code, kind, message, innerException)
        {
            Phase = phase;
            ServerHost = serverHost;
            Reply = reply;
            TargetObject = serverHost;
        }

        /// <summary>The step of the session that failed.</summary>
        public SmtpPhase Phase { get; }

        /// <summary>The server's host name as the caller gave it.</summary>
        public string? ServerHost { get; }

        /// <summary>The server's reply, when the failure is a reply.</summary>
        public SmtpReply? Reply { get; }

        /// <summary>The reply code, when there was a reply.</summary>
        public int? ReplyCode => Reply?.Code;

        /// <summary>The enhanced status code (e.g. 5.7.139), when the reply had one.</summary>
        public EnhancedStatusCode? EnhancedStatusCode => Reply?.EnhancedStatusCode;

        /// <summary>The reply's text, when there was a reply.</summary>
        public string? ReplyText => Reply?.Text;

        /// <summary>
        /// True when the message's end (final dot or BDAT LAST) reached the server but its reply didn't come back:
        /// the message may or may not have been accepted. Never report it as sent, and don't resend automatically.
        /// </summary>
        public virtual bool DeliveryUnknown => false;
    }

    /// <summary>The connection is dead or unusable (closed, timed out, garbage reply, TLS failure): reconnect to go on.</summary>
    public class SmtpProtocolException : SmtpException
    {
        /// <summary>Creates the exception; its kind is the code's.</summary>
        public SmtpProtocolException(ErrorCode code, string message, SmtpPhase phase, string? serverHost, SmtpReply? reply = null,
            Exception? innerException = null)
            : base(code, (code ?? throw new ArgumentNullException(nameof(code))).Kind, message, phase, serverHost, reply, innerException)
        {
        }

        /// <summary>Creates the exception with a kind chosen where it is thrown (e.g. from the server's reply).</summary>
        public SmtpProtocolException(ErrorCode code, ErrorKind kind, string message, SmtpPhase phase, string? serverHost,
            SmtpReply? reply = null, Exception? innerException = null)
            : base(code, kind, message, phase, serverHost, reply, innerException)
        {
        }

        /// <summary>
        /// For a rejected server certificate: what the certificate was (subject, names, issuer, validity, thumbprint)
        /// and every validation problem, for diagnosis.
        /// </summary>
        public TlsSessionInfo? TlsSession { get; internal set; }
    }

    /// <summary>
    /// The connection was lost, timed out or was cancelled while the end of the message (final dot or BDAT LAST) was
    /// being sent or its reply awaited. Whether the server accepted the message is unknown.
    /// </summary>
    public sealed class SmtpDeliveryUnknownException : SmtpProtocolException
    {
        /// <summary>Creates the exception.</summary>
        public SmtpDeliveryUnknownException(string message, SmtpPhase phase, string? serverHost, Exception? innerException,
            ErrorKind kind = ErrorKind.ConnectionError)
            : base(SmtpErrorCodes.DeliveryUnknown, kind, message, phase, serverHost, null, innerException)
        {
            RecommendedAction = "Check whether the recipients received the message before sending it again; the server may have " +
                "accepted it.";
        }

        /// <inheritdoc />
        public override bool DeliveryUnknown => true;
    }

    /// <summary>
    /// The server refused a command (or the client refused to send one, e.g. a message over the SIZE limit); the
    /// connection is still usable for another transaction.
    /// </summary>
    public class SmtpCommandException : SmtpException
    {
        /// <summary>Creates the exception; its kind is the code's.</summary>
        public SmtpCommandException(ErrorCode code, string message, SmtpPhase phase, string? serverHost, SmtpReply? reply = null,
            Exception? innerException = null)
            : base(code, (code ?? throw new ArgumentNullException(nameof(code))).Kind, message, phase, serverHost, reply, innerException)
        {
        }

        /// <summary>Creates the exception with a kind chosen where it is thrown (e.g. from the server's reply).</summary>
        public SmtpCommandException(ErrorCode code, ErrorKind kind, string message, SmtpPhase phase, string? serverHost,
            SmtpReply? reply = null, Exception? innerException = null)
            : base(code, kind, message, phase, serverHost, reply, innerException)
        {
        }

        /// <summary>What each recipient got, when the failure happened in a transaction.</summary>
        public IReadOnlyList<SmtpRecipientResult> RecipientResults { get; internal set; } = Array.Empty<SmtpRecipientResult>();

        /// <summary>
        /// During AUTH: the decoded text of a server challenge that carried an error (e.g. XOAUTH2's base64 JSON
        /// <c>{"status":"401","schemes":"bearer","scope":"..."}</c>), when the server sent one.
        /// </summary>
        public string? ServerErrorDetail { get; internal set; }
    }
}
