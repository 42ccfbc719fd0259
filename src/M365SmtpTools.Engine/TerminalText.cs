using System.Globalization;
using System.Text;

namespace M365SmtpTools.Engine
{
    /// <summary>
    /// Text from servers, DNS, certificates or users made safe to print: control characters (C0, DEL and C1, so no
    /// ESC/OSC/BEL sequence reaches a terminal), line and paragraph separators and bidirectional controls are written
    /// as <c>\xHH</c> or <c>\uXXXX</c>, the way dig and OpenSSH show what a peer sent.
    /// </summary>
    public static class TerminalText
    {
        /// <summary>True for characters that must not be printed raw.</summary>
        public static bool NeedsEscape(char c)
        {
            if (char.IsControl(c)) return true;
            UnicodeCategory cat = CharUnicodeInfo.GetUnicodeCategory(c);
            if (cat == UnicodeCategory.LineSeparator || cat == UnicodeCategory.ParagraphSeparator) return true;
            // Bidirectional embedding, override and isolate controls make a line read differently from what it is.
            return c == '\u200E' || c == '\u200F' || (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069') || c == '\u061C';
        }

        /// <summary>The text with every character of <see cref="NeedsEscape"/> escaped; null stays null.</summary>
        public static string Escape(string value) => Escape(value, keepLineBreaks: false);

        /// <summary>As <see cref="Escape(string)"/>, optionally keeping LF and tab (for multi-line messages; CR is always escaped: it could
        /// overwrite a line).</summary>
        public static string Escape(string value, bool keepLineBreaks)
        {
            if (value == null) return null!;
            int i = 0;
            while (i < value.Length && !(NeedsEscape(value[i]) && !(keepLineBreaks && IsLineBreak(value[i])))) i++;
            if (i == value.Length) return value;
            var sb = new StringBuilder(value.Length + 16).Append(value, 0, i);
            for (; i < value.Length; i++)
            {
                char c = value[i];
                if (!NeedsEscape(c) || (keepLineBreaks && IsLineBreak(c))) sb.Append(c);
                else if (c < 0x100) sb.Append("\\x").Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
                else sb.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
            }
            return sb.ToString();
        }

        private static bool IsLineBreak(char c) => c == '\n' || c == '\t';
    }
}
