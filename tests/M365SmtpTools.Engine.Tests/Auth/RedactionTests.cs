using Xunit;
using System.Net;
using System.Reflection;
using System.Security.Cryptography.X509Certificates;
using M365SmtpTools.Engine.Auth;
using M365SmtpTools.Engine.Operations;
using M365SmtpTools.Engine.Tests.Infrastructure;

namespace M365SmtpTools.Engine.Tests.Auth;

/// <summary>
/// Runs every way to connect, successful and failing, with known secret values, and scans everything a person or a
/// transcript could see: every host stream line, every exception's message and ToString, every connection's ToString and
/// public property values.
/// </summary>
public sealed class RedactionTests : IDisposable
{
    private const string ClientSecret = "RedactMe-ClientSecret-8f7e6d";
    private const string PfxPassword = "RedactMe-PfxPassword-1a2b";
    private const string BasicPassword = "RedactMe-BasicPassword-3c4d";
    private const string RefreshToken = "RedactMe-RefreshToken-5e6f";
    private readonly LoopbackIdentityServer _server = new();
    private readonly List<string> _seen = new();

    public void Dispose() => _server.Dispose();

    private async Task Run(ConnectSmtpRequest request, bool interactive = false, bool test = false)
    {
        var host = new RecordingHost { IsInteractive = interactive };
        var registry = new SmtpConnectionRegistry();
        var tester = new FakeAuthTester();
        request.Test = test;
        try
        {
            SmtpConnection c = await new ConnectSmtpOperation(registry, new TokenProviderFactory(_server.ClientOptions()), tester)
                .RunForResultAsync(request, host, TestContext.Current.CancellationToken);
            Observe(c);
            foreach (SmtpConnection x in registry.Find("*")) Observe(x);
            var got = await new GetSmtpConnectionOperation(registry)
                .CollectAsync(new GetSmtpConnectionRequest(), host, TestContext.Current.CancellationToken);
            foreach (SmtpConnection x in got.Results) Observe(x);
            await new DisconnectSmtpOperation(registry)
                .CollectAsync(new DisconnectSmtpRequest(), host, TestContext.Current.CancellationToken);
            Observe(c);
        }
        catch (M365SmtpException e)
        {
            _seen.Add(e.Message);
            _seen.Add(e.ToString());
            _seen.Add(e.RecommendedAction ?? "");
            _seen.Add(e.TargetObject?.ToString() ?? "");
        }
        _seen.AddRange(host.AllText());
        _seen.Add(request.ToString()!);
    }

    private void Observe(object o)
    {
        _seen.Add(o.ToString()!);
        foreach (PropertyInfo p in o.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
            _seen.Add($"{p.Name}={p.GetValue(o)}");
    }

    [Fact]
    public async Task No_secret_or_token_appears_in_any_output()
    {
        _server.OnToken = r =>
        {
            if (r.Form.GetValueOrDefault("client_secret") == "wrong")
                return LoopbackIdentityServer.AadError("invalid_client", "7000215", "Invalid client secret provided.", 401);
            if (r.Form.GetValueOrDefault("grant_type")?.Contains("device_code") == true
                || r.Form.GetValueOrDefault("grant_type") == "refresh_token")
                return LoopbackIdentityServer.TokenResponse(
                    _server.Issue(TestJwt.Delegated("alice@contoso.com", DateTimeOffset.UtcNow.AddHours(1))),
                    refreshToken: RefreshToken, idToken: TestJwt.IdToken("alice@contoso.com", AuthTestHelpers.ClientId));
            return LoopbackIdentityServer.TokenResponse(_server.NewAppToken());
        };

        // Client secret: good, wrong, and with -Test.
        await Run(AuthTestHelpers.SecretRequest(ClientSecret));
        await Run(AuthTestHelpers.SecretRequest(ClientSecret), test: true);
        ConnectSmtpRequest wrong = AuthTestHelpers.SecretRequest("wrong");
        await Run(wrong);

        // Certificate from a PFX with a password: good and wrong password.
        using X509Certificate2 cert = AuthTestHelpers.NewCertificate();
        string pfxDir = TestPaths.NewTempDir();
        string pfx = Path.Combine(pfxDir, "app.pfx");
        File.WriteAllBytes(pfx, cert.Export(X509ContentType.Pfx, PfxPassword));
        ConnectSmtpRequest CertRequest(string pw) => new()
        {
            TenantId = TestJwt.Tenant, ClientId = AuthTestHelpers.ClientId, CertificatePath = pfx,
            CertificatePassword = SecretText.ToSecureString(pw), UserName = AuthTestHelpers.Mailbox,
            AuthorityHost = LoopbackIdentityServer.AuthorityHost,
        };
        await Run(CertRequest(PfxPassword));
        await Run(CertRequest(PfxPassword + "x"));
        Directory.Delete(pfxDir, recursive: true);

        // Device code (interactive and not), access token (good, wrong audience, expired), Basic (warn and refuse).
        var dc = new ConnectSmtpRequest { DeviceCode = true, ClientId = AuthTestHelpers.ClientId, TenantId = TestJwt.Tenant,
            AuthorityHost = LoopbackIdentityServer.AuthorityHost };
        await Run(dc, interactive: true);
        await Run(new ConnectSmtpRequest { DeviceCode = true, ClientId = AuthTestHelpers.ClientId,
            AuthorityHost = LoopbackIdentityServer.AuthorityHost });
        string given = TestJwt.Delegated("alice@contoso.com", DateTimeOffset.UtcNow.AddHours(1));
        await Run(new ConnectSmtpRequest { AccessToken = SecretText.ToSecureString(given) }, test: true);
        string graph = TestJwt.Delegated("alice@contoso.com", DateTimeOffset.UtcNow.AddHours(1), aud: "https://graph.microsoft.com");
        await Run(new ConnectSmtpRequest { AccessToken = SecretText.ToSecureString(graph) });
        string expired = TestJwt.AppOnly(TestJwt.Tenant, DateTimeOffset.UtcNow.AddHours(-1));
        await Run(new ConnectSmtpRequest { AccessToken = SecretText.ToSecureString(expired), UserName = "a@contoso.com" });
        await Run(new ConnectSmtpRequest { Credential = new NetworkCredential("alice@contoso.com", BasicPassword) }, test: true);
        await Run(new ConnectSmtpRequest { Credential = new NetworkCredential("alice@contoso.com", BasicPassword), TenantId = "x" });

        var secrets = new List<string> { ClientSecret, PfxPassword, BasicPassword, RefreshToken, given, graph, expired };
        secrets.AddRange(_server.IssuedTokens);
        // Token signatures and payloads are secrets too: no part of any token may leak.
        secrets.AddRange(_server.IssuedTokens.Concat(new[] { given, graph, expired }).SelectMany(t => t.Split('.').Skip(1).Take(1)));
        Assert.True(_server.IssuedTokens.Count >= 4, "the runs should have issued tokens");
        Assert.True(_seen.Count > 50);
        foreach (string line in _seen)
            foreach (string secret in secrets)
                Assert.False(line.Contains(secret, StringComparison.Ordinal),
                    $"a secret ({secret[..6]}…) leaked into: {line[..Math.Min(200, line.Length)]}");
    }
}
