using Xunit;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using M365SmtpTools.Engine.Auth;
using M365SmtpTools.Engine.Operations;
using M365SmtpTools.Engine.Tests.Infrastructure;

namespace M365SmtpTools.Engine.Tests.Auth;

public sealed class ClientCredentialsTests : IDisposable
{
    private readonly LoopbackIdentityServer _server = new();
    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task Secret_flow_posts_client_credentials_and_stores_the_connection()
    {
        var registry = new SmtpConnectionRegistry();
        var op = new ConnectSmtpOperation(registry, new TokenProviderFactory(_server.ClientOptions()));
        var host = new RecordingHost();

        SmtpConnection c = await op.RunForResultAsync(AuthTestHelpers.SecretRequest("s3cret-Value-1"), host,
            TestContext.Current.CancellationToken);

        IdentityRequest req = Assert.Single(_server.TokenRequests);
        Assert.Equal($"/{TestJwt.Tenant}/oauth2/v2.0/token", req.Path);
        Assert.Equal("client_credentials", req.Form["grant_type"]);
        Assert.Equal(AuthTestHelpers.ClientId, req.Form["client_id"]);
        Assert.Equal("s3cret-Value-1", req.Form["client_secret"]);
        Assert.Contains("https://outlook.office365.com/.default", req.Form["scope"].Split(' '));

        Assert.Same(c, registry.Get("Default"));
        Assert.Equal(SmtpAuthMethod.AppSecret, c.Method);
        Assert.Equal("smtp.office365.com", c.SmtpHost);
        Assert.Equal(587, c.Port);
        Assert.Equal(AuthTestHelpers.Mailbox, c.UserName);
        Assert.Equal(TestJwt.Tenant, c.TenantId);
        Assert.NotNull(c.TokenExpiresOn);
        SmtpAccessToken token = await c.GetAccessTokenAsync(host, TestContext.Current.CancellationToken);
        Assert.True(_server.IssuedTokens.TryPeek(out string? issued));
        Assert.Equal(issued, token.RevealToken());
        Assert.Empty(host.Warnings);
    }

    [Fact]
    public async Task Certificate_flow_signs_a_client_assertion_with_the_certificate_key()
    {
        using X509Certificate2 cert = AuthTestHelpers.NewCertificate();
        var factory = new TokenProviderFactory(_server.ClientOptions());
        var request = new ConnectSmtpRequest
        {
            TenantId = TestJwt.Tenant, ClientId = AuthTestHelpers.ClientId, Certificate = cert,
            UserName = AuthTestHelpers.Mailbox, AuthorityHost = LoopbackIdentityServer.AuthorityHost,
        };
        SmtpConnection c = await new ConnectSmtpOperation(new SmtpConnectionRegistry(), factory)
            .RunForResultAsync(request, new RecordingHost(), TestContext.Current.CancellationToken);
        Assert.Equal(SmtpAuthMethod.AppCertificate, c.Method);

        IdentityRequest req = Assert.Single(_server.TokenRequests);
        Assert.False(req.Form.ContainsKey("client_secret"));
        Assert.Equal("urn:ietf:params:oauth:client-assertion-type:jwt-bearer", req.Form["client_assertion_type"]);
        string[] parts = req.Form["client_assertion"].Split('.');
        Assert.Equal(3, parts.Length);
        using JsonDocument header = JsonDocument.Parse(TestJwt.FromB64(parts[0]));
        using JsonDocument payload = JsonDocument.Parse(TestJwt.FromB64(parts[1]));

        Assert.Equal($"https://{LoopbackIdentityServer.AuthorityHost}/{TestJwt.Tenant}/oauth2/v2.0/token",
            payload.RootElement.GetProperty("aud").GetString());
        Assert.Equal(AuthTestHelpers.ClientId, payload.RootElement.GetProperty("iss").GetString());
        Assert.Equal(AuthTestHelpers.ClientId, payload.RootElement.GetProperty("sub").GetString());
        JsonElement exp = payload.RootElement.GetProperty("exp");
        long expSeconds = exp.ValueKind == JsonValueKind.String ? long.Parse(exp.GetString()!) : exp.GetInt64();
        Assert.True(expSeconds > DateTimeOffset.UtcNow.ToUnixTimeSeconds());

        // The header names this certificate (x5t = SHA-1 or x5t#S256 = SHA-256 of the DER), and x5c carries it.
        JsonElement h = header.RootElement;
        if (h.TryGetProperty("x5t#S256", out JsonElement s256))
            Assert.Equal(SHA256.HashData(cert.RawData), TestJwt.FromB64(s256.GetString()!));
        else
            Assert.Equal(cert.GetCertHash(), TestJwt.FromB64(h.GetProperty("x5t").GetString()!));
        JsonElement x5c = h.GetProperty("x5c");
        Assert.Equal(Convert.ToBase64String(cert.RawData), x5c.ValueKind == JsonValueKind.Array ? x5c[0].GetString() : x5c.GetString());

        // The signature verifies with the certificate's public key, and not with another key.
        byte[] signed = Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
        byte[] signature = TestJwt.FromB64(parts[2]);
        string alg = h.GetProperty("alg").GetString()!;
        RSASignaturePadding padding = alg switch { "RS256" => RSASignaturePadding.Pkcs1, "PS256" => RSASignaturePadding.Pss,
            _ => throw new Xunit.Sdk.XunitException("unexpected alg " + alg) };
        using RSA pub = cert.GetRSAPublicKey()!;
        Assert.True(pub.VerifyData(signed, signature, HashAlgorithmName.SHA256, padding));
        using RSA other = RSA.Create(2048);
        Assert.False(other.VerifyData(signed, signature, HashAlgorithmName.SHA256, padding));
    }

    [Fact]
    public async Task Certificate_from_pfx_file_with_password_is_used_and_a_wrong_password_is_a_clear_error()
    {
        using X509Certificate2 cert = AuthTestHelpers.NewCertificate();
        string dir = TestPaths.NewTempDir();
        string pfx = Path.Combine(dir, "app.pfx");
        File.WriteAllBytes(pfx, cert.Export(X509ContentType.Pfx, "pfx-pass-123"));
        var factory = new TokenProviderFactory(_server.ClientOptions());
        var request = new ConnectSmtpRequest
        {
            TenantId = TestJwt.Tenant, ClientId = AuthTestHelpers.ClientId, CertificatePath = pfx,
            CertificatePassword = SecretText.ToSecureString("pfx-pass-123"), UserName = AuthTestHelpers.Mailbox,
            AuthorityHost = LoopbackIdentityServer.AuthorityHost,
        };
        await new ConnectSmtpOperation(new SmtpConnectionRegistry(), factory)
            .RunForResultAsync(request, new RecordingHost(), TestContext.Current.CancellationToken);
        string assertion = Assert.Single(_server.TokenRequests).Form["client_assertion"];
        string[] parts = assertion.Split('.');
        using RSA pub = cert.GetRSAPublicKey()!;
        string alg = JsonDocument.Parse(TestJwt.FromB64(parts[0])).RootElement.GetProperty("alg").GetString()!;
        Assert.True(pub.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), TestJwt.FromB64(parts[2]), HashAlgorithmName.SHA256,
            alg == "PS256" ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1));

        request.CertificatePassword = SecretText.ToSecureString("wrong-pass-456");
        M365SmtpException e = await AuthTestHelpers.ThrowsEngine(() => new ConnectSmtpOperation(new SmtpConnectionRegistry(), factory)
            .RunForResultAsync(request, new RecordingHost(), TestContext.Current.CancellationToken));
        Assert.Equal("CertificateFileUnreadable", e.ErrorId);
        Assert.Contains("-CertificatePassword", e.Message);
        Assert.DoesNotContain("wrong-pass-456", e.ToString());

        request.CertificatePath = Path.Combine(dir, "missing.pfx");
        e = await AuthTestHelpers.ThrowsEngine(() => new ConnectSmtpOperation(new SmtpConnectionRegistry(), factory)
            .RunForResultAsync(request, new RecordingHost(), TestContext.Current.CancellationToken));
        Assert.Equal("CertificateFileNotFound", e.ErrorId);
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public async Task Certificate_without_private_key_or_expired_is_refused_before_any_request()
    {
        using X509Certificate2 publicOnly = AuthTestHelpers.NewCertificate(withPrivateKey: false);
        var factory = new TokenProviderFactory(_server.ClientOptions());
        var request = new ConnectSmtpRequest { TenantId = TestJwt.Tenant, ClientId = AuthTestHelpers.ClientId, Certificate = publicOnly,
            UserName = AuthTestHelpers.Mailbox, AuthorityHost = LoopbackIdentityServer.AuthorityHost };
        M365SmtpException e = await AuthTestHelpers.ThrowsEngine(() => new ConnectSmtpOperation(new SmtpConnectionRegistry(), factory)
            .RunForResultAsync(request, new RecordingHost(), TestContext.Current.CancellationToken));
        Assert.Equal("CertificateHasNoPrivateKey", e.ErrorId);
        Assert.Equal("Certificate", e.TargetObject);

        var clock = DateTimeOffset.UtcNow.AddDays(60);
        using X509Certificate2 cert = AuthTestHelpers.NewCertificate();
        request.Certificate = cert;
        var later = new TokenProviderFactory(_server.ClientOptions(() => clock));
        e = await AuthTestHelpers.ThrowsEngine(() => new ConnectSmtpOperation(new SmtpConnectionRegistry(), later)
            .RunForResultAsync(request, new RecordingHost(), TestContext.Current.CancellationToken));
        Assert.Equal("CertificateExpired", e.ErrorId);
        Assert.Empty(_server.TokenRequests);
    }

    [Fact]
    public async Task Certificate_thumbprint_outside_Windows_says_to_use_a_file()
    {
        if (OperatingSystem.IsWindows()) Assert.Skip("Windows has a certificate store; this test is about other systems.");
        var request = new ConnectSmtpRequest { TenantId = TestJwt.Tenant, ClientId = AuthTestHelpers.ClientId,
            CertificateThumbprint = "3A 4B 5C 6D 7E 8F 90 12 A3 B4 C5 D6 E7 F8 09 1A 2B 3C 4D 5E", UserName = AuthTestHelpers.Mailbox };
        M365SmtpException e = await AuthTestHelpers.ThrowsEngine(() =>
            new ConnectSmtpOperation(new SmtpConnectionRegistry(), new TokenProviderFactory(_server.ClientOptions()))
                .RunForResultAsync(request, new RecordingHost(), TestContext.Current.CancellationToken));
        Assert.Equal("CertificateStoreNotSupported", e.ErrorId);
        Assert.Contains("-CertificatePath", e.RecommendedAction);

        // The shape is checked first, on every system: a truncated thumbprint is named as such, not looked up.
        request.CertificateThumbprint = "AB12CD34";
        M365SmtpException shape = await AuthTestHelpers.ThrowsEngine(() =>
            new ConnectSmtpOperation(new SmtpConnectionRegistry(), new TokenProviderFactory(_server.ClientOptions()))
                .RunForResultAsync(request, new RecordingHost(), TestContext.Current.CancellationToken));
        Assert.Equal("CertificateThumbprintInvalid", shape.ErrorId);
        Assert.Equal("CertificateThumbprint", shape.TargetObject);
    }

    [Fact]
    public async Task A_thousand_acquisitions_make_one_token_request()
    {
        ITokenProvider provider = new TokenProviderFactory(_server.ClientOptions()).Create(AuthTestHelpers.SecretRequest())!;
        var host = new RecordingHost();
        var tokens = new HashSet<string>();
        for (int i = 0; i < 1000; i++)
            tokens.Add((await provider.GetTokenAsync(host, TestContext.Current.CancellationToken)).RevealToken());
        Assert.Single(_server.TokenRequests);
        Assert.Single(tokens);
    }

    [Fact]
    public async Task Parallel_acquisitions_share_one_token_request()
    {
        ITokenProvider provider = new TokenProviderFactory(_server.ClientOptions()).Create(AuthTestHelpers.SecretRequest())!;
        var host = new RecordingHost();
        SmtpAccessToken[] all = await Task.WhenAll(Enumerable.Range(0, 32)
            .Select(_ => provider.GetTokenAsync(host, TestContext.Current.CancellationToken)));
        Assert.Single(_server.TokenRequests);
        Assert.Single(all.Select(t => t.RevealToken()).Distinct());
    }

    [Fact]
    public async Task Token_is_refreshed_five_minutes_before_expiry_and_not_earlier()
    {
        DateTimeOffset now = DateTimeOffset.UtcNow;
        ITokenProvider provider = new TokenProviderFactory(_server.ClientOptions(() => now)).Create(AuthTestHelpers.SecretRequest())!;
        var host = new RecordingHost();
        SmtpAccessToken first = await provider.GetTokenAsync(host, TestContext.Current.CancellationToken);
        DateTimeOffset expires = first.ExpiresOn!.Value;

        now = expires - TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(30);
        Assert.Same(first, await provider.GetTokenAsync(host, TestContext.Current.CancellationToken));
        Assert.Single(_server.TokenRequests);

        now = expires - TimeSpan.FromMinutes(4);
        SmtpAccessToken second = await provider.GetTokenAsync(host, TestContext.Current.CancellationToken);
        Assert.Equal(2, _server.TokenRequests.Count());
        Assert.NotEqual(first.RevealToken(), second.RevealToken());
        Assert.Equal(_server.IssuedTokens.Last(), second.RevealToken());
        Assert.Contains(host.Verbose, v => v.Contains("getting a new one"));
    }

    [Fact]
    public async Task ClearCache_makes_the_next_acquisition_go_to_the_endpoint()
    {
        ITokenProvider provider = new TokenProviderFactory(_server.ClientOptions()).Create(AuthTestHelpers.SecretRequest())!;
        await provider.GetTokenAsync(new RecordingHost(), TestContext.Current.CancellationToken);
        provider.ClearCache();
        Assert.Null(provider.ExpiresOn);
        await provider.GetTokenAsync(new RecordingHost(), TestContext.Current.CancellationToken);
        Assert.Equal(2, _server.TokenRequests.Count());
    }

    public static TheoryData<string, string, string, ErrorKind> AadCodes => new()
    {
        { "invalid_client", "7000215", "AadInvalidClientSecret", ErrorKind.AuthenticationError },
        { "invalid_client", "7000222", "AadClientSecretExpired", ErrorKind.AuthenticationError },
        { "invalid_client", "700027", "AadCertificateRejected", ErrorKind.AuthenticationError },
        { "invalid_client", "700024", "AadAssertionOutsideValidity", ErrorKind.AuthenticationError },
        { "invalid_grant", "65001", "AadConsentMissing", ErrorKind.PermissionDenied },
        { "invalid_request", "90002", "AadTenantNotFound", ErrorKind.ObjectNotFound },
        { "invalid_request", "900023", "AadTenantInvalid", ErrorKind.InvalidArgument },
        { "unauthorized_client", "700016", "AadAppNotFound", ErrorKind.ObjectNotFound },
        { "invalid_grant", "50126", "AadInvalidUserCredentials", ErrorKind.AuthenticationError },
        { "invalid_grant", "50076", "AadMfaRequired", ErrorKind.AuthenticationError },
        { "invalid_grant", "50079", "AadMfaRequired", ErrorKind.AuthenticationError },
        { "invalid_scope", "70011", "AadInvalidScope", ErrorKind.InvalidArgument },
        { "invalid_resource", "500011", "AadResourceNotFound", ErrorKind.PermissionDenied },
        { "invalid_request", "9999999", "AadError", ErrorKind.AuthenticationError },
    };

    [Theory]
    [MemberData(nameof(AadCodes))]
    public async Task AADSTS_errors_become_engine_errors_with_their_meaning(string error, string code, string errorId, ErrorKind kind)
    {
        _server.OnToken = _ => LoopbackIdentityServer.AadError(error, code, "The identity platform says no.",
            error == "invalid_client" ? 401 : 400);
        var op = new ConnectSmtpOperation(new SmtpConnectionRegistry(), new TokenProviderFactory(_server.ClientOptions()));
        M365SmtpException e = await AuthTestHelpers.ThrowsEngine(() =>
            op.RunForResultAsync(AuthTestHelpers.SecretRequest("secret-for-" + code), new RecordingHost(),
                TestContext.Current.CancellationToken));
        Assert.Equal(errorId, e.ErrorId);
        Assert.Equal(kind, e.Kind);
        Assert.Contains("AADSTS" + code, e.Message);
        Assert.Equal("AADSTS" + code, e.TargetObject);
        Assert.NotNull(e.InnerException);
        Assert.False(string.IsNullOrEmpty(e.RecommendedAction));
        AadErrorInfo? info = AadErrorCatalog.Lookup(code);
        if (info != null) Assert.Contains(info.Meaning, e.Message);
        Assert.DoesNotContain("secret-for-" + code, e.ToString());
    }

    [Fact]
    public async Task Unreachable_identity_endpoint_is_a_connection_error()
    {
        var options = _server.ClientOptions();
        _server.Dispose();
        var op = new ConnectSmtpOperation(new SmtpConnectionRegistry(), new TokenProviderFactory(options));
        M365SmtpException e = await AuthTestHelpers.ThrowsEngine(() =>
            op.RunForResultAsync(AuthTestHelpers.SecretRequest(), new RecordingHost(), TestContext.Current.CancellationToken));
        Assert.Contains(e.ErrorId, new[] { "IdentityEndpointUnreachable", "TokenRequestFailed" });
        Assert.NotNull(e.InnerException);
    }
}
