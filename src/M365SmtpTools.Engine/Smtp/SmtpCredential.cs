using System;
using System.Net;
using System.Threading;
using System.Threading.Tasks;

namespace M365SmtpTools.Engine.Smtp
{
    /// <summary>What kind of secret a credential holds.</summary>
    public enum SmtpSecretKind
    {
        /// <summary>A password (PLAIN, LOGIN).</summary>
        Password,
        /// <summary>An OAuth 2.0 access token (XOAUTH2, OAUTHBEARER).</summary>
        AccessToken,
    }

    /// <summary>The SASL mechanism to authenticate with.</summary>
    public enum SmtpAuthMechanism
    {
        /// <summary>Pick the best offered one for the credential: XOAUTH2 then OAUTHBEARER for tokens, PLAIN then LOGIN for
        /// passwords.</summary>
        Auto,
        /// <summary>XOAUTH2 (Microsoft 365, Google).</summary>
        XOAuth2,
        /// <summary>OAUTHBEARER (RFC 7628).</summary>
        OAuthBearer,
        /// <summary>PLAIN (RFC 4616).</summary>
        Plain,
        /// <summary>LOGIN (the obsolete but common two-prompt mechanism).</summary>
        Login,
    }

    /// <summary>
    /// A user name and a way to get its secret when it is needed. The secret is asked for at the moment of AUTH and
    /// dropped right after, so it isn't held by the client; <see cref="ToString"/> never shows it.
    /// </summary>
    public sealed class SmtpCredential
    {
        private readonly Func<CancellationToken, Task<string>> _secretProvider;

        /// <summary>Creates a credential whose secret comes from <paramref name="secretProvider"/> (called once per AUTH).</summary>
        public SmtpCredential(string userName, SmtpSecretKind kind, Func<CancellationToken, Task<string>> secretProvider)
        {
            if (string.IsNullOrEmpty(userName)) throw new ArgumentException("A user name is required.", nameof(userName));
            UserName = userName;
            Kind = kind;
            _secretProvider = secretProvider ?? throw new ArgumentNullException(nameof(secretProvider));
        }

        /// <summary>The user (for XOAUTH2 with Microsoft 365: the mailbox's address).</summary>
        public string UserName { get; }

        /// <summary>Password or access token.</summary>
        public SmtpSecretKind Kind { get; }

        /// <summary>A password credential from a <see cref="NetworkCredential"/> (its password is read at AUTH time).</summary>
        public static SmtpCredential FromNetworkCredential(NetworkCredential credential)
        {
            if (credential == null) throw new ArgumentNullException(nameof(credential));
            return new SmtpCredential(credential.UserName, SmtpSecretKind.Password, _ => Task.FromResult(credential.Password));
        }

        /// <summary>An access-token credential; <paramref name="tokenProvider"/> is called at AUTH time (so a cached token can be
        /// refreshed).</summary>
        public static SmtpCredential FromAccessToken(string userName, Func<CancellationToken, Task<string>> tokenProvider) =>
            new SmtpCredential(userName, SmtpSecretKind.AccessToken, tokenProvider);

        internal async Task<string> GetSecretAsync(CancellationToken cancellationToken)
        {
            string secret = await _secretProvider(cancellationToken).ConfigureAwait(false);
            if (string.IsNullOrEmpty(secret))
                throw new M365SmtpException(SmtpErrorCodes.CredentialEmpty,
                    $"The {(Kind == SmtpSecretKind.Password ? "password" : "access token")} for '{UserName}' is empty.")
                {
                    TargetObject = UserName,
                    RecommendedAction = Kind == SmtpSecretKind.Password ? "Give the password." : "Check that a token was acquired before " +
                        "connecting.",
                };
            return secret;
        }

        /// <summary>The user name and the kind of secret; never the secret.</summary>
        public override string ToString() => $"{UserName} ({Kind})";
    }
}
