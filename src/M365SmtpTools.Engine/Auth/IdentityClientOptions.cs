using System;
using System.Net.Http;
using Microsoft.Identity.Client;

namespace M365SmtpTools.Engine.Auth
{
    /// <summary>
    /// Settings of the identity client (MSAL) behind the token providers: where its HTTP goes, the clock, the refresh
    /// margin and where a persistent cache lives. The defaults suit production; tests point them at a loopback endpoint.
    /// </summary>
    public sealed class IdentityClientOptions
    {
        /// <summary>The production defaults.</summary>
        public static IdentityClientOptions Default { get; } = new IdentityClientOptions();

        /// <summary>How long before expiry a cached token is replaced (default 5 minutes).</summary>
        public TimeSpan RefreshBeforeExpiry { get; set; } = TimeSpan.FromMinutes(5);

        /// <summary>The clock used to judge expiry.</summary>
        public Func<DateTimeOffset> Clock { get; set; } = () => DateTimeOffset.UtcNow;

        /// <summary>The HTTP handler MSAL's requests go through; null uses a shared default handler.</summary>
        public HttpMessageHandler? HttpHandler { get; set; }

        /// <summary>
        /// Authority hosts that are used as given, without Entra instance discovery or authority validation (test and
        /// private endpoints). Hosts of the cloud table are always validated.
        /// </summary>
        public bool TrustCustomAuthorityHosts { get; set; } = true;

        /// <summary>The folder of the persistent token cache; null = the user's local application data folder.</summary>
        public string? PersistentCacheDirectory { get; set; }

        /// <summary>The Linux keyring schema name of the persistent cache (tests use their own).</summary>
        public string PersistentCacheName { get; set; } = "M365SmtpTools";

        /// <summary>The factory MSAL gets; built from <see cref="HttpHandler"/>.</summary>
        internal IMsalHttpClientFactory HttpClientFactory => _factory ??= new MsalHttpClientFactory(HttpHandler);

        private IMsalHttpClientFactory? _factory;
    }

    /// <summary>The one way MSAL reaches the network: an HttpClient over an injectable handler.</summary>
    internal sealed class MsalHttpClientFactory : IMsalHttpClientFactory
    {
        private static readonly Lazy<HttpClient> s_shared =
            new Lazy<HttpClient>(() => new HttpClient(new HttpClientHandler { UseDefaultCredentials = false }));
        private readonly HttpClient _client;

        public MsalHttpClientFactory(HttpMessageHandler? handler) =>
            _client = handler == null ? s_shared.Value : new HttpClient(handler, disposeHandler: false);

        public HttpClient GetHttpClient() => _client;
    }
}
