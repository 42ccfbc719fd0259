using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using M365SmtpTools.Engine.Mime;

namespace M365SmtpTools.Engine.Smtp
{
    /// <summary>
    /// An SMTP submission client (RFC 5321 with STARTTLS, AUTH, PIPELINING, CHUNKING, SIZE, 8BITMIME, SMTPUTF8, DSN).
    /// One instance is one session: connect, optionally authenticate, send any number of messages, quit.
    /// Not thread-safe: use one instance per concurrent session.
    /// </summary>
    public sealed partial class SmtpClient : IDisposable
    {
        /// <summary>The longest AUTH command line that carries an initial response (RFC 4954 lets servers limit it to 12288
        /// octets).</summary>
        internal const int MaxAuthLineLength = 12288;

        private SmtpChannel? _channel;
        private SmtpConnectOptions _options = new SmtpConnectOptions();
        private bool _disposed;

        /// <summary>The host connected to (as given).</summary>
        public string? Host { get; private set; }

        /// <summary>The port connected to.</summary>
        public int Port { get; private set; }

        /// <summary>True while the session is usable.</summary>
        public bool IsConnected => _channel != null && !_channel.IsBroken;

        /// <summary>True when the session runs over TLS.</summary>
        public bool IsSecure => _channel?.IsSecure == true;

        /// <summary>True after a successful AUTH.</summary>
        public bool IsAuthenticated { get; private set; }

        /// <summary>The user that authenticated, when one did.</summary>
        public string? AuthenticatedUser { get; private set; }

        /// <summary>The mechanism used by the successful AUTH.</summary>
        public string? AuthenticationMechanism { get; private set; }

        /// <summary>The server's greeting.</summary>
        public SmtpReply? Greeting { get; private set; }

        /// <summary>The current capabilities (after STARTTLS, the ones announced over TLS only).</summary>
        public SmtpCapabilities Capabilities { get; private set; } = SmtpCapabilities.None("");

        /// <summary>True when the connection's <see cref="SmtpConnectOptions.ServerRules"/> know this server (by host or EHLO
        /// name).</summary>
        public bool IsKnownServer => _options.ServerRules?.Recognizes(Host, Capabilities.ServerName) == true;

        /// <summary>The TLS session, when there is one.</summary>
        public TlsSessionInfo? TlsSession { get; private set; }

        /// <summary>
        /// Connects, reads the greeting, says EHLO, and negotiates TLS as <paramref name="options"/> says
        /// (STARTTLS required by default). A connection the options' <see cref="SmtpConnectOptions.ServerRules"/> know the
        /// server refuses (for Exchange Online: port 465 or implicit TLS) fails before connecting.
        /// </summary>
        public async Task ConnectAsync(string host, int port, SmtpConnectOptions? options = null,
            CancellationToken cancellationToken = default)
        {
            if (string.IsNullOrWhiteSpace(host)) throw new ArgumentException("The SMTP server's host name is required.", nameof(host));
            if (port < 1 || port > 65535) throw new ArgumentOutOfRangeException(nameof(port), "The port must be between 1 and 65535.");
            options ??= new SmtpConnectOptions();
            PrepareConnect(host, port, options);
            if (options.ServerRules?.RefuseConnection(host, port, options.TlsMode) is SmtpProtocolException refused) throw refused;

            options.Host.WriteVerbose($"Connecting to {host} port {port} (TLS: {options.TlsMode}).");
            Socket socket = await SmtpChannel.ConnectSocketAsync(host, port, options.ConnectTimeout, cancellationToken)
                .ConfigureAwait(false);
            var channel = new SmtpChannel(new NetworkStream(socket, ownsSocket: true), socket, host, options) { Phase = SmtpPhase.Connect };
            channel.Note($"connected to {SmtpChannel.EndPointText(socket, remote: true) ?? "(reset)"} " +
                $"from {SmtpChannel.EndPointText(socket, remote: false)}");
            await StartSessionAsync(channel, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Runs a session over an already-open stream (replay tests). TLS modes other than None need a real socket
        /// stream.</summary>
        internal Task ConnectAsync(Stream stream, string host, SmtpConnectOptions options, CancellationToken cancellationToken = default)
        {
            PrepareConnect(host, 25, options);
            var channel = new SmtpChannel(stream, null, host, options) { Phase = SmtpPhase.Connect };
            return StartSessionAsync(channel, cancellationToken);
        }

        private void PrepareConnect(string host, int port, SmtpConnectOptions options)
        {
            ThrowIfDisposed();
            if (_channel != null && !_channel.IsBroken)
                throw new InvalidOperationException("The client is already connected; quit or dispose it first.");
            _channel?.Dispose();
            _channel = null;
            _options = options;
            Host = host;
            Port = port;
            IsAuthenticated = false;
            AuthenticatedUser = null;
            AuthenticationMechanism = null;
            TlsSession = null;
            Greeting = null;
            Capabilities = SmtpCapabilities.None("");
        }

        private async Task StartSessionAsync(SmtpChannel channel, CancellationToken cancellationToken)
        {
            _channel = channel;
            try
            {
                if (_options.TlsMode == SmtpTlsMode.ImplicitTls)
                    await NegotiateTlsAsync(cancellationToken).ConfigureAwait(false);

                channel.Phase = SmtpPhase.Greeting;
                SmtpReply greeting = await channel.ReadReplyAsync(cancellationToken).ConfigureAwait(false);
                Greeting = greeting;
                if (greeting.Code != 220)
                    throw new SmtpProtocolException(SmtpErrorCodes.GreetingRejected, SmtpErrors.KindFor(greeting, SmtpPhase.Greeting),
                        $"The server at {Host} refused the session: {greeting.Code} {greeting.Text}", SmtpPhase.Greeting, Host, greeting)
                    { RecommendedAction = "The server doesn't accept connections from this client now; try later or check its " +
                        "access rules." };

                await EhloAsync(cancellationToken).ConfigureAwait(false);

                if ((_options.TlsMode == SmtpTlsMode.StartTlsRequired || _options.TlsMode == SmtpTlsMode.StartTlsWhenAvailable)
                    && !channel.IsSecure)
                    await StartTlsAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception)
            {
                channel.Abort();
                throw;
            }
        }

        private async Task EhloAsync(CancellationToken cancellationToken)
        {
            SmtpChannel c = Channel;
            c.Phase = SmtpPhase.Ehlo;
            string name = LocalDomain(c);
            await c.WriteLineAsync("EHLO " + name, cancellationToken).ConfigureAwait(false);
            SmtpReply reply = await c.ReadReplyAsync(cancellationToken).ConfigureAwait(false);
            if (reply.IsPositiveCompletion)
            {
                Capabilities = SmtpCapabilities.Parse(reply);
                c.KnownServer = IsKnownServer ? _options.ServerRules : null;
                return;
            }
            if (!reply.IsPermanentFailure)
                throw new SmtpProtocolException(SmtpErrorCodes.EhloRejected, SmtpErrors.KindFor(reply, SmtpPhase.Ehlo),
                    $"The server at {Host} refused EHLO: {reply.Code} {reply.Text}", SmtpPhase.Ehlo, Host, reply)
                { RecommendedAction = "Try again later." };
            if (_options.TlsMode == SmtpTlsMode.StartTlsRequired && !c.IsSecure)
                throw new SmtpProtocolException(SmtpErrorCodes.StartTlsNotOffered,
                    $"The server at {Host} refused EHLO ({reply.Code} {reply.Text}), so STARTTLS can't be negotiated and TLS is required; nothing else was sent.",
                    SmtpPhase.Ehlo, Host, reply)
                { RecommendedAction = "Use a server that supports ESMTP and STARTTLS." };
            await c.WriteLineAsync("HELO " + name, cancellationToken).ConfigureAwait(false);
            SmtpReply helo = await c.ReadReplyAsync(cancellationToken).ConfigureAwait(false);
            if (!helo.IsPositiveCompletion)
                throw new SmtpProtocolException(SmtpErrorCodes.EhloRejected, SmtpErrors.KindFor(helo, SmtpPhase.Ehlo),
                    $"The server at {Host} refused EHLO and HELO: {helo.Code} {helo.Text}", SmtpPhase.Ehlo, Host, helo)
                { RecommendedAction = "Set the local domain name sent in EHLO to a name the server accepts." };
            Capabilities = SmtpCapabilities.None(helo.Lines[0].Split(' ')[0]);
        }

        private async Task StartTlsAsync(CancellationToken cancellationToken)
        {
            SmtpChannel c = Channel;
            c.Phase = SmtpPhase.StartTls;
            bool required = _options.TlsMode == SmtpTlsMode.StartTlsRequired;
            if (!Capabilities.SupportsStartTls)
            {
                if (required)
                    throw new SmtpProtocolException(SmtpErrorCodes.StartTlsNotOffered,
                        $"The server at {Host} did not offer STARTTLS and TLS is required; the connection was closed without " +
                            "authenticating or sending mail.", SmtpPhase.StartTls, Host)
                    { RecommendedAction = "Check that this is the right server and port (587 for Microsoft 365). A firewall or proxy " +
                        "that strips STARTTLS would also cause this." };
                _options.Host.WriteWarning($"The server at {Host} did not offer STARTTLS: the session continues without encryption.");
                return;
            }
            await c.WriteLineAsync("STARTTLS", cancellationToken).ConfigureAwait(false);
            SmtpReply reply = await c.ReadReplyAsync(cancellationToken).ConfigureAwait(false);
            if (reply.Code != 220)
            {
                if (required)
                    throw new SmtpProtocolException(SmtpErrorCodes.StartTlsRefused,
                        $"The server at {Host} refused STARTTLS ({reply.Code} {reply.Text}) and TLS is required; the connection was closed without authenticating or sending mail.",
                        SmtpPhase.StartTls, Host, reply)
                    { RecommendedAction = "Check the server's TLS configuration (certificate, protocols)." };
                _options.Host.WriteWarning($"The server at {Host} refused STARTTLS ({reply.Code} {reply.Text}): the session continues " +
                    "without encryption.");
                return;
            }
            await NegotiateTlsAsync(cancellationToken).ConfigureAwait(false);
            // RFC 3207: forget everything learnt before TLS and ask again.
            Capabilities = SmtpCapabilities.None("");
            await EhloAsync(cancellationToken).ConfigureAwait(false);
        }

        private async Task NegotiateTlsAsync(CancellationToken cancellationToken)
        {
            SmtpChannel c = Channel;
            SmtpPhase phase = _options.TlsMode == SmtpTlsMode.ImplicitTls ? SmtpPhase.Connect : SmtpPhase.StartTls;
            c.Phase = phase;
            var negotiator = new SmtpTlsNegotiator(_options.TlsPolicy ?? new TlsPolicy(), _options.Host, Host!);
            TlsSessionInfo info = await c.StartTlsAsync(negotiator, cancellationToken).ConfigureAwait(false);
            TlsSession = info;
            c.Note("TLS negotiated: " + info);
            _options.Host.WriteVerbose($"TLS with {Host}: {info}");
        }

        /// <summary>
        /// Authenticates. With <see cref="SmtpAuthMechanism.Auto"/> the client picks the best mechanism the server offers
        /// for the credential's kind. Failure (e.g. 535 5.7.3) is an <see cref="SmtpCommandException"/>; the session stays usable.
        /// </summary>
        public async Task<SmtpReply> AuthenticateAsync(SmtpCredential credential, SmtpAuthMechanism mechanism = SmtpAuthMechanism.Auto,
            CancellationToken cancellationToken = default)
        {
            if (credential == null) throw new ArgumentNullException(nameof(credential));
            SmtpChannel c = Channel;
            c.Phase = SmtpPhase.Auth;
            if (IsAuthenticated)
                throw new SmtpCommandException(SmtpErrorCodes.AlreadyAuthenticated,
                    $"This session to {Host} is already authenticated as {AuthenticatedUser}.", SmtpPhase.Auth, Host);
            if ((_options.TlsMode == SmtpTlsMode.StartTlsRequired || _options.TlsMode == SmtpTlsMode.ImplicitTls) && !c.IsSecure)
                throw new SmtpProtocolException(SmtpErrorCodes.TlsRequired,
                    $"The session to {Host} isn't encrypted and TLS is required; credentials were not sent.", SmtpPhase.Auth, Host);
            if (Capabilities.AuthMechanisms.Count == 0)
                throw new SmtpCommandException(SmtpErrorCodes.AuthNotOffered,
                    $"The server at {Host} doesn't " +
                        "offer AUTH" + (c.IsSecure ? "." : " on this unencrypted session (many servers offer it only after STARTTLS)."),
                    SmtpPhase.Auth, Host)
                { RecommendedAction = "Check the port (587 for client submission) and that SMTP AUTH is enabled on the server." };

            SmtpAuthMechanism chosen = ChooseMechanism(credential, mechanism);
            string mechName = SaslMechanism.NameOf(chosen);
            if (!c.IsSecure)
                _options.Host.WriteWarning($"Sending {mechName} credentials for {credential.UserName} to {Host} without TLS.");

            string secret = await credential.GetSecretAsync(cancellationToken).ConfigureAwait(false);
            c.AddSecret(secret);
            using SaslMechanism sasl = SaslMechanism.Create(chosen, credential.UserName, secret, Host!, Port);
            secret = null!; // drop our reference as soon as the mechanism holds the bytes
            _options.Host.WriteVerbose($"Authenticating to {Host} as {credential.UserName} with {mechName}.");

            bool initialSent = false;
            await c.WriteTextAsync("AUTH " + mechName, SmtpWriteKind.Normal, cancellationToken).ConfigureAwait(false);
            if (sasl.HasInitialResponse && _options.UseSaslInitialResponse)
            {
                byte[] initial = sasl.InitialResponse();
                string encoded = initial.Length == 0 ? "=" : Convert.ToBase64String(initial);
                Array.Clear(initial, 0, initial.Length);
                if (("AUTH " + mechName + " ").Length + encoded.Length + 2 <= MaxAuthLineLength)
                {
                    await c.WriteTextAsync(" ", SmtpWriteKind.Normal, cancellationToken).ConfigureAwait(false);
                    await c.WriteTextAsync(encoded, SmtpWriteKind.Secret, cancellationToken).ConfigureAwait(false);
                    initialSent = true;
                }
            }
            await c.WriteTextAsync("\r\n", SmtpWriteKind.Normal, cancellationToken).ConfigureAwait(false);

            for (int round = 0; ; round++)
            {
                SmtpReply reply = await c.ReadReplyAsync(cancellationToken).ConfigureAwait(false);
                if (reply.Code == 235 || reply.IsPositiveCompletion)
                {
                    IsAuthenticated = true;
                    AuthenticatedUser = credential.UserName;
                    AuthenticationMechanism = mechName;
                    _options.Host.WriteVerbose($"Authenticated to {Host} as {credential.UserName} ({mechName}).");
                    return reply;
                }
                if (reply.Code == 334 && round >= 10)
                {
                    // A server that keeps challenging: cancel the exchange (RFC 4954) and report its answer.
                    await c.WriteLineAsync("*", cancellationToken).ConfigureAwait(false);
                    reply = await c.ReadReplyAsync(cancellationToken).ConfigureAwait(false);
                }
                if (reply.Code != 334 || round >= 10)
                {
                    var failure = SmtpErrors.CommandFailed(SmtpErrorCodes.AuthenticationFailed, SmtpPhase.Auth, Host, reply,
                        $"Authentication as {credential.UserName} with {mechName} failed", c.KnownServer, sasl.ErrorDetail);
                    failure.ServerErrorDetail = sasl.ErrorDetail;
                    throw SessionEndedIfClosed(failure);
                }
                byte[]? challenge = DecodeChallenge(reply.Text);
                byte[]? response = challenge == null ? null : sasl.Respond(challenge, initialSent);
                initialSent = true;
                string line = response == null ? "*" : Convert.ToBase64String(response);
                if (response != null) Array.Clear(response, 0, response.Length);
                await c.WriteTextAsync(line, SmtpWriteKind.Secret, cancellationToken).ConfigureAwait(false);
                await c.WriteTextAsync("\r\n", SmtpWriteKind.Normal, cancellationToken).ConfigureAwait(false);
            }
        }

        private SmtpAuthMechanism ChooseMechanism(SmtpCredential credential, SmtpAuthMechanism requested)
        {
            string offered = string.Join(" ", Capabilities.AuthMechanisms);
            if (requested != SmtpAuthMechanism.Auto)
            {
                bool tokenMech = requested == SmtpAuthMechanism.XOAuth2 || requested == SmtpAuthMechanism.OAuthBearer;
                if (tokenMech != (credential.Kind == SmtpSecretKind.AccessToken))
                    throw new ArgumentException($"{SaslMechanism.NameOf(requested)} needs " +
                        $"{(tokenMech ? "an access token" : "a password")}, but the credential holds " +
                        $"{(credential.Kind == SmtpSecretKind.AccessToken ? "an access token" : "a password")}.", nameof(requested));
                if (!Capabilities.SupportsAuth(SaslMechanism.NameOf(requested)))
                    throw new SmtpCommandException(SmtpErrorCodes.AuthMechanismNotOffered,
                        $"The server at {Host} doesn't offer AUTH {SaslMechanism.NameOf(requested)} (it offers: {offered}).",
                        SmtpPhase.Auth, Host)
                    { RecommendedAction = "Choose one of the offered mechanisms, or let the client choose." };
                return requested;
            }
            SmtpAuthMechanism[] ranking = credential.Kind == SmtpSecretKind.AccessToken
                ? new[] { SmtpAuthMechanism.XOAuth2, SmtpAuthMechanism.OAuthBearer }
                : new[] { SmtpAuthMechanism.Plain, SmtpAuthMechanism.Login };
            foreach (SmtpAuthMechanism m in ranking)
                if (Capabilities.SupportsAuth(SaslMechanism.NameOf(m))) return m;
            throw new SmtpCommandException(SmtpErrorCodes.AuthMechanismNotOffered,
                $"The server at {Host} offers no AUTH mechanism " +
                    $"for {(credential.Kind == SmtpSecretKind.AccessToken ? "an access token" : "a password")} (it offers: {offered}).",
                SmtpPhase.Auth, Host)
            {
                RecommendedAction = credential.Kind == SmtpSecretKind.AccessToken
                    ? "The server doesn't support OAuth for SMTP; use a password credential or another server."
                    : "The server accepts only tokens; use OAuth (XOAUTH2).",
            };
        }

        private static byte[]? DecodeChallenge(string text)
        {
            string t = text.Trim();
            if (t.Length == 0) return Array.Empty<byte>();
            try
            {
                return Convert.FromBase64String(t);
            }
            catch (FormatException)
            {
                return null; // not base64: cancel the exchange with "*"
            }
        }

        /// <summary>Closes the connection without QUIT.</summary>
        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            _channel?.Dispose();
        }

        private SmtpChannel Channel
        {
            get
            {
                ThrowIfDisposed();
                if (_channel == null || _channel.IsBroken)
                    throw new SmtpProtocolException(SmtpErrorCodes.NotConnected,
                        Host == null ? "The SMTP client isn't connected." : $"The connection to {Host} is closed.", SmtpPhase.Connect, Host)
                    { RecommendedAction = "Connect first (again, after a connection failure)." };
                return _channel;
            }
        }

        private void ThrowIfDisposed()
        {
            if (_disposed) throw new ObjectDisposedException(nameof(SmtpClient));
        }

        private string LocalDomain(SmtpChannel c)
        {
            if (!string.IsNullOrWhiteSpace(_options.LocalDomain)) return _options.LocalDomain!.Trim();
            string name = "";
            try { name = System.Net.Dns.GetHostName(); } catch (SocketException) { }
            if (Regex.IsMatch(name, @"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"))
                return name;
            if (c.LocalEndPoint is IPEndPoint ip)
            {
                IPAddress a = ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address;
                return a.AddressFamily == AddressFamily.InterNetworkV6 ? "[IPv6:" + a + "]" : "[" + a + "]";
            }
            return string.IsNullOrEmpty(name) ? "localhost" : name;
        }
    }
}
