using System.Collections.Generic;
using System.Text;

namespace M365SmtpTools.Engine.Mime
{
    /// <summary>
    /// Writes one header field from tokens that are separated by single spaces in the logical value, folding
    /// (CRLF before a space) so lines stay within 76 characters where a token allows it. Unfolding gives back the value exactly.
    /// </summary>
    internal static class HeaderFolder
    {
        internal const int PreferredLineLength = 76;

        internal static void Append(StringBuilder output, string name, IReadOnlyList<string> tokens)
        {
            output.Append(name).Append(':');
            int lineLength = name.Length + 1;
            bool lineHasToken = false;
            for (int i = 0; i < tokens.Count; i++)
            {
                string token = tokens[i];
                bool fold = token.Length > 0 && lineLength + 1 + token.Length > PreferredLineLength
                            && (lineHasToken || i == 0);
                if (fold && i == 0 && 1 + token.Length > PreferredLineLength) fold = false; // no better on a line of its own
                if (fold)
                {
                    output.Append("\r\n ");
                    lineLength = 1;
                }
                else
                {
                    output.Append(' ');
                    lineLength++;
                }
                output.Append(token);
                lineLength += token.Length;
                if (token.Length > 0) lineHasToken = true;
            }
            output.Append("\r\n");
        }

        /// <summary>Tokens for unstructured text (Subject, custom headers): raw when safe, else RFC 2047 encoded words.</summary>
        internal static List<string> UnstructuredTokens(string name, string value, bool allowUtf8)
        {
            if (CanWriteRaw(value, allowUtf8)) return new List<string>(value.Split(' '));
            return EncodedWordEncoder.Encode(value, PreferredLineLength - name.Length - 2);
        }

        /// <summary>
        /// Raw text is used only when it can't be misread: printable (ASCII, or UTF-8 when allowed), no leading or
        /// trailing space, no tab, nothing that looks like an encoded word, and no word too long for a 998-octet line.
        /// </summary>
        internal static bool CanWriteRaw(string value, bool allowUtf8)
        {
            if (value.Length == 0) return true;
            if (value[0] == ' ' || value[value.Length - 1] == ' ') return false;
            if (value.Contains("=?")) return false;
            foreach (char c in value)
            {
                if (c >= 0x80) { if (!allowUtf8) return false; continue; }
                if (!HeaderText.IsPrintableAsciiOrSpace(c)) return false;
            }
            foreach (string word in value.Split(' '))
                if (HeaderText.Utf8Length(word) > 900) return false;
            return true;
        }
    }
}
