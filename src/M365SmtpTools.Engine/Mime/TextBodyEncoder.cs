using System;
using System.IO;
using System.Text;

namespace M365SmtpTools.Engine.Mime
{
    /// <summary>
    /// Text bodies: line ends normalized to CRLF (bare CR and bare LF become CRLF), UTF-8, then the encoding chosen:
    /// 7bit when ASCII with lines of at most 998 octets; 8bit when non-ASCII and 8BITMIME is allowed; otherwise
    /// quoted-printable or base64, whichever is smaller (mostly ASCII → quoted-printable).
    /// </summary>
    internal static class TextBodyEncoder
    {
        internal const int MaxLineOctets = 998;

        internal static byte[] Normalize(string text, string what)
        {
            var sb = new StringBuilder(text.Length + 16);
            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                if (c == '\r')
                {
                    sb.Append("\r\n");
                    if (i + 1 < text.Length && text[i + 1] == '\n') i++;
                }
                else if (c == '\n') sb.Append("\r\n");
                else sb.Append(c);
            }
            try { return HeaderText.Utf8.GetBytes(sb.ToString()); }
            catch (EncoderFallbackException e)
            {
                throw MimeErrors.Create(MimeErrorCodes.InvalidBodyText, $"The {what} contains an unpaired surrogate character and can't " +
                    "be encoded as UTF-8.",
                    what, "Check the text's source encoding.", e);
            }
        }

        /// <summary>The transfer encoding and the encoded bytes for normalized text.</summary>
        internal static (string Encoding, byte[] Body) Encode(byte[] text, bool allow8Bit)
        {
            bool ascii = true, nul = false;
            int line = 0, maxLine = 0;
            for (int i = 0; i < text.Length; i++)
            {
                byte b = text[i];
                if (b >= 0x80) ascii = false;
                if (b == 0) nul = true;
                if (b == '\r' && i + 1 < text.Length && text[i + 1] == '\n') { maxLine = Math.Max(maxLine, line); line = 0; i++; continue; }
                line++;
            }
            maxLine = Math.Max(maxLine, line);
            bool shortLines = maxLine <= MaxLineOctets && !nul;
            if (ascii && shortLines) return ("7bit", text);
            if (!ascii && allow8Bit && shortLines) return ("8bit", text);
            byte[] qp = QuotedPrintableEncoder.EncodeAll(text);
            if (qp.Length <= Base64LineEncoder.EncodedLength(text.Length)) return ("quoted-printable", qp);
            var output = new MemoryStream((int)Base64LineEncoder.EncodedLength(text.Length));
            var encoder = new Base64LineEncoder();
            byte[] buffer = new byte[Base64LineEncoder.MaxOutput(text.Length)];
            int n = encoder.Encode(text, 0, text.Length, buffer);
            output.Write(buffer, 0, n);
            n = encoder.Flush(buffer);
            output.Write(buffer, 0, n);
            return ("base64", output.ToArray());
        }

        /// <summary>True when the bytes contain <paramref name="pattern"/> (boundary collision check for 7bit/8bit text).</summary>
        internal static bool Contains(byte[] data, byte[] pattern)
        {
            for (int i = 0; i + pattern.Length <= data.Length; i++)
            {
                int k = 0;
                while (k < pattern.Length && data[i + k] == pattern[k]) k++;
                if (k == pattern.Length) return true;
            }
            return false;
        }
    }
}
