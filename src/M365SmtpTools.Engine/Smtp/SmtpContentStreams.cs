using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace M365SmtpTools.Engine.Smtp
{
    /// <summary>
    /// Rewrites message bytes so that only CRLF line ends reach the wire: a bare LF or a bare CR becomes CRLF (the
    /// SMTP-smuggling defence), and, for DATA, a line starting with '.' gets a second dot (RFC 5321 4.5.2).
    /// </summary>
    internal sealed class LineEndNormalizer
    {
        private readonly bool _dotStuff;
        private bool _pendingCr;
        private bool _atLineStart = true;

        public LineEndNormalizer(bool dotStuff) => _dotStuff = dotStuff;

        /// <summary>The most bytes <see cref="Transform"/> can write for <paramref name="count"/> input bytes.</summary>
        public static int MaxOutput(int count) => count * 4 + 4;

        public int Transform(byte[] input, int offset, int count, byte[] output)
        {
            int o = 0;
            int end = offset + count;
            for (int i = offset; i < end; i++)
            {
                if (!_pendingCr && (!_atLineStart || !_dotStuff))
                {
                    // Fast path: copy the run up to the next CR or LF as it is (nothing in it needs rewriting).
                    int cr = Array.IndexOf(input, (byte)'\r', i, end - i);
                    int lf = Array.IndexOf(input, (byte)'\n', i, (cr < 0 ? end : cr) - i);
                    int stop = lf >= 0 ? lf : cr >= 0 ? cr : end;
                    if (stop > i)
                    {
                        Buffer.BlockCopy(input, i, output, o, stop - i);
                        o += stop - i;
                        _atLineStart = false;
                        i = stop;
                        if (i == end) break;
                    }
                }
                byte b = input[i];
                if (b == (byte)'\r')
                {
                    if (_pendingCr) { output[o++] = (byte)'\r'; output[o++] = (byte)'\n'; _atLineStart = true; }
                    _pendingCr = true;
                    continue;
                }
                if (b == (byte)'\n')
                {
                    output[o++] = (byte)'\r';
                    output[o++] = (byte)'\n';
                    _pendingCr = false;
                    _atLineStart = true;
                    continue;
                }
                if (_pendingCr)
                {
                    output[o++] = (byte)'\r';
                    output[o++] = (byte)'\n';
                    _pendingCr = false;
                    _atLineStart = true;
                }
                if (_atLineStart && _dotStuff && b == (byte)'.') output[o++] = (byte)'.';
                output[o++] = b;
                _atLineStart = false;
            }
            return o;
        }

        /// <summary>Ends the content with CRLF (adding one when the last line has none).</summary>
        public int Finish(byte[] output)
        {
            int o = 0;
            if (_pendingCr || !_atLineStart)
            {
                output[o++] = (byte)'\r';
                output[o++] = (byte)'\n';
            }
            _pendingCr = false;
            _atLineStart = true;
            return o;
        }
    }

    /// <summary>A write-only stream handed to <c>IMessageContent.WriteToAsync</c>; it records the first failure it caused.</summary>
    internal abstract class SmtpContentStream : Stream
    {
        private byte[] _scratch = new byte[LineEndNormalizer.MaxOutput(8192)];

        protected SmtpContentStream(SmtpChannel connection, bool dotStuff)
        {
            Connection = connection;
            Normalizer = new LineEndNormalizer(dotStuff);
        }

        protected SmtpChannel Connection { get; }

        protected LineEndNormalizer Normalizer { get; }

        /// <summary>The engine exception this stream threw, so it survives whatever the content writer does with it.</summary>
        public SmtpException? Failure { get; protected set; }

        /// <summary>Bytes put on the wire for the content, after normalization (and stuffing).</summary>
        public long BytesSent { get; protected set; }

        public override async Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            if (Failure != null) throw Failure;
            try
            {
                while (count > 0)
                {
                    int n = Math.Min(count, 8192);
                    int produced = Normalizer.Transform(buffer, offset, n, _scratch);
                    await EmitAsync(_scratch, produced, cancellationToken).ConfigureAwait(false);
                    offset += n;
                    count -= n;
                }
            }
            catch (SmtpException ex)
            {
                Failure ??= ex;
                throw;
            }
        }

        public override void Write(byte[] buffer, int offset, int count) =>
            WriteAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

        protected abstract Task EmitAsync(byte[] bytes, int count, CancellationToken cancellationToken);

        /// <summary>Ends the content and sends the terminator; returns the reply to it (the caller turns a lost reply into
        /// "unknown").</summary>
        public abstract Task SendEndAsync(CancellationToken cancellationToken);

        protected int FinishNormalizer() => Normalizer.Finish(_scratch);

        protected byte[] Scratch => _scratch;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            _scratch = Array.Empty<byte>();
            base.Dispose(disposing);
        }
    }

    /// <summary>DATA: normalized, dot-stuffed content, then CRLF.CRLF.</summary>
    internal sealed class DataContentStream : SmtpContentStream
    {
        private static readonly byte[] EndOfData = { (byte)'.', (byte)'\r', (byte)'\n' };

        public DataContentStream(SmtpChannel connection) : base(connection, dotStuff: true) { }

        protected override async Task EmitAsync(byte[] bytes, int count, CancellationToken cancellationToken)
        {
            await Connection.WriteAsync(bytes, 0, count, SmtpWriteKind.Content, cancellationToken).ConfigureAwait(false);
            BytesSent += count;
        }

        public override async Task SendEndAsync(CancellationToken cancellationToken)
        {
            int n = FinishNormalizer();
            await EmitAsync(Scratch, n, cancellationToken).ConfigureAwait(false);
            Connection.Note($"[message content: {BytesSent} bytes]");
            await Connection.WriteAsync(EndOfData, 0, EndOfData.Length, SmtpWriteKind.Normal, cancellationToken).ConfigureAwait(false);
            await Connection.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>BDAT: normalized content (no stuffing) in chunks of a fixed size, each acknowledged; the last one marked LAST.</summary>
    internal sealed class BdatContentStream : SmtpContentStream
    {
        private readonly byte[] _chunk;
        private int _chunkCount;

        public BdatContentStream(SmtpChannel connection, int chunkSize) : base(connection, dotStuff: false)
        {
            _chunk = new byte[Math.Max(1024, chunkSize)];
        }

        public int ChunksSent { get; private set; }

        protected override async Task EmitAsync(byte[] bytes, int count, CancellationToken cancellationToken)
        {
            int offset = 0;
            while (count > 0)
            {
                int n = Math.Min(count, _chunk.Length - _chunkCount);
                Buffer.BlockCopy(bytes, offset, _chunk, _chunkCount, n);
                _chunkCount += n;
                offset += n;
                count -= n;
                if (_chunkCount == _chunk.Length) await SendChunkAsync(last: false, cancellationToken).ConfigureAwait(false);
            }
        }

        private async Task SendChunkAsync(bool last, CancellationToken cancellationToken)
        {
            string command = "BDAT " + _chunkCount.ToString(System.Globalization.CultureInfo.InvariantCulture) + (last ? " LAST" : "");
            await Connection.WriteLineAsync(command, cancellationToken).ConfigureAwait(false);
            await Connection.WriteAsync(_chunk, 0, _chunkCount, SmtpWriteKind.Content, cancellationToken).ConfigureAwait(false);
            BytesSent += _chunkCount;
            _chunkCount = 0;
            ChunksSent++;
            if (last)
            {
                Connection.Note($"[message content: {BytesSent} bytes in {ChunksSent} BDAT chunk(s)]");
                await Connection.FlushAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            SmtpReply reply = await Connection.ReadReplyAsync(cancellationToken).ConfigureAwait(false);
            if (!reply.IsPositiveCompletion)
            {
                var failure = SmtpErrors.CommandFailed(SmtpErrorCodes.MessageRejected, SmtpPhase.Bdat,
                    Connection.Host, reply, "The server refused a BDAT chunk", Connection.KnownServer);
                Failure = failure;
                throw failure;
            }
        }

        public override async Task SendEndAsync(CancellationToken cancellationToken)
        {
            int n = FinishNormalizer();
            await EmitAsync(Scratch, n, cancellationToken).ConfigureAwait(false);
            await SendChunkAsync(last: true, cancellationToken).ConfigureAwait(false);
        }
    }
}
