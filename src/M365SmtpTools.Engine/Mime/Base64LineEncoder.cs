using System;

namespace M365SmtpTools.Engine.Mime
{
    /// <summary>
    /// Streaming base64 with 76-character lines, each ending in CRLF (the last one too). Feed it chunks of any size;
    /// it keeps at most one partial line (under 57 bytes) between calls.
    /// </summary>
    internal sealed class Base64LineEncoder
    {
        internal const int BytesPerLine = 57;
        private readonly byte[] _pending = new byte[BytesPerLine];
        private int _pendingCount;
        private const int LinesPerBatch = 64;
        private static readonly System.Text.Encoding Ascii = System.Text.Encoding.ASCII;
        private readonly char[] _chars = new char[76 * LinesPerBatch];

        /// <summary>The exact encoded size of <paramref name="length"/> input bytes.</summary>
        internal static long EncodedLength(long length)
        {
            long full = length / BytesPerLine, rest = length % BytesPerLine;
            return full * 78 + (rest == 0 ? 0 : (rest + 2) / 3 * 4 + 2);
        }

        /// <summary>The most bytes <see cref="Encode"/> can produce for <paramref name="count"/> input bytes.</summary>
        internal static int MaxOutput(int count) => (count / BytesPerLine + 2) * 78;

        /// <summary>Encodes what completes whole lines into <paramref name="output"/>; returns the bytes written.</summary>
        internal int Encode(byte[] input, int offset, int count, byte[] output)
        {
            int written = 0;
            if (_pendingCount > 0)
            {
                int take = Math.Min(BytesPerLine - _pendingCount, count);
                Buffer.BlockCopy(input, offset, _pending, _pendingCount, take);
                _pendingCount += take; offset += take; count -= take;
                if (_pendingCount < BytesPerLine) return 0;
                written += Line(_pending, 0, BytesPerLine, output, written);
                _pendingCount = 0;
            }
            // Whole lines in batches: one base64 call per batch, then each line narrowed to bytes and ended with CRLF.
            while (count >= BytesPerLine)
            {
                int lines = Math.Min(count / BytesPerLine, LinesPerBatch);
                int chars = Convert.ToBase64CharArray(input, offset, lines * BytesPerLine, _chars, 0);
                for (int c = 0; c < chars; c += 76)
                {
                    Ascii.GetBytes(_chars, c, 76, output, written);
                    output[written + 76] = (byte)'\r';
                    output[written + 77] = (byte)'\n';
                    written += 78;
                }
                offset += lines * BytesPerLine; count -= lines * BytesPerLine;
            }
            Buffer.BlockCopy(input, offset, _pending, 0, count);
            _pendingCount = count;
            return written;
        }

        /// <summary>Writes the last partial line, if any.</summary>
        internal int Flush(byte[] output)
        {
            if (_pendingCount == 0) return 0;
            int n = Line(_pending, 0, _pendingCount, output, 0);
            _pendingCount = 0;
            return n;
        }

        private int Line(byte[] input, int offset, int count, byte[] output, int at)
        {
            int n = Convert.ToBase64CharArray(input, offset, count, _chars, 0);
            for (int i = 0; i < n; i++) output[at + i] = (byte)_chars[i];
            output[at + n] = (byte)'\r';
            output[at + n + 1] = (byte)'\n';
            return n + 2;
        }
    }
}
