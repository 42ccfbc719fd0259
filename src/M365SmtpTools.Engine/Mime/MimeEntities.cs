using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace M365SmtpTools.Engine.Mime
{
    /// <summary>One MIME entity ready to write: its header lines (each ending in CRLF) and a body that knows its exact size.</summary>
    internal abstract class MimeEntity
    {
        protected MimeEntity(string headers) { Headers = Encoding.UTF8.GetBytes(headers); }

        internal byte[] Headers { get; }

        internal string TransferEncoding { get; set; } = "7bit";

        internal abstract long BodyLength { get; }

        internal abstract bool BodyEndsWithCrlf { get; }

        internal abstract Task WriteBodyAsync(ChunkWriter output, CancellationToken cancellationToken);

        internal virtual IEnumerable<MimeEntity> Descendants() { yield return this; }
    }

    /// <summary>A text part, encoded in memory (the text is in memory anyway).</summary>
    internal sealed class TextEntity : MimeEntity
    {
        private readonly byte[] _body;

        internal TextEntity(string headers, byte[] body, string transferEncoding) : base(headers)
        {
            _body = body;
            TransferEncoding = transferEncoding;
        }

        internal override long BodyLength => _body.Length;

        internal override bool BodyEndsWithCrlf => _body.Length >= 2 && _body[_body.Length - 2] == '\r' && _body[_body.Length - 1] == '\n';

        internal override Task WriteBodyAsync(ChunkWriter output, CancellationToken cancellationToken)
            => output.WriteAsync(_body, 0, _body.Length, cancellationToken);
    }

    /// <summary>An attachment: read in chunks while writing, base64-encoded on the fly; its size is arithmetic.</summary>
    internal sealed class AttachmentEntity : MimeEntity
    {
        /// <summary>Bytes read per call: 1150 base64 lines, about 64 KB.</summary>
        internal const int ReadChunk = Base64LineEncoder.BytesPerLine * 1150;
        private readonly MimeAttachment _attachment;
        private long _length = -1;

        internal AttachmentEntity(string headers, MimeAttachment attachment) : base(headers)
        {
            _attachment = attachment;
            TransferEncoding = "base64";
        }

        /// <summary>The content length, read once (the first size computation fixes what the write must produce).</summary>
        internal long ContentLength => _length >= 0 ? _length : (_length = _attachment.GetLength());

        internal override long BodyLength => Base64LineEncoder.EncodedLength(ContentLength);

        internal override bool BodyEndsWithCrlf => true;

        internal override async Task WriteBodyAsync(ChunkWriter output, CancellationToken cancellationToken)
        {
            long expected = ContentLength;
            var encoder = new Base64LineEncoder();
            byte[] input = new byte[ReadChunk];
            byte[] encoded = new byte[Base64LineEncoder.MaxOutput(ReadChunk)];
            long total = 0;
            using (Stream stream = _attachment.Open())
            {
                while (true)
                {
                    int want = (int)Math.Min(input.Length, expected - total + 1);
                    int n;
                    try { n = await stream.ReadAsync(input, 0, want, cancellationToken).ConfigureAwait(false); }
                    catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is NotSupportedException
                        || e is ObjectDisposedException)
                    {
                        throw _attachment.Unreadable(e);
                    }
                    if (n <= 0) break;
                    total += n;
                    if (total > expected) throw Changed(expected, "grew");
                    int e2 = encoder.Encode(input, 0, n, encoded);
                    await output.WriteAsync(encoded, 0, e2, cancellationToken).ConfigureAwait(false);
                }
            }
            if (total != expected) throw Changed(expected, "shrank");
            int last = encoder.Flush(encoded);
            await output.WriteAsync(encoded, 0, last, cancellationToken).ConfigureAwait(false);
        }

        private M365SmtpException Changed(long expected, string how)
            => MimeErrors.Create(MimeErrorCodes.AttachmentChanged,
                $"The attachment '{_attachment.FilePath ?? _attachment.FileName}' {how} while the message was being sent (expected " +
                    $"{expected} bytes); the message sent so far is incomplete.",
                (object?)_attachment.FilePath ?? _attachment.FileName, "Don't change attachment files while sending; for streams, give " +
                    "the exact length.");
    }

    /// <summary>A multipart entity: children between boundary delimiter lines.</summary>
    internal sealed class MultipartEntity : MimeEntity
    {
        private readonly byte[] _first, _next, _close;

        internal MultipartEntity(string headers, string boundary, IReadOnlyList<MimeEntity> children) : base(headers)
        {
            Children = children;
            _first = Encoding.ASCII.GetBytes("--" + boundary + "\r\n");
            _next = Encoding.ASCII.GetBytes("\r\n--" + boundary + "\r\n");
            _close = Encoding.ASCII.GetBytes("\r\n--" + boundary + "--\r\n");
        }

        internal IReadOnlyList<MimeEntity> Children { get; }

        internal override long BodyLength
        {
            get
            {
                long size = _first.Length + (long)_next.Length * (Children.Count - 1) + _close.Length;
                foreach (MimeEntity child in Children) size += child.Headers.Length + 2 + child.BodyLength;
                return size;
            }
        }

        internal override bool BodyEndsWithCrlf => true;

        internal override async Task WriteBodyAsync(ChunkWriter output, CancellationToken cancellationToken)
        {
            for (int i = 0; i < Children.Count; i++)
            {
                byte[] delimiter = i == 0 ? _first : _next;
                await output.WriteAsync(delimiter, 0, delimiter.Length, cancellationToken).ConfigureAwait(false);
                await output.WriteAsync(Children[i].Headers, 0, Children[i].Headers.Length, cancellationToken).ConfigureAwait(false);
                await output.WriteAsync(ChunkWriter.Crlf, 0, 2, cancellationToken).ConfigureAwait(false);
                await Children[i].WriteBodyAsync(output, cancellationToken).ConfigureAwait(false);
            }
            await output.WriteAsync(_close, 0, _close.Length, cancellationToken).ConfigureAwait(false);
        }

        internal override IEnumerable<MimeEntity> Descendants()
        {
            yield return this;
            foreach (MimeEntity child in Children)
                foreach (MimeEntity d in child.Descendants()) yield return d;
        }
    }

    /// <summary>Collects small writes (headers, boundaries) into 64 KB writes to the output; counts what it wrote.</summary>
    internal sealed class ChunkWriter
    {
        internal static readonly byte[] Crlf = { (byte)'\r', (byte)'\n' };
        private readonly Stream _output;
        private readonly byte[] _buffer = new byte[64 * 1024];
        private int _count;

        internal ChunkWriter(Stream output) { _output = output; }

        internal long Written { get; private set; }

        internal async Task WriteAsync(byte[] data, int offset, int count, CancellationToken cancellationToken)
        {
            Written += count;
            if (_count + count > _buffer.Length) await FlushAsync(cancellationToken).ConfigureAwait(false);
            if (count >= _buffer.Length)
            {
                await _output.WriteAsync(data, offset, count, cancellationToken).ConfigureAwait(false);
                return;
            }
            Buffer.BlockCopy(data, offset, _buffer, _count, count);
            _count += count;
        }

        internal async Task FlushAsync(CancellationToken cancellationToken)
        {
            if (_count == 0) return;
            await _output.WriteAsync(_buffer, 0, _count, cancellationToken).ConfigureAwait(false);
            _count = 0;
        }
    }
}
