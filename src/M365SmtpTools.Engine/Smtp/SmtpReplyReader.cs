using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace M365SmtpTools.Engine.Smtp
{
    /// <summary>
    /// Reads replies from the server with bounded memory: a line longer than <see cref="MaxLineLength"/> or a reply
    /// longer than <see cref="MaxReplyLength"/> is a protocol error, not a reason to grow a buffer. Anything that isn't
    /// a well-formed reply is a <see cref="SmtpProtocolException"/>.
    /// </summary>
    internal sealed class SmtpReplyReader
    {
        /// <summary>The longest reply line accepted (RFC 5321 allows 512; servers send longer ones, within reason).</summary>
        public const int DefaultMaxLineLength = 64 * 1024;

        /// <summary>The longest complete (multi-line) reply accepted.</summary>
        public const int DefaultMaxReplyLength = 1024 * 1024;

        private readonly byte[] _buffer = new byte[4096];
        private int _start;
        private int _end;
        private byte[] _line = new byte[256];
        private int _lineLength;

        public SmtpReplyReader(Stream stream, string? serverHost)
        {
            Stream = stream;
            ServerHost = serverHost;
        }

        /// <summary>The stream replies come from (swapped for the TLS stream after STARTTLS).</summary>
        public Stream Stream { get; set; }

        public string? ServerHost { get; }

        public int MaxLineLength { get; set; } = DefaultMaxLineLength;

        public int MaxReplyLength { get; set; } = DefaultMaxReplyLength;

        /// <summary>Called with each line received (code included), for the transcript.</summary>
        public Action<string>? LineReceived { get; set; }

        /// <summary>Applied to every line before it is logged or parsed (the channel masks secrets a server echoes).</summary>
        public Func<string, string>? LineFilter { get; set; }

        /// <summary>True when bytes the server sent are waiting unread (must be false when TLS starts).</summary>
        public bool HasBufferedData => _start < _end;

        /// <summary>Reads one complete reply.</summary>
        public async Task<SmtpReply> ReadReplyAsync(SmtpPhase phase, CancellationToken cancellationToken)
        {
            var lines = new List<string>();
            int code = 0;
            long total = 0;
            while (true)
            {
                string line = await ReadLineAsync(phase, cancellationToken).ConfigureAwait(false);
                total += line.Length + 2;
                if (total > MaxReplyLength)
                    throw Invalid(SmtpErrorCodes.ReplyTooLong, phase,
                        $"The server at {ServerHost} sent a reply longer than {MaxReplyLength} bytes.");
                if (LineFilter != null) line = LineFilter(line);
                LineReceived?.Invoke(line);
                int lineCode = ParseCode(line, phase);
                if (lines.Count > 0 && lineCode != code)
                    throw Invalid(SmtpErrorCodes.InvalidReply, phase,
                        $"The server at {ServerHost} changed the reply code inside a multi-line reply ({code}, then {lineCode}).");
                code = lineCode;
                bool last;
                if (line.Length == 3) last = true;
                else if (line[3] == ' ') last = true;
                else if (line[3] == '-') last = false;
                else throw Invalid(SmtpErrorCodes.InvalidReply, phase,
                    $"The server at {ServerHost} sent a reply line that isn't SMTP: {Excerpt(line)}");
                lines.Add(line.Length > 4 ? line.Substring(4) : "");
                if (last) return new SmtpReply(code, lines);
            }
        }

        private int ParseCode(string line, SmtpPhase phase)
        {
            if (line.Length < 3 || line[0] < '2' || line[0] > '5' || !IsDigit(line[1]) || !IsDigit(line[2]))
                throw Invalid(SmtpErrorCodes.InvalidReply, phase,
                    $"The server at {ServerHost} sent a reply line that isn't SMTP: {Excerpt(line)}");
            return (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
        }

        private static bool IsDigit(char c) => c >= '0' && c <= '9';

        private async Task<string> ReadLineAsync(SmtpPhase phase, CancellationToken cancellationToken)
        {
            _lineLength = 0;
            while (true)
            {
                if (_start == _end)
                {
                    int n = await Stream.ReadAsync(_buffer, 0, _buffer.Length, cancellationToken).ConfigureAwait(false);
                    if (n <= 0)
                        throw new SmtpProtocolException(SmtpErrorCodes.ConnectionClosed,
                            $"The server at {ServerHost} closed the " +
                                "connection" + (_lineLength > 0 ? " in the middle of a reply." : " without a reply."), phase, ServerHost)
                        { RecommendedAction = "Reconnect and try again; check the server's logs if it keeps happening." };
                    _start = 0;
                    _end = n;
                }
                int nl = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
                int take = (nl < 0 ? _end : nl) - _start;
                Append(take, phase);
                _start += take;
                if (nl >= 0)
                {
                    _start++; // the LF
                    int len = _lineLength;
                    if (len > 0 && _line[len - 1] == (byte)'\r') len--;
                    return Encoding.UTF8.GetString(_line, 0, len); // invalid bytes become U+FFFD, never an exception
                }
            }
        }

        private void Append(int count, SmtpPhase phase)
        {
            if (_lineLength + count > MaxLineLength)
                throw Invalid(SmtpErrorCodes.ReplyTooLong, phase,
                    $"The server at {ServerHost} sent a reply line longer than {MaxLineLength} bytes.");
            if (_lineLength + count > _line.Length)
            {
                int size = _line.Length;
                while (size < _lineLength + count) size *= 2;
                Array.Resize(ref _line, Math.Min(size, MaxLineLength + 1));
            }
            Buffer.BlockCopy(_buffer, _start, _line, _lineLength, count);
            _lineLength += count;
        }

        private SmtpProtocolException Invalid(ErrorCode code, SmtpPhase phase, string message) =>
            new SmtpProtocolException(code, message, phase, ServerHost)
            {
                RecommendedAction = "Check that the host and port are an SMTP server (not another protocol or an intercepting proxy).",
            };

        private static string Excerpt(string line)
        {
            var sb = new StringBuilder();
            foreach (char c in line.Length > 60 ? line.Substring(0, 60) : line)
                sb.Append(c < ' ' || c == 0x7f ? '?' : c);
            return "'" + sb + (line.Length > 60 ? "…'" : "'");
        }
    }
}
