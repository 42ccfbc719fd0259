using System.Text;

namespace M365SmtpTools.Engine.Mime
{
    /// <summary>Character classes of RFC 5322 and the validation every header value goes through.</summary>
    internal static class HeaderText
    {
        internal static readonly UTF8Encoding Utf8 = new UTF8Encoding(false, true);

        /// <summary>
        /// Rejects what can't be in a header value: CR and LF (header injection), other C0 and C1 control characters
        /// except TAB, DEL, the Unicode line and paragraph separators, and unpaired surrogates.
        /// </summary>
        internal static void Validate(string value, string what)
        {
            for (int i = 0; i < value.Length; i++)
            {
                char c = value[i];
                if (c == '\r' || c == '\n') throw MimeErrors.HeaderInjection(what, value);
                if ((c < 0x20 && c != '\t') || c == 0x7f || (c >= 0x80 && c < 0xa0))
                    throw MimeErrors.InvalidHeaderValue(what, value, $"it contains the control character U+{(int)c:X4} at position {i}");
                if (c == '\u2028' || c == '\u2029')
                    throw MimeErrors.InvalidHeaderValue(what, value, $"it contains the line separator U+{(int)c:X4} at position {i}");
                if (char.IsHighSurrogate(c))
                {
                    if (i + 1 < value.Length && char.IsLowSurrogate(value[i + 1])) { i++; continue; }
                    throw MimeErrors.InvalidHeaderValue(what, value, $"it contains an unpaired surrogate at position {i}");
                }
                if (char.IsLowSurrogate(c))
                    throw MimeErrors.InvalidHeaderValue(what, value, $"it contains an unpaired surrogate at position {i}");
            }
        }

        internal static bool IsAscii(string s)
        {
            foreach (char c in s) if (c >= 0x80) return false;
            return true;
        }

        /// <summary>RFC 5322 atext (ASCII).</summary>
        internal static bool IsAText(char c)
            => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "!#$%&'*+-/=?^_`{|}~".IndexOf(c) >= 0;

        /// <summary>Printable ASCII or space.</summary>
        internal static bool IsPrintableAsciiOrSpace(char c) => c >= 0x20 && c < 0x7f;

        /// <summary>RFC 5322 ftext: printable ASCII except the colon.</summary>
        internal static bool IsFText(char c) => c >= 33 && c <= 126 && c != ':';

        /// <summary>Wraps a value in a quoted-string, escaping backslash and double quote.</summary>
        internal static string Quote(string value)
        {
            var sb = new StringBuilder(value.Length + 2);
            sb.Append('"');
            foreach (char c in value)
            {
                if (c == '"' || c == '\\') sb.Append('\\');
                sb.Append(c);
            }
            sb.Append('"');
            return sb.ToString();
        }

        internal static int Utf8Length(string s) => Utf8.GetByteCount(s);
    }
}
