using System;
using System.IO;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using M365SmtpTools.Engine.Auth;
using M365SmtpTools.Engine.Exchange;
using M365SmtpTools.Engine.Smtp;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>
    /// One worker's SMTP session: connected (TLS, client certificate) and authenticated on first use, reused while it
    /// stays open for the same host, dropped after a failure and reconnected by the next <see cref="AcquireAsync"/>.
    /// </summary>
    internal sealed class SmtpSessionLease : IDisposable
    {
        private readonly SendMailRequest _request;
        private readonly SendMailOperationSettings _settings;
        private readonly IOperationHost _host;
        private readonly ISmtpTranscriptLogger? _transcript;
        private readonly X509Certificate2? _clientCertificate;
        private readonly SmtpConnection? _connection;
        private string? _hostName;

        public SmtpSessionLease(SendMailRequest request, SendMailOperationSettings settings, IOperationHost host,
            ISmtpTranscriptLogger? transcript, X509Certificate2? clientCertificate, SmtpConnection? connection)
        {
            _request = request;
            _settings = settings;
            _host = host;
            _transcript = transcript;
            _clientCertificate = clientCertificate;
            _connection = connection;
        }

        /// <summary>The connected client (after <see cref="AcquireAsync"/>).</summary>
        public SmtpClient? Client { get; private set; }

        private bool Usable(string host) =>
            Client != null && Client.IsConnected && string.Equals(_hostName, host, StringComparison.OrdinalIgnoreCase);

        /// <summary>Connects (and authenticates) unless the session is already good for this host; true when it was reused.</summary>
        public async Task<bool> AcquireAsync(ResolvedSmtpEndpoint ep, CancellationToken ct)
        {
            if (Usable(ep.Host!)) return true;
            if (Client != null && Client.IsConnected)
            {
                try { await Client.QuitAsync(ct).ConfigureAwait(false); } catch (M365SmtpException) { }
            }
            Drop();
            // Exchange Online always offers STARTTLS: to a Microsoft 365 host, clear text means something in between
            // removed it (an attack, not a fallback), so TLS is required there for relay and Direct Send too, and
            // skipping certificate validation has no legitimate use.
            bool microsoft = MicrosoftHosts.IsMicrosoft365Host(ep.Host);
            if (microsoft && _request.SkipCertificateValidation)
                throw new M365SmtpException(RequestErrorCodes.SkipCertificateValidationNotAllowed,
                    $"-SkipCertificateValidation is refused for {ep.Host}: Microsoft 365 presents a valid certificate, so one that " +
                        "doesn't validate means the connection is being intercepted.")
                { TargetObject = ep.Host, RecommendedAction = "Remove -SkipCertificateValidation (it is only for test servers)." };
            SmtpTlsMode tlsMode = microsoft && ep.TlsMode == SmtpTlsMode.StartTlsWhenAvailable ? SmtpTlsMode.StartTlsRequired : ep.TlsMode;
            var options = new SmtpConnectOptions
            {
                TlsMode = tlsMode,
                Host = _host,
                TranscriptLogger = _transcript,
                ServerRules = ExchangeOnlineServerRules.Instance,
            };
            if (_request.TimeoutSeconds is int seconds)
                options.ConnectTimeout = options.CommandTimeout = TimeSpan.FromSeconds(seconds);
            options.TlsPolicy.SkipCertificateValidation = _request.SkipCertificateValidation;
            options.TlsPolicy.ClientCertificate = _clientCertificate;
            _settings.ConfigureConnection?.Invoke(options);
            (string dialHost, int dialPort) = _settings.Redirect != null ? _settings.Redirect(ep.Host!, ep.Port) : (ep.Host!, ep.Port);
            var client = new SmtpClient();
            Client = client;
            _hostName = ep.Host;
            string certificate = _clientCertificate != null ? $", client certificate {_clientCertificate.Subject}" : "";
            _host.WriteVerbose($"Connecting to {ep.Host}:{ep.Port} ({ep.Method}, TLS {tlsMode}{certificate}).");
            await client.ConnectAsync(dialHost, dialPort, options, ct).ConfigureAwait(false);
            if (ep.RequiresAuthentication)
                await client.AuthenticateAsync(Credential(_connection!), SmtpAuthMechanism.Auto, ct).ConfigureAwait(false);
            return false;
        }

        private SmtpCredential Credential(SmtpConnection c) => c.Method == SmtpAuthMethod.Basic
            ? SmtpCredential.FromNetworkCredential(c.BasicCredential
                ?? throw new M365SmtpException(AuthErrorCodes.ConnectionClosed,
                    $"The connection '{c.Name}' was disconnected.") { TargetObject = c.Name })
            : SmtpCredential.FromAccessToken(c.UserName ?? "",
                async ct => (await c.GetAccessTokenAsync(_host, ct).ConfigureAwait(false)).RevealToken());

        /// <summary>Says QUIT (waiting at most 5 seconds) if still connected; the end of a worker.</summary>
        public async Task QuitAsync()
        {
            if (Client == null || !Client.IsConnected) return;
            try
            {
                using var quit = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await Client.QuitAsync(quit.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException || e is M365SmtpException || e is IOException) { }
        }

        /// <summary>Closes the connection without QUIT (after a failure); the next acquire connects again.</summary>
        public void Drop()
        {
            Client?.Dispose();
            Client = null;
            _hostName = null;
        }

        public void Dispose() => Drop();
    }
}
