using System.IO;

namespace M365SmtpTools.Engine.Mime
{
    /// <summary>
    /// Streaming quoted-printable (RFC 2045 6.7) for text: CRLF pairs stay line breaks, '=' and bytes outside
    /// printable ASCII are =XX, a space or tab before a line break (or at the end) is encoded, and soft line breaks
    /// keep every line within 76 characters. Feed it chunks; whitespace and a CR are held until the next byte decides them.
    /// It never produces "=_", so a boundary starting with "=_" can't occur in its output.
    /// </summary>
    internal sealed class QuotedPrintableEncoder
    {
        private const string Hex = "0123456789ABCDEF";
        private const int MaxLine = 76;
        private int _lineLength;
        private int _pendingWhitespace = -1;
        private bool _pendingCr;

        /// <summary>Encodes a whole buffer.</summary>
        internal static byte[] EncodeAll(byte[] input)
        {
            var output = new MemoryStream(input.Length + input.Length / 8 + 16);
            var encoder = new QuotedPrintableEncoder();
            encoder.Encode(input, 0, input.Length, output);
            encoder.Flush(output);
            return output.ToArray();
        }

        internal void Encode(byte[] input, int offset, int count, Stream output)
        {
            for (int i = offset; i < offset + count; i++)
            {
                byte b = input[i];
                if (_pendingCr)
                {
                    _pendingCr = false;
                    if (b == '\n')
                    {
                        if (_pendingWhitespace >= 0) { Encoded(output, (byte)_pendingWhitespace); _pendingWhitespace = -1; }
                        output.WriteByte((byte)'\r');
                        output.WriteByte((byte)'\n');
                        _lineLength = 0;
                        continue;
                    }
                    ReleaseWhitespace(output);
                    Encoded(output, (byte)'\r');
                }
                if (b == '\r') { _pendingCr = true; continue; }
                if (b == ' ' || b == '\t')
                {
                    ReleaseWhitespace(output);
                    _pendingWhitespace = b;
                    continue;
                }
                ReleaseWhitespace(output);
                if (b >= 33 && b <= 126 && b != '=') Literal(output, b);
                else Encoded(output, b);
            }
        }

        /// <summary>Writes what is held (a CR, trailing whitespace); the encoder is finished after this.</summary>
        internal void Flush(Stream output)
        {
            if (_pendingCr)
            {
                ReleaseWhitespace(output);
                Encoded(output, (byte)'\r');
            }
            if (_pendingWhitespace >= 0) Encoded(output, (byte)_pendingWhitespace);
        }

        private void ReleaseWhitespace(Stream output)
        {
            if (_pendingWhitespace < 0) return;
            Literal(output, (byte)_pendingWhitespace);
            _pendingWhitespace = -1;
        }

        private void Literal(Stream output, byte b)
        {
            Room(output, 1);
            output.WriteByte(b);
            _lineLength++;
        }

        private void Encoded(Stream output, byte b)
        {
            Room(output, 3);
            output.WriteByte((byte)'=');
            output.WriteByte((byte)Hex[b >> 4]);
            output.WriteByte((byte)Hex[b & 15]);
            _lineLength += 3;
        }

        private void Room(Stream output, int needed)
        {
            if (_lineLength + needed <= MaxLine - 1) return;
            output.WriteByte((byte)'=');
            output.WriteByte((byte)'\r');
            output.WriteByte((byte)'\n');
            _lineLength = 0;
        }
    }
}
