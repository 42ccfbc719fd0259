using System;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using M365SmtpTools.Engine.Exchange;
using M365SmtpTools.Engine.Operations;

namespace M365SmtpTools.Engine.Auth
{
    /// <summary>
    /// A validated way to authenticate to an SMTP server, kept for the session by Connect-M365Smtp and used by
    /// Send-M365Mail and Test-M365SmtpAuth. Every public property and <see cref="ToString"/> is safe to show: the token
    /// provider and any password are internal.
    /// </summary>
    public sealed class SmtpConnection
    {
        internal SmtpConnection(string name, SmtpAuthMethod method, M365Environment environment, string smtpHost, int port,
            string? userName, string? tenantId, string? clientId, ITokenProvider? tokenProvider, NetworkCredential? basicCredential,
            DateTimeOffset createdOn)
        {
            Name = name;
            Method = method;
            Environment = environment;
            SmtpHost = smtpHost;
            Port = port;
            UserName = userName;
            TenantId = tenantId;
            ClientId = clientId;
            TokenProvider = tokenProvider;
            BasicCredential = basicCredential;
            CreatedOn = createdOn;
        }

        /// <summary>The connection's name (<c>Default</c> unless -Name was given).</summary>
        public string Name { get; }

        /// <summary>How it authenticates.</summary>
        public SmtpAuthMethod Method { get; }

        /// <summary>The cloud.</summary>
        public M365Environment Environment { get; }

        /// <summary>The SMTP server.</summary>
        public string SmtpHost { get; }

        /// <summary>The SMTP port.</summary>
        public int Port { get; }

        /// <summary>The SMTP user (XOAUTH2 <c>user=</c> or the Basic user name).</summary>
        public string? UserName { get; internal set; }

        /// <summary>The tenant, when known.</summary>
        public string? TenantId { get; internal set; }

        /// <summary>The application (client) id, when there is one.</summary>
        public string? ClientId { get; internal set; }

        /// <summary>When the cached token expires (null for Basic, or when unknown).</summary>
        public DateTimeOffset? TokenExpiresOn => TokenProvider?.ExpiresOn;

        /// <summary>When the connection was made.</summary>
        public DateTimeOffset CreatedOn { get; }

        /// <summary>True once Disconnect-M365Smtp removed it; a removed connection can't give tokens.</summary>
        public bool IsClosed { get; private set; }

        /// <summary>Where tokens come from (null for Basic). Internal: not part of what PowerShell shows.</summary>
        internal ITokenProvider? TokenProvider { get; }

        /// <summary>The Basic credential (null for OAuth). Internal: never shown.</summary>
        internal NetworkCredential? BasicCredential { get; private set; }

        /// <summary>The current access token (cached, refreshed before expiry). Throws for Basic or a closed connection.</summary>
        public Task<SmtpAccessToken> GetAccessTokenAsync(IOperationHost host, CancellationToken cancellationToken)
        {
            if (IsClosed)
                throw new M365SmtpException(AuthErrorCodes.ConnectionClosed, $"The connection '{Name}' was disconnected.")
                { TargetObject = Name, RecommendedAction = "Run Connect-M365Smtp again." };
            if (TokenProvider == null)
                throw new M365SmtpException(AuthErrorCodes.ConnectionHasNoToken,
                    $"The connection '{Name}' uses Basic authentication and has no access token.")
                { TargetObject = Name };
            return TokenProvider.GetTokenAsync(host, cancellationToken);
        }

        /// <summary>Forgets the token cache and the credential; the connection can't be used afterwards.</summary>
        internal void Close()
        {
            IsClosed = true;
            TokenProvider?.ClearCache();
            (TokenProvider as IDisposable)?.Dispose();
            BasicCredential = null;
        }

        /// <inheritdoc />
        public override string ToString() =>
            $"{Name}: {Method} {UserName ?? "-"} -> {SmtpHost}:{Port} ({Environment}){(TokenExpiresOn is DateTimeOffset e ? $" token until {e:u}" : "")}";
    }
}
