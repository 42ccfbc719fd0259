using System;
using System.Threading;
using System.Threading.Tasks;
using M365SmtpTools.Engine.Operations;

namespace M365SmtpTools.Engine.Auth
{
    /// <summary>
    /// An OAuth access token for SMTP. The token text is only reachable through <see cref="RevealToken"/> (a method, so
    /// PowerShell's formatting never shows it); <see cref="ToString"/> and every property are safe to print.
    /// </summary>
    public sealed class SmtpAccessToken
    {
        private readonly string _token;

        /// <summary>Wraps a token.</summary>
        public SmtpAccessToken(string token, DateTimeOffset? expiresOn, string? account = null)
        {
            _token = token ?? throw new ArgumentNullException(nameof(token));
            ExpiresOn = expiresOn;
            Account = account;
        }

        /// <summary>When the token expires, when known.</summary>
        public DateTimeOffset? ExpiresOn { get; }

        /// <summary>The signed-in account (delegated tokens), when known.</summary>
        public string? Account { get; }

        /// <summary>The token text. Never log or format it.</summary>
        public string RevealToken() => _token;

        /// <inheritdoc />
        public override string ToString() => ExpiresOn is DateTimeOffset e ? $"Access token (expires {e:u})" : "Access token";
    }

    /// <summary>
    /// Gives the access token of a connection, from an in-memory cache, refreshed a few minutes before it expires.
    /// Implementations are thread-safe.
    /// </summary>
    public interface ITokenProvider
    {
        /// <summary>How the token is obtained.</summary>
        SmtpAuthMethod Method { get; }

        /// <summary>When the cached token expires (null before the first acquisition or when unknown).</summary>
        DateTimeOffset? ExpiresOn { get; }

        /// <summary>
        /// The current token: the cached one, or a new one when none is cached or it expires within the refresh margin.
        /// Throws <see cref="M365SmtpException"/> with the identity platform's error explained.
        /// </summary>
        Task<SmtpAccessToken> GetTokenAsync(IOperationHost host, CancellationToken cancellationToken);

        /// <summary>Forgets every cached token (in memory).</summary>
        void ClearCache();
    }
}
