using System;
using System.Collections.Generic;
using System.Text;

namespace M365SmtpTools.Engine.Mime
{
    /// <summary>
    /// RFC 2047 encoded words in UTF-8. B or Q is chosen by which is shorter for the whole text; words are at most
    /// 75 characters and never split a character (a multi-byte UTF-8 sequence or a surrogate pair) across two words.
    /// Q uses only the characters RFC 2047 allows in a phrase, so the words are valid in display names too.
    /// </summary>
    internal static class EncodedWordEncoder
    {
        internal const int MaxWordLength = 75;
        private const string Prefix = "=?UTF-8?";
        private const int Overhead = 12; // "=?UTF-8?B?" + "?="
        private const string Hex = "0123456789ABCDEF";

        /// <summary>Encodes <paramref name="text"/>; the first word is at most <paramref name="firstMax"/> characters (at least 24 is
        /// used).</summary>
        internal static List<string> Encode(string text, int firstMax = MaxWordLength)
        {
            byte[] all = HeaderText.Utf8.GetBytes(text);
            int qLength = 0;
            foreach (byte b in all) qLength += QLength(b);
            int bLength = (all.Length + 2) / 3 * 4;
            bool useQ = qLength <= bLength;

            var words = new List<string>();
            int max = Math.Max(Math.Min(firstMax, MaxWordLength), 24);
            var chunk = new List<byte>();
            int chunkLength = 0; // encoded length of the chunk in Q, or byte count in B
            byte[] cp = new byte[4];
            for (int i = 0; i < text.Length; i++)
            {
                int n = char.IsHighSurrogate(text[i]) && i + 1 < text.Length
                    ? HeaderText.Utf8.GetBytes(text, i++, 2, cp, 0)
                    : HeaderText.Utf8.GetBytes(text, i, 1, cp, 0);
                int add = 0;
                if (useQ) for (int k = 0; k < n; k++) add += QLength(cp[k]);
                else add = n;
                int newLength = useQ ? chunkLength + add : (chunkLength + add + 2) / 3 * 4;
                if (chunk.Count > 0 && Overhead + newLength > max)
                {
                    words.Add(Word(chunk, useQ));
                    chunk.Clear();
                    chunkLength = 0;
                    max = MaxWordLength;
                }
                for (int k = 0; k < n; k++) chunk.Add(cp[k]);
                chunkLength += add;
            }
            if (chunk.Count > 0 || words.Count == 0) words.Add(Word(chunk, useQ));
            return words;
        }

        private static int QLength(byte b) => IsQLiteral(b) || b == ' ' ? 1 : 3;

        private static bool IsQLiteral(byte b)
            => (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')
                || b == '!' || b == '*' || b == '+' || b == '-' || b == '/';

        private static string Word(List<byte> bytes, bool useQ)
        {
            var sb = new StringBuilder(Prefix, MaxWordLength);
            if (useQ)
            {
                sb.Append("Q?");
                foreach (byte b in bytes)
                {
                    if (b == ' ') sb.Append('_');
                    else if (IsQLiteral(b)) sb.Append((char)b);
                    else sb.Append('=').Append(Hex[b >> 4]).Append(Hex[b & 15]);
                }
            }
            else
            {
                sb.Append("B?").Append(Convert.ToBase64String(bytes.ToArray()));
            }
            return sb.Append("?=").ToString();
        }
    }
}
