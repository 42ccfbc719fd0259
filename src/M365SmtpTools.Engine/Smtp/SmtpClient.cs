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
        /// <summary>The longest AUTH command line that carries an initial response (RFC 4954 lets servers limit it to 12288 octets).</summary>
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

        /// <summary>True when the connection's <see cref="SmtpConnectOptions.ServerRules"/> know this server (by host or EHLO name).</summary>
        public bool IsKnownServer => _options.ServerRules?.Recognizes(Host, Capabilities.ServerName) == true;

        /// <summary>The TLS session, when there is one.</summary>
        public TlsSessionInfo? TlsSession { get; private set; }

        /// <summary>
        /// Connects, reads the greeting, says EHLO, and negotiates TLS as <paramref name="options"/> says
        /// (STARTTLS required by default). A connection the options' <see cref="SmtpConnectOptions.ServerRules"/> know the
        /// server refuses (for Exchange Online: port 465 or implicit TLS) fails before connecting.
        /// </summary>
        public async Task ConnectAsync(string host, int port, SmtpConnectOptions? options = null, CancellationToken cancellationToken = default)
        {
            if (string.IsNullOrWhiteSpace(host)) throw new ArgumentException("The SMTP server's host name is required.", nameof(host));
            if (port < 1 || port > 65535) throw new ArgumentOutOfRangeException(nameof(port), "The port must be between 1 and 65535.");
            options ??= new SmtpConnectOptions();
            PrepareConnect(host, port, options);
            if (options.ServerRules?.RefuseConnection(host, port, options.TlsMode) is SmtpProtocolException refused) throw refused;

            options.Host.WriteVerbose($"Connecting to {host} port {port} (TLS: {options.TlsMode}).");
            Socket socket = await SmtpChannel.ConnectSocketAsync(host, port, options.ConnectTimeout, cancellationToken).ConfigureAwait(false);
            var channel = new SmtpChannel(new NetworkStream(socket, ownsSocket: true), socket, host, options) { Phase = SmtpPhase.Connect };
            channel.Note($"connected to {SmtpChannel.EndPointText(socket, remote: true) ?? "(reset)"} from {SmtpChannel.EndPointText(socket, remote: false)}");
            await StartSessionAsync(channel, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Runs a session over an already-open stream (replay tests). TLS modes other than None need a real socket stream.</summary>
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
                    throw new SmtpProtocolException("SmtpGreetingRejected", SmtpErrors.KindFor(greeting, SmtpPhase.Greeting),
                        $"The server at {Host} refused the session: {greeting.Code} {greeting.Text}", SmtpPhase.Greeting, Host, greeting)
                    { RecommendedAction = "The server doesn't accept connections from this client now; try later or check its access rules." };

                await EhloAsync(cancellationToken).ConfigureAwait(false);

                if ((_options.TlsMode == SmtpTlsMode.StartTlsRequired || _options.TlsMode == SmtpTlsMode.StartTlsWhenAvailable) && !channel.IsSecure)
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
                throw new SmtpProtocolException("SmtpEhloRejected", SmtpErrors.KindFor(reply, SmtpPhase.Ehlo), $"The server at {Host} refused EHLO: {reply.Code} {reply.Text}", SmtpPhase.Ehlo, Host, reply)
                { RecommendedAction = "Try again later." };
            if (_options.TlsMode == SmtpTlsMode.StartTlsRequired && !c.IsSecure)
                throw new SmtpProtocolException("SmtpStartTlsNotOffered", ErrorKind.SecurityError,
                    $"The server at {Host} refused EHLO ({reply.Code} {reply.Text}), so STARTTLS can't be negotiated and TLS is required; nothing else was sent.", SmtpPhase.Ehlo, Host, reply)
                { RecommendedAction = "Use a server that supports ESMTP and STARTTLS." };
            await c.WriteLineAsync("HELO " + name, cancellationToken).ConfigureAwait(false);
            SmtpReply helo = await c.ReadReplyAsync(cancellationToken).ConfigureAwait(false);
            if (!helo.IsPositiveCompletion)
                throw new SmtpProtocolException("SmtpEhloRejected", SmtpErrors.KindFor(helo, SmtpPhase.Ehlo), $"The server at {Host} refused EHLO and HELO: {helo.Code} {helo.Text}", SmtpPhase.Ehlo, Host, helo)
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
                    throw new SmtpProtocolException("SmtpStartTlsNotOffered", ErrorKind.SecurityError,
                        $"The server at {Host} did not offer STARTTLS and TLS is required; the connection was closed without authenticating or sending mail.", SmtpPhase.StartTls, Host)
                    { RecommendedAction = "Check that this is the right server and port (587 for Microsoft 365). A firewall or proxy that strips STARTTLS would also cause this." };
                _options.Host.WriteWarning($"The server at {Host} did not offer STARTTLS: the session continues without encryption.");
                return;
            }
            await c.WriteLineAsync("STARTTLS", cancellationToken).ConfigureAwait(false);
            SmtpReply reply = await c.ReadReplyAsync(cancellationToken).ConfigureAwait(false);
            if (reply.Code != 220)
            {
                if (required)
                    throw new SmtpProtocolException("SmtpStartTlsRefused", ErrorKind.SecurityError,
                        $"The server at {Host} refused STARTTLS ({reply.Code} {reply.Text}) and TLS is required; the connection was closed without authenticating or sending mail.", SmtpPhase.StartTls, Host, reply)
                    { RecommendedAction = "Check the server's TLS configuration (certificate, protocols)." };
                _options.Host.WriteWarning($"The server at {Host} refused STARTTLS ({reply.Code} {reply.Text}): the session continues without encryption.");
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
        public async Task<SmtpReply> AuthenticateAsync(SmtpCredential credential, SmtpAuthMechanism mechanism = SmtpAuthMechanism.Auto, CancellationToken cancellationToken = default)
        {
            if (credential == null) throw new ArgumentNullException(nameof(credential));
            SmtpChannel c = Channel;
            c.Phase = SmtpPhase.Auth;
            if (IsAuthenticated)
                throw new SmtpCommandException("SmtpAlreadyAuthenticated", ErrorKind.InvalidOperation, $"This session to {Host} is already authenticated as {AuthenticatedUser}.", SmtpPhase.Auth, Host);
            if ((_options.TlsMode == SmtpTlsMode.StartTlsRequired || _options.TlsMode == SmtpTlsMode.ImplicitTls) && !c.IsSecure)
                throw new SmtpProtocolException("SmtpTlsRequired", ErrorKind.SecurityError, $"The session to {Host} isn't encrypted and TLS is required; credentials were not sent.", SmtpPhase.Auth, Host);
            if (Capabilities.AuthMechanisms.Count == 0)
                throw new SmtpCommandException("SmtpAuthNotOffered", ErrorKind.InvalidOperation,
                    $"The server at {Host} doesn't offer AUTH" + (c.IsSecure ? "." : " on this unencrypted session (many servers offer it only after STARTTLS)."), SmtpPhase.Auth, Host)
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
                    var failure = SmtpErrors.CommandFailed("SmtpAuthenticationFailed", SmtpPhase.Auth, Host, reply,
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
                    throw new ArgumentException($"{SaslMechanism.NameOf(requested)} needs {(tokenMech ? "an access token" : "a password")}, but the credential holds {(credential.Kind == SmtpSecretKind.AccessToken ? "an access token" : "a password")}.", nameof(requested));
                if (!Capabilities.SupportsAuth(SaslMechanism.NameOf(requested)))
                    throw new SmtpCommandException("SmtpAuthMechanismNotOffered", ErrorKind.InvalidOperation,
                        $"The server at {Host} doesn't offer AUTH {SaslMechanism.NameOf(requested)} (it offers: {offered}).", SmtpPhase.Auth, Host)
                    { RecommendedAction = "Choose one of the offered mechanisms, or let the client choose." };
                return requested;
            }
            SmtpAuthMechanism[] ranking = credential.Kind == SmtpSecretKind.AccessToken
                ? new[] { SmtpAuthMechanism.XOAuth2, SmtpAuthMechanism.OAuthBearer }
                : new[] { SmtpAuthMechanism.Plain, SmtpAuthMechanism.Login };
            foreach (SmtpAuthMechanism m in ranking)
                if (Capabilities.SupportsAuth(SaslMechanism.NameOf(m))) return m;
            throw new SmtpCommandException("SmtpAuthMechanismNotOffered", ErrorKind.InvalidOperation,
                $"The server at {Host} offers no AUTH mechanism for {(credential.Kind == SmtpSecretKind.AccessToken ? "an access token" : "a password")} (it offers: {offered}).", SmtpPhase.Auth, Host)
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

        /// <summary>
        /// Sends one message: MAIL FROM, RCPT TO for each recipient (pipelined when offered), then DATA or BDAT.
        /// Returns when the server accepted the message; throws <see cref="SmtpCommandException"/> when it refused
        /// (the session stays usable), <see cref="SmtpProtocolException"/> when the connection died, and
        /// <see cref="SmtpDeliveryUnknownException"/> when it died after the end of the message was sent.
        /// </summary>
        public async Task<SmtpSendResult> SendAsync(SmtpEnvelope envelope, IMessageContent content, CancellationToken cancellationToken = default)
        {
            if (envelope == null) throw new ArgumentNullException(nameof(envelope));
            if (content == null) throw new ArgumentNullException(nameof(content));
            SmtpChannel c = Channel;
            c.Phase = SmtpPhase.MailFrom;
            if ((_options.TlsMode == SmtpTlsMode.StartTlsRequired || _options.TlsMode == SmtpTlsMode.ImplicitTls) && !c.IsSecure)
                throw new SmtpProtocolException("SmtpTlsRequired", ErrorKind.SecurityError, $"The session to {Host} isn't encrypted and TLS is required; the message was not sent.", SmtpPhase.MailFrom, Host);
            if (envelope.Recipients.Count == 0)
                throw new M365SmtpException("SmtpNoRecipients", ErrorKind.InvalidArgument, "The message has no recipients.") { RecommendedAction = "Give at least one To, Cc or Bcc address." };
            bool utf8Addresses = SmtpCommandText.CheckAddress(envelope.From, "sender");
            foreach (string r in envelope.Recipients) utf8Addresses |= SmtpCommandText.CheckAddress(r, "recipient");

            long size = content.ComputeSize();
            SmtpCapabilities caps = Capabilities;
            if (caps.MaxMessageSize > 0 && size > caps.MaxMessageSize)
                throw new SmtpCommandException("SmtpMessageTooLarge", ErrorKind.LimitsExceeded,
                    $"The message is {size} bytes and the server at {Host} accepts at most {caps.MaxMessageSize} bytes; nothing was sent.", SmtpPhase.MailFrom, Host)
                { RecommendedAction = "Send smaller attachments (base64 makes them about a third larger), or share them by link." };
            bool needUtf8 = content.RequiresSmtpUtf8 || utf8Addresses;
            if (needUtf8 && !caps.SupportsSmtpUtf8)
                throw new SmtpCommandException("SmtpUtf8NotSupported", ErrorKind.InvalidOperation,
                    $"The message needs SMTPUTF8 (internationalized addresses or headers) and the server at {Host} doesn't offer it; nothing was sent.", SmtpPhase.MailFrom, Host)
                { RecommendedAction = "Use ASCII addresses, or a server that supports SMTPUTF8." };
            if (content.Requires8BitMime && !caps.Supports8BitMime)
                throw new SmtpCommandException("Smtp8BitMimeNotSupported", ErrorKind.InvalidOperation,
                    $"The message has 8bit parts and the server at {Host} doesn't offer 8BITMIME; nothing was sent.", SmtpPhase.MailFrom, Host)
                { RecommendedAction = "Encode the parts as quoted-printable or base64." };
            bool dsn = envelope.WantsDsn && caps.SupportsDsn;
            if (envelope.WantsDsn && !caps.SupportsDsn)
                _options.Host.WriteWarning($"The server at {Host} doesn't offer DSN: the delivery notification options are not sent.");

            string mail = SmtpCommandText.MailFrom(envelope, caps.SupportsSize ? size : (long?)null, content.Requires8BitMime, needUtf8, dsn);
            var rcpts = envelope.Recipients.Select(r => SmtpCommandText.RcptTo(r, envelope, dsn)).ToList();
            bool pipelining = caps.SupportsPipelining && _options.UsePipelining;
            bool chunking = caps.SupportsChunking && _options.UseChunking;

            SmtpReply mailReply;
            var results = new List<SmtpRecipientResult>();
            SmtpReply? dataReply = null;
            if (pipelining)
            {
                await c.WriteLineAsync(mail, cancellationToken).ConfigureAwait(false);
                foreach (string r in rcpts) await c.WriteLineAsync(r, cancellationToken).ConfigureAwait(false);
                if (!chunking) await c.WriteLineAsync("DATA", cancellationToken).ConfigureAwait(false);
                // RFC 2920: read every reply, in order, whatever each says.
                mailReply = await c.ReadReplyAsync(cancellationToken).ConfigureAwait(false);
                c.Phase = SmtpPhase.RcptTo;
                for (int i = 0; i < rcpts.Count && !c.IsBroken; i++)
                    results.Add(new SmtpRecipientResult(envelope.Recipients[i], await c.ReadReplyAsync(cancellationToken).ConfigureAwait(false)));
                if (!chunking && !c.IsBroken)
                {
                    c.Phase = SmtpPhase.Data;
                    dataReply = await c.ReadReplyAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            else
            {
                await c.WriteLineAsync(mail, cancellationToken).ConfigureAwait(false);
                mailReply = await c.ReadReplyAsync(cancellationToken).ConfigureAwait(false);
                if (mailReply.IsPositiveCompletion)
                {
                    c.Phase = SmtpPhase.RcptTo;
                    for (int i = 0; i < rcpts.Count && !c.IsBroken; i++)
                    {
                        await c.WriteLineAsync(rcpts[i], cancellationToken).ConfigureAwait(false);
                        results.Add(new SmtpRecipientResult(envelope.Recipients[i], await c.ReadReplyAsync(cancellationToken).ConfigureAwait(false)));
                    }
                    if (!chunking && results.Any(r => r.Accepted) && !c.IsBroken)
                    {
                        c.Phase = SmtpPhase.Data;
                        await c.WriteLineAsync("DATA", cancellationToken).ConfigureAwait(false);
                        dataReply = await c.ReadReplyAsync(cancellationToken).ConfigureAwait(false);
                    }
                }
            }

            SmtpCommandException? refusal = null;
            if (!mailReply.IsPositiveCompletion)
                refusal = SmtpErrors.CommandFailed("SmtpSenderRejected", SmtpPhase.MailFrom, Host, mailReply, $"The server refused the sender <{envelope.From}>", c.KnownServer);
            else if (!results.Any(r => r.Accepted))
            {
                SmtpRecipientResult first = results[0];
                refusal = SmtpErrors.CommandFailed("SmtpRecipientsRejected", SmtpPhase.RcptTo, Host, first.Reply,
                    results.Count == 1 ? $"The server refused the recipient <{first.Address}>" : $"The server refused all {results.Count} recipients (the first, <{first.Address}>)", c.KnownServer);
            }
            else if (dataReply != null && dataReply.Code != 354)
                refusal = SmtpErrors.CommandFailed("SmtpDataRejected", SmtpPhase.Data, Host, dataReply, "The server refused DATA", c.KnownServer);
            else if (c.IsBroken)
            {
                // A recipient got 421 after others were accepted: the server closed the session before the content.
                SmtpRecipientResult closing = results[results.Count - 1];
                refusal = SmtpErrors.CommandFailed("SmtpRecipientsRejected", SmtpPhase.RcptTo, Host, closing.Reply, $"The server closed the session at the recipient <{closing.Address}>", c.KnownServer);
            }
            if (refusal != null)
            {
                refusal.RecipientResults = results;
                if (dataReply?.Code == 354)
                {
                    // A pipelined DATA was accepted though the transaction failed: end it with an empty message the server must refuse.
                    c.Phase = SmtpPhase.Data;
                    await c.WriteLineAsync(".", cancellationToken).ConfigureAwait(false);
                    await c.ReadReplyAsync(cancellationToken).ConfigureAwait(false);
                }
                await ResetAfterFailureAsync(refusal, cancellationToken).ConfigureAwait(false);
                throw refusal;
            }

            c.Phase = chunking ? SmtpPhase.Bdat : SmtpPhase.Data;
            // A chunk buffer no larger than the message needs (small messages go in one BDAT LAST without a large buffer).
            int chunkSize = (int)Math.Min(_options.ChunkSize, Math.Max(1024L, size + size / 8 + 64));
            using SmtpContentStream body = chunking ? new BdatContentStream(c, chunkSize) : new DataContentStream(c);
            try
            {
                await content.WriteToAsync(body, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!(ex is OperationCanceledException && body.Failure == null))
            {
                if (body.Failure is SmtpCommandException chunkRefused)
                {
                    chunkRefused.RecipientResults = results;
                    await ResetAfterFailureAsync(chunkRefused, cancellationToken).ConfigureAwait(false);
                    throw chunkRefused;
                }
                if (body.Failure != null) throw body.Failure;
                // The content failed midway: ending the message now would deliver half of it, so the connection is closed.
                c.Abort();
                if (ex is M365SmtpException) throw;
                throw new SmtpProtocolException("SmtpContentFailed", ErrorKind.InvalidOperation,
                    $"Writing the message failed midway ({ex.Message}); the connection to {Host} was closed so no partial message is delivered.", c.Phase, Host, null, ex);
            }
            catch (OperationCanceledException)
            {
                c.Abort();
                throw;
            }

            SmtpReply final;
            try
            {
                await body.SendEndAsync(cancellationToken).ConfigureAwait(false);
                final = await c.ReadReplyAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (SmtpCommandException chunkRefused) when (body.Failure == chunkRefused)
            {
                chunkRefused.RecipientResults = results;
                await ResetAfterFailureAsync(chunkRefused, cancellationToken).ConfigureAwait(false);
                throw;
            }
            catch (SmtpProtocolException ex) when (!(ex is SmtpDeliveryUnknownException))
            {
                // Conservative: a failure while the end of the message is on its way is treated as "may have arrived".
                throw new SmtpDeliveryUnknownException(
                    $"The connection to {Host} was lost after the end of the message was sent and before the server answered ({ex.Message}). The message may or may not have been accepted: it is not reported as sent and was not resent.",
                    c.Phase, Host, ex);
            }
            catch (OperationCanceledException ex)
            {
                throw new SmtpDeliveryUnknownException(
                    $"Sending to {Host} was cancelled after the end of the message was sent and before the server answered. The message may or may not have been accepted: it is not reported as sent and was not resent.",
                    c.Phase, Host, ex, ErrorKind.Cancelled);
            }
            if (!final.IsPositiveCompletion)
            {
                SmtpCommandException rejected = SmtpErrors.CommandFailed("SmtpMessageRejected", c.Phase, Host, final, "The server refused the message", c.KnownServer);
                rejected.RecipientResults = results;
                throw SessionEndedIfClosed(rejected); // the reply to the end of data ends the transaction: no RSET needed
            }
            return new SmtpSendResult(results, final, body.BytesSent, chunking);
        }

        /// <summary>Sends NOOP (keeps an idle session alive, or checks that it still is); returns the reply.</summary>
        public async Task<SmtpReply> NoopAsync(CancellationToken cancellationToken = default)
        {
            SmtpChannel c = Channel;
            await c.WriteLineAsync("NOOP", cancellationToken).ConfigureAwait(false);
            return await c.ReadReplyAsync(cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Sends RSET: abandons the current transaction, keeps the session.</summary>
        public async Task ResetAsync(CancellationToken cancellationToken = default)
        {
            SmtpChannel c = Channel;
            c.Phase = SmtpPhase.Rset;
            await c.WriteLineAsync("RSET", cancellationToken).ConfigureAwait(false);
            SmtpReply reply = await c.ReadReplyAsync(cancellationToken).ConfigureAwait(false);
            if (!reply.IsPositiveCompletion)
            {
                c.Abort();
                throw new SmtpProtocolException("SmtpResetFailed", ErrorKind.ProtocolError, $"The server at {Host} refused RSET ({reply.Code} {reply.Text}); the session can't go on.", SmtpPhase.Rset, Host, reply)
                { RecommendedAction = "Reconnect." };
            }
        }

        /// <summary>
        /// A refused command whose reply also closed the session (421) is reported as a dead connection
        /// (<see cref="SmtpProtocolException"/>, same error id, phase and reply), so callers reconnect instead of reusing it.
        /// </summary>
        private SmtpException SessionEndedIfClosed(SmtpCommandException failure)
        {
            if (_channel != null && !_channel.IsBroken) return failure;
            return new SmtpProtocolException(failure.ErrorId, failure.Kind,
                failure.Message + " The server closed the session; reconnect to go on.", failure.Phase, Host, failure.Reply, failure)
            { RecommendedAction = failure.RecommendedAction ?? "Reconnect and try again later." };
        }

        private async Task ResetAfterFailureAsync(SmtpCommandException failure, CancellationToken cancellationToken)
        {
            if (_channel == null || _channel.IsBroken) throw SessionEndedIfClosed(failure);
            try
            {
                await ResetAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (SmtpProtocolException ex)
            {
                throw new SmtpProtocolException(ex.ErrorId, ex.Kind, failure.Message + " Then the session ended: " + ex.Message, failure.Phase, Host, failure.Reply, failure)
                { RecommendedAction = failure.RecommendedAction };
            }
        }

        /// <summary>Sends QUIT, reads the reply (failures ignored) and closes the connection.</summary>
        public async Task QuitAsync(CancellationToken cancellationToken = default)
        {
            if (_channel == null || _channel.IsBroken) return;
            SmtpChannel c = _channel;
            c.Phase = SmtpPhase.Quit;
            try
            {
                await c.WriteLineAsync("QUIT", cancellationToken).ConfigureAwait(false);
                await c.ReadReplyAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (SmtpException)
            {
                // the session is over either way
            }
            finally
            {
                c.Abort();
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
                    throw new SmtpProtocolException("SmtpNotConnected", ErrorKind.InvalidOperation, Host == null ? "The SMTP client isn't connected." : $"The connection to {Host} is closed.", SmtpPhase.Connect, Host)
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
            if (Regex.IsMatch(name, @"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")) return name;
            if (c.LocalEndPoint is IPEndPoint ip)
            {
                IPAddress a = ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address;
                return a.AddressFamily == AddressFamily.InterNetworkV6 ? "[IPv6:" + a + "]" : "[" + a + "]";
            }
            return string.IsNullOrEmpty(name) ? "localhost" : name;
        }
    }
}
