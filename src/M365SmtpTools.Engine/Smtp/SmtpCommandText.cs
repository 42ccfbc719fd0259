using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace M365SmtpTools.Engine.Smtp
{
    /// <summary>The text of MAIL FROM and RCPT TO with their parameters (SIZE, BODY, SMTPUTF8, DSN), and address checks.</summary>
    internal static class SmtpCommandText
    {
        /// <summary>Refuses an address that could break the command line; returns true when it needs SMTPUTF8 (non-ASCII).</summary>
        internal static bool CheckAddress(string address, string role)
        {
            bool nonAscii = false;
            foreach (char ch in address)
            {
                if (ch < 0x21 || ch == 0x7f || ch == '<' || ch == '>')
                    throw new M365SmtpException(SmtpErrorCodes.InvalidAddress,
                        $"The {role} address '{Printable(address)}' contains a character SMTP doesn't allow in an address (space, " +
                            "control character or angle bracket).")
                    { TargetObject = address, RecommendedAction = "Give a plain address such as user@contoso.com." };
                if (ch > 0x7e) nonAscii = true;
            }
            if (role == "recipient" && address.Length == 0)
                throw new M365SmtpException(SmtpErrorCodes.InvalidAddress, "A recipient address is empty.")
                { RecommendedAction = "Remove the empty address." };
            return nonAscii;
        }

        private static string Printable(string s) => new string(s.Select(ch => ch < 0x20 || ch == 0x7f ? '?' : ch).ToArray());

        internal static string MailFrom(SmtpEnvelope envelope, long? size, bool eightBit, bool utf8, bool dsn)
        {
            var sb = new StringBuilder("MAIL FROM:<").Append(envelope.From).Append('>');
            if (size.HasValue) sb.Append(" SIZE=").Append(size.Value.ToString(CultureInfo.InvariantCulture));
            if (eightBit) sb.Append(" BODY=8BITMIME");
            if (utf8) sb.Append(" SMTPUTF8");
            if (dsn)
            {
                if (envelope.Return != SmtpDsnReturn.Default)
                    sb.Append(" RET=").Append(envelope.Return == SmtpDsnReturn.Full ? "FULL" : "HDRS");
                if (!string.IsNullOrEmpty(envelope.EnvelopeId)) sb.Append(" ENVID=").Append(XText(envelope.EnvelopeId!));
            }
            return sb.ToString();
        }

        internal static string RcptTo(string address, SmtpEnvelope envelope, bool dsn)
        {
            var sb = new StringBuilder("RCPT TO:<").Append(address).Append('>');
            if (dsn && envelope.Notify != SmtpDsnNotify.Default)
            {
                var parts = new List<string>();
                if ((envelope.Notify & SmtpDsnNotify.Never) != 0) parts.Add("NEVER");
                else
                {
                    if ((envelope.Notify & SmtpDsnNotify.Success) != 0) parts.Add("SUCCESS");
                    if ((envelope.Notify & SmtpDsnNotify.Failure) != 0) parts.Add("FAILURE");
                    if ((envelope.Notify & SmtpDsnNotify.Delay) != 0) parts.Add("DELAY");
                }
                sb.Append(" NOTIFY=").Append(string.Join(",", parts));
            }
            return sb.ToString();
        }

        /// <summary>RFC 3461 xtext: printable ASCII except '+' and '=' as is, everything else as +HH.</summary>
        internal static string XText(string value)
        {
            var sb = new StringBuilder();
            foreach (byte b in Encoding.UTF8.GetBytes(value))
            {
                if (b >= 0x21 && b <= 0x7e && b != (byte)'+' && b != (byte)'=') sb.Append((char)b);
                else sb.Append('+').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
            return sb.ToString();
        }
    }
}
