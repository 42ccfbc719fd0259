using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace M365SmtpTools.Engine.Smtp
{
    /// <summary>
    /// The byte pipe of one SMTP session: a buffered writer, the bounded reply reader, the transcript, and the
    /// per-operation timeout. Any I/O failure marks it broken and surfaces as <see cref="SmtpProtocolException"/>.
    /// </summary>
    internal sealed class SmtpChannel : IDisposable
    {
        private static readonly Encoding Utf8 = new UTF8Encoding(false);
        private readonly Socket? _socket;
        private readonly SmtpReplyReader _reader;
        private readonly SmtpTranscriptRecorder _transcript;
        private readonly Auth.SecretForms _secrets = new Auth.SecretForms();
        private readonly byte[] _out = new byte[16 * 1024];
        private int _outCount;
        private Stream _stream;
        private int _aborted;

        public SmtpChannel(Stream stream, Socket? socket, string host, SmtpConnectOptions options)
        {
            _stream = stream;
            _socket = socket;
            Host = host;
            CommandTimeout = options.CommandTimeout;
            _transcript = new SmtpTranscriptRecorder(options.TranscriptLogger, !options.IncludeSecretsInTranscript);
            _reader = new SmtpReplyReader(stream, host)
            {
                MaxLineLength = options.MaxReplyLineLength,
                MaxReplyLength = options.MaxReplyLength,
                LineReceived = _transcript.ServerLine,
            };
            // A server that echoes what the client sent (AUTH XOAUTH2 <blob>, the token, its base64 forms) must not get
            // a secret into a reply: every line is masked before it is logged, parsed or put in an error.
            _reader.LineFilter = line => _secrets.Redact(line, SmtpTranscript.RedactedText);
        }

        public string Host { get; }

        public TimeSpan CommandTimeout { get; set; }

        public SmtpPhase Phase
        {
            get => _transcript.Phase;
            set => _transcript.Phase = value;
        }

        public bool IsBroken => _aborted != 0;

        /// <summary>The rules of the service this session is with, once EHLO says it is one they know: failures get their advice.</summary>
        public ISmtpServerRules? KnownServer { get; set; }

        public bool IsSecure => _stream is SslStream;

        public EndPoint? LocalEndPoint => _socket?.LocalEndPoint;

        public void Note(string text) => _transcript.Info(text);

        /// <summary>Registers a secret (a password or token) whose forms are masked in every server line from now on.</summary>
        public void AddSecret(string secret) => _secrets.Add(secret);

        public Task WriteLineAsync(string line, CancellationToken cancellationToken)
            => WriteTextAsync(line + "\r\n", SmtpWriteKind.Normal, cancellationToken);

        public Task WriteTextAsync(string text, SmtpWriteKind kind, CancellationToken cancellationToken)
        {
            byte[] bytes = Utf8.GetBytes(text);
            return WriteAsync(bytes, 0, bytes.Length, kind, cancellationToken);
        }

        /// <summary>Buffers bytes for the server; sends when the buffer fills.</summary>
        public async Task WriteAsync(byte[] buffer, int offset, int count, SmtpWriteKind kind, CancellationToken cancellationToken)
        {
            ThrowIfBroken();
            if (kind == SmtpWriteKind.Secret) _secrets.Add(Utf8.GetString(buffer, offset, count).Trim());
            _transcript.ClientBytes(buffer, offset, count, kind);
            while (count > 0)
            {
                int n = Math.Min(count, _out.Length - _outCount);
                Buffer.BlockCopy(buffer, offset, _out, _outCount, n);
                _outCount += n;
                offset += n;
                count -= n;
                if (_outCount == _out.Length) await FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>Sends what is buffered.</summary>
        public Task FlushAsync(CancellationToken cancellationToken)
        {
            if (_outCount == 0) return Task.CompletedTask;
            return GuardAsync(async token =>
            {
                try
                {
                    await _stream.WriteAsync(_out, 0, _outCount, token).ConfigureAwait(false);
                    await _stream.FlushAsync(token).ConfigureAwait(false);
                }
                finally
                {
                    Array.Clear(_out, 0, _outCount); // secrets don't linger in the buffer
                    _outCount = 0;
                }
                return true;
            }, cancellationToken);
        }

        /// <summary>Sends what is buffered, then reads one reply.</summary>
        public async Task<SmtpReply> ReadReplyAsync(CancellationToken cancellationToken)
        {
            await FlushAsync(cancellationToken).ConfigureAwait(false);
            SmtpPhase phase = Phase;
            SmtpReply reply = await GuardAsync(token => _reader.ReadReplyAsync(phase, token), cancellationToken).ConfigureAwait(false);
            if (reply.Code == 421)
            {
                // RFC 5321 3.8: 421 means the server is closing the transmission channel; nothing more can be sent.
                Note("the server is closing the session (421)");
                Abort();
            }
            return reply;
        }

        /// <summary>Runs the TLS handshake over the current stream and switches to the TLS stream.</summary>
        public async Task<TlsSessionInfo> StartTlsAsync(SmtpTlsNegotiator negotiator, CancellationToken cancellationToken)
        {
            if (_reader.HasBufferedData)
            {
                // Bytes after "220 Ready to start TLS" were sent in clear text and would be read as if they came over TLS.
                Abort();
                throw new SmtpProtocolException(SmtpErrorCodes.StartTlsInjection,
                    $"The server at {Host} sent data after agreeing to start TLS; it could be injected by an attacker, " +
                        "so the connection was closed.", SmtpPhase.StartTls, Host)
                { RecommendedAction = "Check the network path to the server (a proxy or firewall may interfere with STARTTLS)." };
            }
            try
            {
                (SslStream ssl, TlsSessionInfo info) = await GuardAsync(_ => negotiator.AuthenticateAsync(_stream),
                    cancellationToken).ConfigureAwait(false);
                _stream = ssl;
                _reader.Stream = ssl;
                return info;
            }
            catch (SmtpProtocolException ex) when (ex.Code != SmtpErrorCodes.Timeout && ex.Code != SmtpErrorCodes.TlsProtocolNotAllowed)
            {
                string? reason = negotiator.RejectionReason;
                throw new SmtpProtocolException(reason != null ? SmtpErrorCodes.CertificateInvalid : SmtpErrorCodes.TlsHandshakeFailed,
                    reason != null
                        ? $"The TLS certificate of {Host} (checked for '{negotiator.TargetName}') was rejected: {reason}"
                        : $"The TLS handshake with {Host} failed: {ex.InnerException?.Message}",
                    Phase, Host, null, ex.InnerException ?? ex)
                {
                    TlsSession = negotiator.Info.Subject != null ? negotiator.Info : null,
                    RecommendedAction = reason != null
                        ? "Connect with the name on the server's certificate, or trust its issuing CA. Skip validation only for " +
                            "test servers."
                        : "Check that the server supports TLS 1.2 or later (older versions are refused) and that the client certificate, " +
                            "if any, is accepted.",
                };
            }
        }

        /// <summary>Closes the connection at once (a timeout, a cancellation, a failure, or the end of the session).</summary>
        public void Abort()
        {
            if (Interlocked.Exchange(ref _aborted, 1) != 0) return;
            try { _stream.Dispose(); } catch (Exception) { /* closing anyway */ }
            try { _socket?.Dispose(); } catch (Exception) { /* closing anyway */ }
        }

        public void Dispose() => Abort();

        private void ThrowIfBroken()
        {
            if (IsBroken)
                throw new SmtpProtocolException(SmtpErrorCodes.NotConnected, $"The connection to {Host} is closed.", Phase, Host)
                { RecommendedAction = "Connect again." };
        }

        /// <summary>Runs one I/O operation under the command timeout and the caller's cancellation.</summary>
        private async Task<T> GuardAsync<T>(Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
        {
            // Cancellation first: cancelling aborts the connection (below), so an operation that starts after it would
            // otherwise report the closed connection instead of the cancellation.
            cancellationToken.ThrowIfCancellationRequested();
            ThrowIfBroken();
            using var timeout = new CancellationTokenSource();
            if (CommandTimeout > TimeSpan.Zero && CommandTimeout != Timeout.InfiniteTimeSpan) timeout.CancelAfter(CommandTimeout);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            // Some platforms ignore the token on socket reads: closing the connection is what really stops them.
            using (linked.Token.Register(Abort))
            {
                try
                {
                    return await operation(linked.Token).ConfigureAwait(false);
                }
                catch (SmtpProtocolException)
                {
                    Abort();
                    throw;
                }
                catch (Exception ex) when (ex is IOException || ex is ObjectDisposedException || ex is SocketException
                    || ex is OperationCanceledException || ex is AuthenticationException || ex is InvalidOperationException)
                {
                    Abort();
                    if (cancellationToken.IsCancellationRequested)
                        throw new OperationCanceledException("The SMTP operation was cancelled.", ex, cancellationToken);
                    if (timeout.IsCancellationRequested)
                        throw new SmtpProtocolException(SmtpErrorCodes.Timeout,
                            $"The server at {Host} didn't answer within {CommandTimeout.TotalSeconds:0.###} seconds ({Phase}).",
                            Phase, Host, null, ex)
                        { RecommendedAction = "Check that the server is reachable and not overloaded, or allow a longer command timeout." };
                    throw new SmtpProtocolException(SmtpErrorCodes.ConnectionLost,
                        $"The connection to {Host} was lost ({Phase}): {ex.Message}", Phase, Host, null, ex)
                    { RecommendedAction = "Reconnect and try again; if it keeps happening, check firewalls and the server's logs." };
                }
            }
        }

        /// <summary>
        /// A socket's remote or local end point as text, or null when the peer already reset the connection (the
        /// socket then throws instead of answering); the next read reports that reset as the engine's own error.
        /// </summary>
        public static string? EndPointText(Socket socket, bool remote)
        {
            try { return (remote ? socket.RemoteEndPoint : socket.LocalEndPoint)?.ToString(); }
            catch (SocketException) { return null; }
            catch (ObjectDisposedException) { return null; }
        }

        /// <summary>Opens a TCP connection to the first address of <paramref name="host"/> that answers.</summary>
        public static async Task<Socket> ConnectSocketAsync(string host, int port, TimeSpan timeout, CancellationToken cancellationToken)
        {
            using var timeoutCts = new CancellationTokenSource();
            if (timeout > TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan) timeoutCts.CancelAfter(timeout);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutCts.Token);
            IPAddress[] addresses;
            string hostForDns = host.Trim('[', ']');
            if (IPAddress.TryParse(hostForDns, out IPAddress? literal))
                addresses = new[] { literal };
            else
            {
                try
                {
                    Task<IPAddress[]> lookup = System.Net.Dns.GetHostAddressesAsync(hostForDns);
                    Task done = await Task.WhenAny(lookup, Task.Delay(Timeout.Infinite, linked.Token)).ConfigureAwait(false);
                    if (done != lookup) linked.Token.ThrowIfCancellationRequested();
                    addresses = await lookup.ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw ConnectTimeout(host, port, timeout, null);
                }
                catch (SocketException ex)
                {
                    throw new SmtpProtocolException(SmtpErrorCodes.HostNotFound,
                        $"The SMTP server name '{host}' can't be resolved: {ex.Message}", SmtpPhase.Connect, host, null, ex)
                    { RecommendedAction = "Check the server name (for Microsoft 365 client submission: smtp.office365.com) and DNS." };
                }
            }
            if (addresses.Length == 0)
                throw new SmtpProtocolException(SmtpErrorCodes.HostNotFound, $"The SMTP server name '{host}' has no addresses.",
                    SmtpPhase.Connect, host)
                { RecommendedAction = "Check the server name and DNS." };

            Exception? last = null;
            foreach (IPAddress address in addresses.OrderBy(a => a.AddressFamily == AddressFamily.InterNetworkV6 ? 1 : 0))
            {
                var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    using (linked.Token.Register(() => socket.Dispose()))
                        await socket.ConnectAsync(new IPEndPoint(address, port)).ConfigureAwait(false);
                    linked.Token.ThrowIfCancellationRequested();
                    return socket;
                }
                catch (Exception ex) when (ex is SocketException || ex is ObjectDisposedException || ex is OperationCanceledException)
                {
                    socket.Dispose();
                    if (cancellationToken.IsCancellationRequested)
                        throw new OperationCanceledException("Connecting was cancelled.", ex, cancellationToken);
                    if (timeoutCts.IsCancellationRequested) throw ConnectTimeout(host, port, timeout, ex);
                    last = ex;
                }
            }
            throw new SmtpProtocolException(SmtpErrorCodes.ConnectFailed,
                $"Can't connect to {host} port {port} ({string.Join(", ", addresses.Select(a => a.ToString()))}): {last?.Message}",
                SmtpPhase.Connect, host, null, last)
            { RecommendedAction = "Check the host and port, and that a firewall allows outbound connections to it (port 25 is often " +
                "blocked by ISPs and cloud providers)." };
        }

        private static SmtpProtocolException ConnectTimeout(string host, int port, TimeSpan timeout, Exception? inner) =>
            new SmtpProtocolException(SmtpErrorCodes.ConnectTimeout,
                $"Connecting to {host} port {port} took longer than {timeout.TotalSeconds:0.###} seconds.",
                SmtpPhase.Connect, host, null, inner)
            { RecommendedAction = "Check that the port isn't blocked by a firewall, or allow a longer connect timeout." };
    }
}
