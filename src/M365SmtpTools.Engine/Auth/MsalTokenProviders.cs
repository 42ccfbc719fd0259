using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using M365SmtpTools.Engine.Exchange;
using M365SmtpTools.Engine.Operations;
using Microsoft.Identity.Client;
using Microsoft.Identity.Client.AppConfig;

namespace M365SmtpTools.Engine.Auth
{
    /// <summary>Common MSAL application settings: authority (validated for known clouds), HTTP factory.</summary>
    internal static class MsalSetup
    {
        public static T Configure<T>(T builder, CloudEnvironment cloud, string tenant, IdentityClientOptions options)
            where T : AbstractApplicationBuilder<T>
        {
            string authority = cloud.AuthorityFor(tenant);
            bool known = CloudEnvironments.All.Any(c => string.Equals(c.AuthorityHost, cloud.AuthorityHost,
                StringComparison.OrdinalIgnoreCase));
            if (known || !options.TrustCustomAuthorityHosts)
                builder = builder.WithAuthority(authority);
            else
                builder = builder.WithAuthority(authority, validateAuthority: false).WithInstanceDiscovery(false);
            return builder.WithHttpClientFactory(options.HttpClientFactory).WithClientName("M365SmtpTools");
        }
    }

    /// <summary>App-only tokens with a client secret or a certificate (client credentials flow).</summary>
    internal sealed class ConfidentialClientTokenProvider : TokenProviderBase
    {
        private readonly Func<IConfidentialClientApplication> _build;
        private readonly string[] _scopes;
        private readonly bool _persist;
        private IConfidentialClientApplication? _app;

        public ConfidentialClientTokenProvider(SmtpAuthOptions request, CloudEnvironment cloud, IdentityClientOptions options,
            SmtpAuthMethod method)
            : base(options)
        {
            Method = method;
            _scopes = new[] { string.IsNullOrWhiteSpace(request.Scope) ? cloud.AppOnlyScope : request.Scope!.Trim() };
            _persist = request.PersistTokenCache;
            string tenant = request.TenantId!.Trim();
            string clientId = request.ClientId!.Trim();
            if (method == SmtpAuthMethod.AppSecret)
            {
                // MSAL needs the secret as a string; it lives only inside the application object.
                string secret = SecretText.Reveal(request.ClientSecret!);
                _build = () => MsalSetup.Configure(ConfidentialClientApplicationBuilder.Create(clientId), cloud, tenant, options)
                    .WithClientSecret(secret).Build();
            }
            else
            {
                X509Certificate2 cert = CertificateLoader.Load(request, options.Clock);
                _build = () => MsalSetup.Configure(ConfidentialClientApplicationBuilder.Create(clientId), cloud, tenant, options)
                    .WithCertificate(cert, sendX5C: true).Build();
            }
        }

        public override SmtpAuthMethod Method { get; }

        protected override async Task<SmtpAccessToken> AcquireAsync(bool forceRefresh, IOperationHost host,
            CancellationToken cancellationToken)
        {
            IConfidentialClientApplication app = _app ??= _build();
            if (_persist && !_persistAttached)
            {
                await PersistentTokenCache.AttachAsync(app.AppTokenCache, Options, "app").ConfigureAwait(false);
                _persistAttached = true;
            }
            host.WriteVerbose($"{Method}: requesting an app-only token for {string.Join(" ", _scopes)} from {app.Authority}.");
            AuthenticationResult result = await app.AcquireTokenForClient(_scopes).WithForceRefresh(forceRefresh)
                .ExecuteAsync(cancellationToken).ConfigureAwait(false);
            return new SmtpAccessToken(result.AccessToken, result.ExpiresOn);
        }

        private bool _persistAttached;

        public override void ClearCache()
        {
            base.ClearCache();
            _app = null; // drops MSAL's in-memory cache with the application
            _persistAttached = false;
        }
    }

    /// <summary>App-only tokens of an Azure managed identity (MSAL's ManagedIdentityApplication).</summary>
    internal sealed class ManagedIdentityTokenProvider : TokenProviderBase
    {
        private readonly ManagedIdentityId _id;
        private readonly string _resource;
        private readonly bool _userAssigned;
        private IManagedIdentityApplication? _app;

        public ManagedIdentityTokenProvider(SmtpAuthOptions request, CloudEnvironment cloud, IdentityClientOptions options) : base(options)
        {
            _id = string.IsNullOrWhiteSpace(request.ManagedIdentityClientId)
                ? ManagedIdentityId.SystemAssigned
                : ManagedIdentityId.WithUserAssignedClientId(request.ManagedIdentityClientId!.Trim());
            _userAssigned = !string.IsNullOrWhiteSpace(request.ManagedIdentityClientId);
            string scope = string.IsNullOrWhiteSpace(request.Scope) ? cloud.AppOnlyScope : request.Scope!.Trim();
            _resource = scope.EndsWith("/.default", StringComparison.Ordinal) ? scope.Substring(0, scope.Length - 9) : scope;
        }

        public override SmtpAuthMethod Method => SmtpAuthMethod.ManagedIdentity;

        protected override async Task<SmtpAccessToken> AcquireAsync(bool forceRefresh, IOperationHost host,
            CancellationToken cancellationToken)
        {
            IManagedIdentityApplication app = _app ??= ManagedIdentityApplicationBuilder.Create(_id)
                .WithHttpClientFactory(Options.HttpClientFactory).WithClientName("M365SmtpTools").Build();
            host.WriteVerbose($"ManagedIdentity: requesting a token for {_resource} " +
                $"({(_userAssigned ? "user-assigned" : "system-assigned")}).");
            AuthenticationResult result = await app.AcquireTokenForManagedIdentity(_resource).WithForceRefresh(forceRefresh)
                .ExecuteAsync(cancellationToken).ConfigureAwait(false);
            return new SmtpAccessToken(result.AccessToken, result.ExpiresOn);
        }

        public override void ClearCache()
        {
            base.ClearCache();
            _app = null;
        }
    }

    /// <summary>Delegated tokens: device code or interactive browser sign-in, then silent refresh.</summary>
    internal sealed class PublicClientTokenProvider : TokenProviderBase
    {
        private readonly Func<IPublicClientApplication> _build;
        private readonly string[] _scopes;
        private readonly string? _loginHint;
        private readonly bool _persist;
        private IPublicClientApplication? _app;
        private IAccount? _account;
        private bool _persistAttached;

        public PublicClientTokenProvider(SmtpAuthOptions request, CloudEnvironment cloud, IdentityClientOptions options,
            SmtpAuthMethod method)
            : base(options)
        {
            Method = method;
            _scopes = string.IsNullOrWhiteSpace(request.Scope)
                ? cloud.DelegatedScopes.ToArray()
                : request.Scope!.Split(new[] { ' ', ',' }, StringSplitOptions.RemoveEmptyEntries);
            _loginHint = string.IsNullOrWhiteSpace(request.UserName) ? null : request.UserName!.Trim();
            _persist = request.PersistTokenCache;
            string clientId = request.ClientId!.Trim();
            string tenant = request.EffectiveTenant;
            _build = () => MsalSetup.Configure(PublicClientApplicationBuilder.Create(clientId), cloud, tenant, options)
                .WithRedirectUri("http://localhost").Build();
        }

        public override SmtpAuthMethod Method { get; }

        protected override async Task<SmtpAccessToken> AcquireAsync(bool forceRefresh, IOperationHost host,
            CancellationToken cancellationToken)
        {
            IPublicClientApplication app = _app ??= _build();
            if (_persist && !_persistAttached)
            {
                await PersistentTokenCache.AttachAsync(app.UserTokenCache, Options, "user").ConfigureAwait(false);
                _persistAttached = true;
            }

            IAccount? account = _account;
            if (account == null)
            {
                IEnumerable<IAccount> accounts = await app.GetAccountsAsync().ConfigureAwait(false);
                account = accounts.FirstOrDefault(a => _loginHint == null
                    || string.Equals(a.Username, _loginHint, StringComparison.OrdinalIgnoreCase));
            }
            if (account != null)
            {
                try
                {
                    AuthenticationResult silent = await app.AcquireTokenSilent(_scopes, account).WithForceRefresh(forceRefresh)
                        .ExecuteAsync(cancellationToken).ConfigureAwait(false);
                    _account = silent.Account;
                    host.WriteVerbose($"{Method}: token for {silent.Account?.Username} renewed without a prompt.");
                    return new SmtpAccessToken(silent.AccessToken, silent.ExpiresOn, silent.Account?.Username);
                }
                catch (MsalUiRequiredException e)
                {
                    if (!host.IsInteractive)
                        throw new M365SmtpException(TokenErrorCodes.DelegatedSignInExpired,
                            $"The delegated sign-in ({Method}) can no longer be renewed without the person signing in again, and nobody can answer a prompt in this session.", e)
                        { RecommendedAction = "Run Connect-M365Smtp again in an interactive session, or use an app-only way for " +
                            "unattended jobs (-CertificatePath, -CertificateThumbprint or -ManagedIdentity)." };
                    host.WriteVerbose($"{Method}: the cached sign-in can't be renewed silently ({e.ErrorCode}); signing in again.");
                }
            }

            if (!host.IsInteractive) throw TokenProviderFactory.NonInteractiveDelegated(Method);

            AuthenticationResult result;
            if (Method == SmtpAuthMethod.DeviceCode)
            {
                result = await app.AcquireTokenWithDeviceCode(_scopes, code =>
                    {
                        host.WriteInformation(code.Message, "DeviceCode", "M365SmtpTools");
                        return Task.CompletedTask;
                    }).ExecuteAsync(cancellationToken).ConfigureAwait(false);
            }
            else
            {
                try
                {
                    var builder = app.AcquireTokenInteractive(_scopes).WithPrompt(Prompt.SelectAccount).WithUseEmbeddedWebView(false);
                    if (_loginHint != null) builder = builder.WithLoginHint(_loginHint);
                    host.WriteInformation("Opening the browser to sign in; finish the sign-in there.", "Interactive", "M365SmtpTools");
                    result = await builder.ExecuteAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is PlatformNotSupportedException
                    || (e is MsalClientException c && c.ErrorCode != MsalError.AuthenticationCanceledError))
                {
                    throw new M365SmtpException(TokenErrorCodes.InteractiveSignInUnavailable,
                        "The browser sign-in could not be started here (no browser, or the platform doesn't support it).", e)
                    {
                        TargetObject = "Interactive",
                        ParameterName = "Interactive",
                        RecommendedAction = "Use -DeviceCode instead of -Interactive: it shows a code to enter on any device's browser.",
                    };
                }
            }
            _account = result.Account;
            return new SmtpAccessToken(result.AccessToken, result.ExpiresOn, result.Account?.Username);
        }

        public override void ClearCache()
        {
            base.ClearCache();
            IPublicClientApplication? app = _app;
            IAccount? account = _account;
            _app = null;
            _account = null;
            _persistAttached = false;
            if (app != null && account != null && !_persist)
            {
                try { app.RemoveAsync(account).GetAwaiter().GetResult(); } catch (MsalException) { /* the cache is dropped anyway */ }
            }
        }
    }

    /// <summary>A token given by the caller; it can't be refreshed.</summary>
    internal sealed class StaticTokenProvider : TokenProviderBase
    {
        private readonly SmtpAccessToken _token;

        public StaticTokenProvider(SmtpAuthOptions request, IdentityClientOptions options) : base(options)
        {
            string token = SecretText.Reveal(request.AccessToken!).Trim();
            if (token.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) token = token.Substring(7).Trim();
            DateTimeOffset? expires = null;
            string? account = null;
            if (TokenInspector.TryDecode(token, out TokenFacts? facts))
            {
                expires = facts!.ExpiresOn;
                account = facts.User;
            }
            _token = new SmtpAccessToken(token, expires, account);
        }

        public override SmtpAuthMethod Method => SmtpAuthMethod.AccessToken;

        /// <summary>The account named in the token (delegated tokens), if any.</summary>
        public string? Account => _token.Account;

        protected override Task<SmtpAccessToken> AcquireAsync(bool forceRefresh, IOperationHost host, CancellationToken cancellationToken)
        {
            if (_token.ExpiresOn is DateTimeOffset exp && Options.Clock() >= exp)
                throw new M365SmtpException(TokenErrorCodes.AccessTokenExpired,
                    $"The token given with -AccessToken expired at {exp:u}; a token from elsewhere can't be renewed here.")
                {
                    TargetObject = "AccessToken",
                    ParameterName = "AccessToken",
                    RecommendedAction = "Get a new token (e.g. Get-AzAccessToken -ResourceUrl https://outlook.office365.com) and connect " +
                        "again, or let this module get tokens itself (-CertificatePath, -ManagedIdentity, -DeviceCode).",
                };
            if (forceRefresh)
                host.WriteWarning($"The token given with -AccessToken expires at {_token.ExpiresOn:u} and can't be renewed here; get a " +
                    "new one before then.");
            return Task.FromResult(_token);
        }

        public override void ClearCache()
        {
            // A given token has no source to get it again from: clearing forgets nothing, the connection is dropped instead.
            base.ClearCache();
        }
    }
}
