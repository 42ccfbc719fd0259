using System.Collections.Generic;
using System.Text;

namespace M365SmtpTools.Engine.Mime
{
    /// <summary>
    /// Content-Type and Content-Disposition parameters. Short printable ASCII values are quoted strings; non-ASCII or
    /// long values use RFC 2231 (<c>filename*=utf-8''…</c>, split into <c>filename*0*=</c>, <c>filename*1*=</c> …
    /// continuations that never split a character); with UTF-8 headers allowed (RFC 6532) a quoted UTF-8 string.
    /// </summary>
    internal static class ParameterFormatter
    {
        private const string Hex = "0123456789ABCDEF";
        private const string TSpecials = "()<>@,;:\\\"/[]?=";

        /// <summary>Header tokens for <c>value; p1="…"; p2*0*=…</c>.</summary>
        internal static List<string> Tokens(string value, IReadOnlyList<KeyValuePair<string, string>> parameters, bool allowUtf8)
        {
            var tokens = new List<string> { value };
            foreach (var p in parameters)
            {
                tokens[tokens.Count - 1] += ";";
                tokens.AddRange(ParameterTokens(p.Key, p.Value, allowUtf8));
            }
            return tokens;
        }

        internal static List<string> ParameterTokens(string name, string value, bool allowUtf8)
        {
            bool ascii = true;
            foreach (char c in value)
                if (c >= 0x80) ascii = false;
                else if (!HeaderText.IsPrintableAsciiOrSpace(c)) return Extended(name, value);
            string quoted = name + "=" + HeaderText.Quote(value);
            if (ascii && quoted.Length <= HeaderFolder.PreferredLineLength - 2) return new List<string> { quoted };
            if (!ascii && allowUtf8 && HeaderText.Utf8Length(quoted) <= 900) return new List<string> { quoted };
            return Extended(name, value);
        }

        private static List<string> Extended(string name, string value)
        {
            // Percent-encode per character, so a split never falls inside a character's octets.
            var pieces = new List<string>();
            byte[] cp = new byte[4];
            for (int i = 0; i < value.Length; i++)
            {
                int n = char.IsHighSurrogate(value[i]) && i + 1 < value.Length
                    ? HeaderText.Utf8.GetBytes(value, i++, 2, cp, 0)
                    : HeaderText.Utf8.GetBytes(value, i, 1, cp, 0);
                var sb = new StringBuilder();
                for (int k = 0; k < n; k++)
                {
                    byte b = cp[k];
                    if (b > 0x20 && b < 0x7f && b != '*' && b != '\'' && b != '%' && TSpecials.IndexOf((char)b) < 0) sb.Append((char)b);
                    else sb.Append('%').Append(Hex[b >> 4]).Append(Hex[b & 15]);
                }
                pieces.Add(sb.ToString());
            }

            const string charset = "utf-8''";
            int total = charset.Length;
            foreach (string p in pieces) total += p.Length;
            if (name.Length + 2 + total <= HeaderFolder.PreferredLineLength - 2)
                return new List<string> { name + "*=" + charset + string.Concat(pieces) };

            var tokens = new List<string>();
            var current = new StringBuilder(charset);
            int index = 0;
            foreach (string piece in pieces)
            {
                string head = name + "*" + index + "*=";
                if (current.Length > 0 && 1 + head.Length + current.Length + piece.Length + 1 > HeaderFolder.PreferredLineLength
                    && current.ToString() != charset)
                {
                    tokens.Add(head + current + ";");
                    current.Clear();
                    index++;
                }
                current.Append(piece);
            }
            tokens.Add(name + "*" + index + "*=" + current);
            return tokens;
        }
    }
}
