using System;

namespace M365SmtpTools.Engine.Mime
{
    /// <summary>Builds the engine exceptions the MIME writer throws (their codes are in <see cref="MimeErrorCodes"/>).</summary>
    internal static class MimeErrors
    {
        internal static M365SmtpException Create(ErrorCode code, string message, object? target, string? action, Exception? inner = null)
            => Create(code, code.Kind, message, target, action, inner);

        internal static M365SmtpException Create(ErrorCode code, ErrorKind kind, string message, object? target, string? action,
            Exception? inner = null)
            => new M365SmtpException(code, kind, message, inner) { TargetObject = target, RecommendedAction = action };

        internal static M365SmtpException InvalidAddress(string input, string reason, Exception? inner = null)
            => Create(MimeErrorCodes.InvalidEmailAddress,
                $"'{Printable(input)}' is not a valid email address: {reason}.", input,
                "Give an address such as user@contoso.com or \"Display Name\" <user@contoso.com>.", inner);

        internal static M365SmtpException HeaderInjection(string what, string value)
            => Create(MimeErrorCodes.HeaderInjection,
                $"The {what} contains a line break (CR or LF); line breaks in header values would let the value inject extra headers.",
                value, "Remove carriage returns and line feeds from the value.");

        internal static M365SmtpException InvalidHeaderValue(string what, string value, string reason)
            => Create(MimeErrorCodes.InvalidHeaderValue,
                $"The {what} is not valid: {reason}.", value,
                "Remove control characters and unpaired surrogates from the value.");

        internal static M365SmtpException SmtpUtf8Required(string what, object target)
            => Create(MimeErrorCodes.SmtpUtf8Required,
                $"The {what} has a non-ASCII local part, which can only be sent when the server offers SMTPUTF8 " +
                    "and the caller allows UTF-8 headers.", target,
                "Send through a server that offers SMTPUTF8 (and set MimeWriterOptions.AllowUtf8Headers), or use an ASCII address.");

        /// <summary>Makes a value safe to quote in a message (control characters shown as \uXXXX, long values cut).</summary>
        internal static string Printable(string value)
        {
            var sb = new System.Text.StringBuilder();
            foreach (char c in value)
            {
                if (sb.Length > 200) { sb.Append('…'); break; }
                if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) sb.Append("\\u").Append(((int)c).ToString("x4"));
                else sb.Append(c);
            }
            return sb.ToString();
        }
    }
}
