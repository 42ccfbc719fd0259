using System;
using System.Threading;
using System.Threading.Tasks;
using M365SmtpTools.Engine.Auth;
using M365SmtpTools.Engine.Exchange;
using M365SmtpTools.Engine.Smtp;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>
    /// Connect-M365Smtp -Test: connects to the connection's server with STARTTLS required, runs AUTH with its token
    /// (XOAUTH2) or password, and quits. A refusal is the <see cref="SmtpCommandException"/> of the AUTH (with the
    /// reply catalogue's advice for Exchange Online); a network or TLS failure is an <see cref="SmtpProtocolException"/>.
    /// </summary>
    public sealed class SmtpClientAuthTester : ISmtpAuthTester
    {
        private readonly Action<SmtpConnectOptions>? _configure;

        /// <summary>Creates the tester; <paramref name="configureConnection"/> adjusts the connection options (e.g. a private CA to
        /// trust).</summary>
        public SmtpClientAuthTester(Action<SmtpConnectOptions>? configureConnection = null) => _configure = configureConnection;

        /// <inheritdoc />
        public async Task TestAuthenticationAsync(SmtpConnection connection, IOperationHost host, CancellationToken cancellationToken)
        {
            if (connection == null) throw new ArgumentNullException(nameof(connection));
            host ??= NullOperationHost.Instance;
            var options = new SmtpConnectOptions { TlsMode = SmtpTlsMode.StartTlsRequired, Host = host,
                ServerRules = ExchangeOnlineServerRules.Instance };
            _configure?.Invoke(options);
            SmtpCredential credential;
            if (connection.Method == SmtpAuthMethod.Basic)
                credential = SmtpCredential.FromNetworkCredential(connection.BasicCredential
                    ?? throw new M365SmtpException(AuthErrorCodes.ConnectionClosed,
                        $"The connection '{connection.Name}' has no credential any more.") { TargetObject = connection.Name });
            else
            {
                string user = connection.UserName ?? throw new M365SmtpException(AuthErrorCodes.UserNameMissing,
                    "The mailbox that authenticates (XOAUTH2 user=) is unknown.")
                { TargetObject = "UserName", ParameterName = "UserName", RecommendedAction = "Add -UserName." };
                credential = SmtpCredential.FromAccessToken(user,
                    async ct => (await connection.GetAccessTokenAsync(host, ct).ConfigureAwait(false)).RevealToken());
            }
            using var client = new SmtpClient();
            await client.ConnectAsync(connection.SmtpHost, connection.Port, options, cancellationToken).ConfigureAwait(false);
            try
            {
                await client.AuthenticateAsync(credential, SmtpAuthMechanism.Auto, cancellationToken).ConfigureAwait(false);
                host.WriteVerbose($"AUTH {client.AuthenticationMechanism} as {client.AuthenticatedUser} accepted by " +
                    $"{connection.SmtpHost}:{connection.Port}.");
            }
            finally
            {
                await client.QuitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
