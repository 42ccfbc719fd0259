using System;
using System.Globalization;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace M365SmtpTools.Engine.Smtp
{
    // The session one step at a time, for diagnostics (Test-M365SmtpAuth): each step can be timed, reported and
    // stopped after on its own. ConnectAsync does Open + ReadGreeting + Hello + StartTls in one call.
    public sealed partial class SmtpClient
    {
        /// <summary>
        /// Opens the TCP connection only (no greeting read yet; with <see cref="SmtpTlsMode.ImplicitTls"/> also the TLS
        /// handshake). Follow with <see cref="ReadGreetingAsync"/>, <see cref="HelloAsync"/> and
        /// <see cref="StartTlsOnlyAsync"/>, or use <see cref="ConnectAsync(string, int, SmtpConnectOptions, CancellationToken)"/>
        /// which does all of them.
        /// </summary>
        public async Task OpenAsync(string host, int port, SmtpConnectOptions? options = null,
            CancellationToken cancellationToken = default)
        {
            if (string.IsNullOrWhiteSpace(host)) throw new ArgumentException("The SMTP server's host name is required.", nameof(host));
            if (port < 1 || port > 65535) throw new ArgumentOutOfRangeException(nameof(port), "The port must be between 1 and 65535.");
            options ??= new SmtpConnectOptions();
            PrepareConnect(host, port, options);
            _remoteEndPoint = null;
            if (options.ServerRules?.RefuseConnection(host, port, options.TlsMode) is SmtpProtocolException refused) throw refused;
            options.Host.WriteVerbose($"Connecting to {host} port {port} (TLS: {options.TlsMode}).");
            Socket socket = await SmtpChannel.ConnectSocketAsync(host, port, options.ConnectTimeout, cancellationToken)
                .ConfigureAwait(false);
            var channel = new SmtpChannel(new NetworkStream(socket, ownsSocket: true), socket, host, options) { Phase = SmtpPhase.Connect };
            channel.Note($"connected to {SmtpChannel.EndPointText(socket, remote: true) ?? "(reset)"} " +
                $"from {SmtpChannel.EndPointText(socket, remote: false)}");
            _remoteEndPoint = SmtpChannel.EndPointText(socket, remote: true);
            _channel = channel;
            if (options.TlsMode == SmtpTlsMode.ImplicitTls)
                await GuardStepAsync(() => NegotiateTlsAsync(cancellationToken)).ConfigureAwait(false);
        }

        /// <summary>The address the TCP connection went to (after <see cref="OpenAsync"/>), e.g. <c>52.96.0.1:587</c>.</summary>
        public string? RemoteEndPoint => _remoteEndPoint;

        private string? _remoteEndPoint;

        /// <summary>Reads the server's greeting after <see cref="OpenAsync"/>; anything but 220 is an <see cref="SmtpProtocolException"/>
        /// carrying the reply.</summary>
        public Task<SmtpReply> ReadGreetingAsync(CancellationToken cancellationToken = default) => GuardStepAsync(async () =>
        {
            SmtpChannel c = Channel;
            c.Phase = SmtpPhase.Greeting;
            SmtpReply greeting = await c.ReadReplyAsync(cancellationToken).ConfigureAwait(false);
            Greeting = greeting;
            if (greeting.Code != 220)
                throw new SmtpProtocolException(SmtpErrorCodes.GreetingRejected, SmtpErrors.KindFor(greeting, SmtpPhase.Greeting),
                    $"The server at {Host} refused the session: {greeting.Code} {greeting.Text}", SmtpPhase.Greeting, Host, greeting)
                { RecommendedAction = "The server doesn't accept connections from this client now; try later or check its access rules." };
            return greeting;
        });

        /// <summary>Says EHLO (HELO when EHLO is refused) and returns the capabilities.</summary>
        public Task<SmtpCapabilities> HelloAsync(CancellationToken cancellationToken = default) => GuardStepAsync(async () =>
        {
            await EhloAsync(cancellationToken).ConfigureAwait(false);
            return Capabilities;
        });

        /// <summary>
        /// STARTTLS and the TLS handshake under the connection's <see cref="TlsPolicy"/>, without the EHLO that must
        /// follow (RFC 3207): call <see cref="HelloAsync"/> next. The capabilities learnt before TLS are forgotten.
        /// Returns the TLS facts. Failures are <see cref="SmtpProtocolException"/>s: SmtpStartTlsNotOffered,
        /// SmtpStartTlsRefused (with the reply), SmtpCertificateInvalid (with the certificate's facts in
        /// <see cref="SmtpProtocolException.TlsSession"/>), SmtpTlsHandshakeFailed, SmtpTimeout.
        /// </summary>
        public Task<TlsSessionInfo> StartTlsOnlyAsync(CancellationToken cancellationToken = default) => GuardStepAsync(async () =>
        {
            SmtpChannel c = Channel;
            if (c.IsSecure) return TlsSession!;
            c.Phase = SmtpPhase.StartTls;
            if (!Capabilities.SupportsStartTls)
                throw new SmtpProtocolException(SmtpErrorCodes.StartTlsNotOffered,
                    $"The server at {Host} did not offer STARTTLS; the connection was closed without authenticating " +
                        "or sending mail.", SmtpPhase.StartTls, Host)
                { RecommendedAction = "Check that this is the right server and port (587 for Microsoft 365). A firewall or proxy that " +
                    "strips STARTTLS would also cause this." };
            await c.WriteLineAsync("STARTTLS", cancellationToken).ConfigureAwait(false);
            SmtpReply reply = await c.ReadReplyAsync(cancellationToken).ConfigureAwait(false);
            if (reply.Code != 220)
                throw new SmtpProtocolException(SmtpErrorCodes.StartTlsRefused,
                    $"The server at {Host} refused STARTTLS ({reply.Code} {reply.Text}); the connection was closed without authenticating or sending mail.",
                    SmtpPhase.StartTls, Host, reply)
                { RecommendedAction = "Check the server's TLS configuration (certificate, protocols)." };
            await NegotiateTlsAsync(cancellationToken).ConfigureAwait(false);
            Capabilities = SmtpCapabilities.None("");
            return TlsSession!;
        });

        // A failed connection step leaves no half-open session behind (as ConnectAsync does).
        private async Task<T> GuardStepAsync<T>(Func<Task<T>> step)
        {
            try
            {
                return await step().ConfigureAwait(false);
            }
            catch (SmtpProtocolException)
            {
                _channel?.Abort();
                throw;
            }
        }

        private async Task GuardStepAsync(Func<Task> step) =>
            await GuardStepAsync(async () => { await step().ConfigureAwait(false); return true; }).ConfigureAwait(false);
    }
}
