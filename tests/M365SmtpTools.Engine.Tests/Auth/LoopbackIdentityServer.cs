using Xunit;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Web;
using M365SmtpTools.Engine.Auth;
using M365SmtpTools.Engine.Tests.Infrastructure;

namespace M365SmtpTools.Engine.Tests.Auth;

/// <summary>One request the loopback identity endpoint received.</summary>
public sealed record IdentityRequest(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Form,
    IReadOnlyDictionary<string, string> Headers);

/// <summary>What the endpoint answers: a status and a JSON body.</summary>
public sealed record IdentityResponse(int Status, string Json);

/// <summary>
/// A loopback Entra ID look-alike on HttpListener (127.0.0.1, free port): OpenID configuration, token endpoint,
/// device-code endpoint and an App Service-style managed identity endpoint. MSAL requires an HTTPS authority, so tests
/// use https://login.loopback.test/... and the <see cref="Handler"/> rewrites those requests to this listener.
/// </summary>
public sealed class LoopbackIdentityServer : IDisposable
{
    public const string AuthorityHost = "login.loopback.test";
    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _tokenCounter;

    public LoopbackIdentityServer()
    {
        for (int attempt = 0; ; attempt++)
        {
            Port = FreePort();
            _listener.Prefixes.Clear();
            _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
            try { _listener.Start(); break; }
            catch (HttpListenerException) when (attempt < 5) { }
        }
        OnToken = null!; OnManagedIdentity = null!; OnDeviceCode = null!;
        OnToken = _ => TokenResponse(NewAppToken());
        OnManagedIdentity = _ =>
        {
            string token = NewAppToken();
            return new IdentityResponse(200, JsonSerializer.Serialize(new Dictionary<string, string>
            {
                ["access_token"] = token,
                ["expires_on"] = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds().ToString(),
                ["resource"] = "https://outlook.office365.com",
                ["token_type"] = "Bearer",
                ["client_id"] = "mi-client",
            }));
        };
        OnDeviceCode = _ => new IdentityResponse(200, JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["user_code"] = "LOOPBACK1",
            ["device_code"] = "device-code-" + Guid.NewGuid().ToString("N"),
            ["verification_uri"] = "https://microsoft.com/devicelogin",
            ["expires_in"] = 900,
            ["interval"] = 1,
            ["message"] = "To sign in, use a web browser to open the page https://microsoft.com/devicelogin "
                + "and enter the code LOOPBACK1 to authenticate.",
        }));

        _loop = Task.Run(LoopAsync);
        Handler = new RedirectHandler(Port);
    }

    public int Port { get; }

    /// <summary>The base address of the listener.</summary>
    public string BaseUrl => $"http://127.0.0.1:{Port}";

    /// <summary>Rewrites https://login.loopback.test to the listener; other addresses (the MI endpoint) pass as they are.</summary>
    public HttpMessageHandler Handler { get; }

    public ConcurrentQueue<IdentityRequest> Requests { get; } = new();

    public IEnumerable<IdentityRequest> TokenRequests =>
        Requests.Where(r => r.Path.EndsWith("/oauth2/v2.0/token", StringComparison.Ordinal));

    /// <summary>Answers the token endpoint; default: a fresh app-only token valid for an hour.</summary>
    public Func<IdentityRequest, IdentityResponse> OnToken { get; set; }

    /// <summary>Answers the managed identity endpoint; default: a fresh token.</summary>
    public Func<IdentityRequest, IdentityResponse> OnManagedIdentity { get; set; }

    /// <summary>Answers the device code endpoint.</summary>
    public Func<IdentityRequest, IdentityResponse> OnDeviceCode { get; set; }

    /// <summary>The tokens issued, in order.</summary>
    public ConcurrentQueue<string> IssuedTokens { get; } = new();

    public IdentityClientOptions ClientOptions(Func<DateTimeOffset>? clock = null) => new()
    {
        HttpHandler = Handler,
        Clock = clock ?? (() => DateTimeOffset.UtcNow),
        PersistentCacheName = "M365SmtpToolsTest" + Guid.NewGuid().ToString("N")[..8],
    };

    public string NewAppToken(int lifetimeSeconds = 3600, string? tenant = null) =>
        Issue(TestJwt.AppOnly(tenant ?? TestJwt.Tenant, DateTimeOffset.UtcNow.AddSeconds(lifetimeSeconds),
            Interlocked.Increment(ref _tokenCounter)));

    public string Issue(string token) { IssuedTokens.Enqueue(token); return token; }

    public static IdentityResponse TokenResponse(string token, int expiresIn = 3600, string? refreshToken = null, string? idToken = null)
    {
        var body = new Dictionary<string, object> { ["token_type"] = "Bearer", ["expires_in"] = expiresIn, ["ext_expires_in"] = expiresIn,
            ["access_token"] = token };
        if (refreshToken != null) body["refresh_token"] = refreshToken;
        if (idToken != null)
        {
            body["id_token"] = idToken;
            body["client_info"] = TestJwt.ClientInfo();
            body["scope"] = "https://outlook.office.com/SMTP.Send";
        }
        return new IdentityResponse(200, JsonSerializer.Serialize(body));
    }

    public static IdentityResponse AadError(string error, string code, string description, int status = 400) =>
        new(status, JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["error"] = error,
            ["error_description"] = $"AADSTS{code}: {description} Trace ID: 0f6c2d8e-0000-0000-0000-000000000000 Correlation ID: 1a2b3c4d-0000-0000-0000-000000000000 Timestamp: 2026-11-22 06:00:00Z",
            ["error_codes"] = new[] { int.Parse(code) },
            ["timestamp"] = "2026-11-22 06:00:00Z",
            ["trace_id"] = "0f6c2d8e-0000-0000-0000-000000000000",
            ["correlation_id"] = "1a2b3c4d-0000-0000-0000-000000000000",
        }));

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext ctx;
            try { ctx = await _listener.GetContextAsync(); }
            catch (Exception) when (_stop.IsCancellationRequested) { return; }
            catch (HttpListenerException) { return; }
            catch (ObjectDisposedException) { return; }
            _ = Task.Run(() => Serve(ctx));
        }
    }

    private void Serve(HttpListenerContext ctx)
    {
        try
        {
            string body = "";
            if (ctx.Request.HasEntityBody)
                using (var reader = new StreamReader(ctx.Request.InputStream, Encoding.UTF8)) body = reader.ReadToEnd();
            var form = new Dictionary<string, string>();
            if (body.Length > 0)
            {
                var parsed = HttpUtility.ParseQueryString(body);
                foreach (string? k in parsed.AllKeys) if (k != null) form[k] = parsed[k]!;
            }
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (string? k in ctx.Request.Headers.AllKeys) if (k != null) headers[k] = ctx.Request.Headers[k]!;
            string path = ctx.Request.Url!.AbsolutePath;
            var request = new IdentityRequest(ctx.Request.HttpMethod, path, ctx.Request.Url.Query, form, headers);
            Requests.Enqueue(request);

            IdentityResponse response;
            if (path.EndsWith("/.well-known/openid-configuration", StringComparison.Ordinal))
            {
                string tenant = path.Split('/', StringSplitOptions.RemoveEmptyEntries)[0];
                string issuerBase = $"https://{AuthorityHost}/{tenant}";
                response = new IdentityResponse(200, JsonSerializer.Serialize(new Dictionary<string, object>
                {
                    ["issuer"] = issuerBase + "/v2.0",
                    ["authorization_endpoint"] = issuerBase + "/oauth2/v2.0/authorize",
                    ["token_endpoint"] = issuerBase + "/oauth2/v2.0/token",
                    ["device_authorization_endpoint"] = issuerBase + "/oauth2/v2.0/devicecode",
                    ["jwks_uri"] = issuerBase + "/discovery/v2.0/keys",
                }));
            }
            else if (path.EndsWith("/oauth2/v2.0/token", StringComparison.Ordinal)) response = OnToken(request);
            else if (path.EndsWith("/oauth2/v2.0/devicecode", StringComparison.Ordinal)) response = OnDeviceCode(request);
            else if (path.StartsWith("/msi/token", StringComparison.Ordinal)) response = OnManagedIdentity(request);
            else response = new IdentityResponse(404, "{\"error\":\"not_found\"}");

            byte[] bytes = Encoding.UTF8.GetBytes(response.Json);
            ctx.Response.StatusCode = response.Status;
            ctx.Response.ContentType = "application/json; charset=utf-8";
            ctx.Response.ContentLength64 = bytes.Length;
            ctx.Response.OutputStream.Write(bytes);
            ctx.Response.Close();
        }
        catch (Exception e)
        {
            try
            {
                ctx.Response.StatusCode = 500;
                byte[] b = Encoding.UTF8.GetBytes("{\"error\":\"server_error\",\"error_description\":\"" + e.GetType().Name + "\"}");
                ctx.Response.OutputStream.Write(b);
                ctx.Response.Close();
            }
            catch { /* the client went away */ }
        }
    }

    private static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    public void Dispose()
    {
        _stop.Cancel();
        try { _listener.Stop(); _listener.Close(); } catch (ObjectDisposedException) { }
        try { _loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
    }

    private sealed class RedirectHandler : DelegatingHandler
    {
        private readonly int _port;
        public RedirectHandler(int port) : base(new SocketsHttpHandler { UseProxy = false }) => _port = port;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri is { } uri && uri.Host.Equals(AuthorityHost, StringComparison.OrdinalIgnoreCase))
                request.RequestUri = new UriBuilder(uri) { Scheme = "http", Host = "127.0.0.1", Port = _port }.Uri;
            return base.SendAsync(request, cancellationToken);
        }
    }
}

/// <summary>Crafted JWTs (unsigned: the engine never validates signatures).</summary>
public static class TestJwt
{
    public const string Tenant = "7f3c1e9a-4b2d-4c8e-9f10-2a3b4c5d6e7f";
    public const string AppId = "0a1b2c3d-1111-2222-3333-444455556666";
    public const string Oid = "9e8d7c6b-aaaa-bbbb-cccc-ddddeeeeffff";

    public static string Create(object claims, object? header = null) =>
        B64(JsonSerializer.SerializeToUtf8Bytes(header ?? new { typ = "JWT", alg = "RS256", kid = "test" })) + "." +
        B64(JsonSerializer.SerializeToUtf8Bytes(claims)) + "." + B64(Encoding.ASCII.GetBytes("not-a-real-signature"));

    public static string AppOnly(string tenant, DateTimeOffset exp, int serial = 0, string aud = "https://outlook.office365.com",
        string[]? roles = null) =>
        Create(new Dictionary<string, object>
        {
            ["aud"] = aud,
            ["iss"] = $"https://sts.windows.net/{tenant}/",
            ["tid"] = tenant,
            ["appid"] = AppId,
            ["oid"] = Oid,
            ["idtyp"] = "app",
            ["roles"] = roles ?? new[] { "SMTP.SendAsApp" },
            ["iat"] = exp.AddHours(-1).ToUnixTimeSeconds(),
            ["nbf"] = exp.AddHours(-1).ToUnixTimeSeconds(),
            ["exp"] = exp.ToUnixTimeSeconds(),
            ["uti"] = "serial-" + serial,
        });

    public static string Delegated(string user, DateTimeOffset exp, string scp = "SMTP.Send", string aud = "https://outlook.office.com",
        string tenant = Tenant) =>
        Create(new Dictionary<string, object>
        {
            ["aud"] = aud,
            ["tid"] = tenant,
            ["appid"] = AppId,
            ["oid"] = Oid,
            ["upn"] = user,
            ["scp"] = scp,
            ["iat"] = exp.AddHours(-1).ToUnixTimeSeconds(),
            ["nbf"] = exp.AddHours(-1).ToUnixTimeSeconds(),
            ["exp"] = exp.ToUnixTimeSeconds(),
        });

    /// <summary>An id token MSAL accepts for a delegated sign-in.</summary>
    public static string IdToken(string user, string clientId) =>
        Create(new Dictionary<string, object>
        {
            ["aud"] = clientId,
            ["iss"] = $"https://login.microsoftonline.com/{Tenant}/v2.0",
            ["tid"] = Tenant,
            ["oid"] = Oid,
            ["sub"] = "subject-" + user,
            ["preferred_username"] = user,
            ["name"] = "Test User",
            ["iat"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["nbf"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["exp"] = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds(),
        }, new { typ = "JWT", alg = "none" });

    public static string ClientInfo() => B64(JsonSerializer.SerializeToUtf8Bytes(new { uid = Oid, utid = Tenant }));

    public static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static byte[] FromB64(string s)
    {
        s = s.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + (4 - s.Length % 4) % 4, '='));
    }
}
