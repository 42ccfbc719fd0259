using Xunit;
using System.Net;
using M365SmtpTools.Engine.Auth;
using M365SmtpTools.Engine.Exchange;
using M365SmtpTools.Engine.Operations;
using M365SmtpTools.Engine.Tests.Infrastructure;

namespace M365SmtpTools.Engine.Tests.Auth;

public sealed class AuthOptionsValidationTests
{
    private static M365SmtpException Fails(SmtpAuthOptions o) => Assert.Throws<M365SmtpException>(() => o.Validate());

    [Fact]
    public void Client_secret_without_tenant_names_TenantId()
    {
        var e = Fails(new SmtpAuthOptions { ClientId = "x", ClientSecret = SecretText.ToSecureString("s"), UserName = "a@b.c" });
        Assert.Equal("TenantIdMissing", e.ErrorId);
        Assert.Equal("TenantId", e.TargetObject);
        Assert.Contains("-ClientSecret needs -TenantId", e.Message);
    }

    [Theory]
    [InlineData("ClientIdMissing", "ClientId")]
    [InlineData("UserNameMissing", "UserName")]
    public void App_only_needs_client_id_and_mailbox(string errorId, string parameter)
    {
        var o = new SmtpAuthOptions { TenantId = "t", ClientId = "c", CertificatePath = "/x.pfx", UserName = "a@b.c" };
        if (parameter == "ClientId") o.ClientId = null; else o.UserName = " ";
        var e = Fails(o);
        Assert.Equal(errorId, e.ErrorId);
        Assert.Equal(parameter, e.TargetObject);
    }

    [Fact]
    public void Nothing_and_two_ways_are_refused()
    {
        Assert.Equal("AuthMethodMissing", Fails(new SmtpAuthOptions()).ErrorId);
        var e = Fails(new SmtpAuthOptions { DeviceCode = true, ManagedIdentity = true });
        Assert.Equal("AuthMethodConflict", e.ErrorId);
        Assert.Contains("-ManagedIdentity", e.Message);
        Assert.Contains("-DeviceCode", e.Message);
        Assert.Equal("AuthMethodConflict", Fails(new SmtpAuthOptions { TenantId = "t", ClientId = "c", CertificatePath = "/a.pfx",
            CertificateThumbprint = "AB" }).ErrorId);
    }

    [Fact]
    public void Other_mistakes_name_their_parameter()
    {
        Assert.Equal("CertificatePassword", Fails(new SmtpAuthOptions { TenantId = "t", ClientId = "c", CertificateThumbprint = "AB",
            CertificatePassword = SecretText.ToSecureString("p"), UserName = "a@b.c" }).TargetObject);
        Assert.Equal("AppOnlyNeedsTenant", Fails(new SmtpAuthOptions { TenantId = "common", ClientId = "c",
            ClientSecret = SecretText.ToSecureString("s"), UserName = "a@b.c" }).ErrorId);
        Assert.Equal("ManagedIdentityWithClientId", Fails(new SmtpAuthOptions { ManagedIdentity = true, ClientId = "c",
            UserName = "a@b.c" }).ErrorId);
        Assert.Equal("ClientIdMissing", Fails(new SmtpAuthOptions { DeviceCode = true }).ErrorId);
        Assert.Equal("PersistTokenCacheNotApplicable", Fails(new SmtpAuthOptions { AccessToken = SecretText.ToSecureString("t"),
            PersistTokenCache = true }).ErrorId);
        Assert.Equal("BasicWithOAuthParameter", Fails(new SmtpAuthOptions { Credential = new NetworkCredential("a@b.c", "p"),
            TenantId = "t" }).ErrorId);
        Assert.Equal("ClientSecretEmpty", Fails(new SmtpAuthOptions { TenantId = "t", ClientId = "c",
            ClientSecret = SecretText.ToSecureString(""), UserName = "a@b.c" }).ErrorId);
    }

    [Theory]
    [InlineData(SmtpAuthMethod.ManagedIdentity)]
    [InlineData(SmtpAuthMethod.DeviceCode)]
    [InlineData(SmtpAuthMethod.Basic)]
    [InlineData(SmtpAuthMethod.AccessToken)]
    public void Valid_choices_are_recognised(SmtpAuthMethod method)
    {
        var o = method switch
        {
            SmtpAuthMethod.ManagedIdentity => new SmtpAuthOptions { ManagedIdentityClientId = "id", UserName = "a@b.c" },
            SmtpAuthMethod.DeviceCode => new SmtpAuthOptions { DeviceCode = true, ClientId = "c" },
            SmtpAuthMethod.Basic => new SmtpAuthOptions { Credential = new NetworkCredential("a@b.c", "p") },
            _ => new SmtpAuthOptions { AccessToken = SecretText.ToSecureString("t") },
        };
        Assert.Equal(method, o.Validate());
    }
}

public sealed class ConnectionOperationTests : IDisposable
{
    private readonly LoopbackIdentityServer _server = new();
    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task Test_switch_runs_the_AUTH_hook_with_the_token_and_a_failure_keeps_nothing()
    {
        var registry = new SmtpConnectionRegistry();
        var tester = new FakeAuthTester();
        var op = new ConnectSmtpOperation(registry, new TokenProviderFactory(_server.ClientOptions()), tester);
        ConnectSmtpRequest request = AuthTestHelpers.SecretRequest(name: "Scanner");
        request.Test = true;
        request.SmtpServer = "smtp.example.test";
        request.Port = 2587;
        await op.RunForResultAsync(request, new RecordingHost(), TestContext.Current.CancellationToken);
        var call = Assert.Single(tester.Calls);
        Assert.Equal((AuthTestHelpers.Mailbox, "smtp.example.test", 2587), (call.User, call.Host, call.Port));
        Assert.Equal(_server.IssuedTokens.Single(), call.Token);
        Assert.NotNull(registry.TryGet("scanner"));

        tester.Failure = new M365SmtpException(TestErrorCodes.Of("SmtpAuthFailed"), ErrorKind.AuthenticationError,
            "535 5.7.3 Authentication unsuccessful");
        request.Name = "Other";
        M365SmtpException e = await AuthTestHelpers.ThrowsEngine(() =>
            op.RunForResultAsync(request, new RecordingHost(), TestContext.Current.CancellationToken));
        Assert.Equal("SmtpAuthFailed", e.ErrorId);
        Assert.Null(registry.TryGet("Other"));
        Assert.Equal(new[] { "Scanner" }, registry.Names);
    }

    [Fact]
    public async Task Test_uses_the_real_SMTP_client_and_reports_an_unreachable_server_as_a_connection_error()
    {
        // The engine registers the SMTP client's tester, so -Test really connects: a refused port is a connection
        // error naming the server, not "no tester available".
        Assert.IsType<SmtpClientAuthTester>(SmtpAuthTesters.Default);
        ConnectSmtpRequest request = AuthTestHelpers.SecretRequest();
        request.Test = true;
        request.SmtpServer = "127.0.0.1";
        request.Port = 9;
        var registry = new SmtpConnectionRegistry();
        var op = new ConnectSmtpOperation(registry, new TokenProviderFactory(_server.ClientOptions()));
        M365SmtpException e = await AuthTestHelpers.ThrowsEngine(() =>
            op.RunForResultAsync(request, new RecordingHost(), TestContext.Current.CancellationToken));
        Assert.NotEqual("SmtpAuthTestUnavailable", e.ErrorId);
        Assert.Equal(ErrorKind.ConnectionError, e.Kind);
        Assert.Contains("127.0.0.1", e.Message);
        Assert.Empty(registry.Names); // a failed test stores no connection
    }

    [Fact]
    public async Task Named_connections_coexist_and_Get_and_Disconnect_use_wildcards()
    {
        var registry = new SmtpConnectionRegistry();
        var op = new ConnectSmtpOperation(registry, new TokenProviderFactory(_server.ClientOptions()));
        foreach (string n in new[] { "Scanner1", "Scanner2", "Erp" })
            await op.RunForResultAsync(AuthTestHelpers.SecretRequest(name: n), new RecordingHost(), TestContext.Current.CancellationToken);
        await op.RunForResultAsync(AuthTestHelpers.SecretRequest(), new RecordingHost(), TestContext.Current.CancellationToken);
        Assert.Equal(new[] { "Default", "Erp", "Scanner1", "Scanner2" }, registry.Names);

        var get = new GetSmtpConnectionOperation(registry);
        var scanners = await get.CollectAsync(new GetSmtpConnectionRequest { Name = new[] { "scan*" } },
            new RecordingHost(), TestContext.Current.CancellationToken);
        Assert.Equal(new[] { "Scanner1", "Scanner2" }, scanners.Results.Select(c => c.Name));
        Assert.Empty(scanners.Errors);
        var missing = await get.CollectAsync(new GetSmtpConnectionRequest { Name = new[] { "Erp", "Nope", "zz*" } },
            new RecordingHost(), TestContext.Current.CancellationToken);
        Assert.Equal("Erp", Assert.Single(missing.Results).Name);
        M365SmtpException notFound = Assert.Single(missing.Errors);
        Assert.Equal("ConnectionNotFound", notFound.ErrorId);
        Assert.Contains("Scanner1", notFound.Message);
        Assert.Equal(4, (await get.CollectAsync(new GetSmtpConnectionRequest(), new RecordingHost(),
            TestContext.Current.CancellationToken)).Results.Count);

        // -WhatIf: nothing removed.
        var whatIf = new RecordingHost { ShouldProcessAnswer = false };
        var none = await new DisconnectSmtpOperation(registry).CollectAsync(new DisconnectSmtpRequest { Name = new[] { "Scanner*" } },
            whatIf, TestContext.Current.CancellationToken);
        Assert.Empty(none.Results);
        Assert.Empty(none.Errors);
        Assert.Equal(2, whatIf.ShouldProcessCalls.Count);
        Assert.Equal(4, registry.Count);

        SmtpConnection scanner1 = registry.Get("Scanner1");
        var removed = await new DisconnectSmtpOperation(registry).CollectAsync(new DisconnectSmtpRequest { Name = new[] { "Scanner*" } },
            new RecordingHost(), TestContext.Current.CancellationToken);
        Assert.Equal(2, removed.Results.Count);
        Assert.Equal(new[] { "Default", "Erp" }, registry.Names);
        Assert.True(scanner1.IsClosed);
        Assert.Null(scanner1.TokenExpiresOn); // the in-memory cache is gone
        Assert.Equal("ConnectionClosed", (await AuthTestHelpers.ThrowsEngine(() => scanner1.GetAccessTokenAsync(new RecordingHost(),
            TestContext.Current.CancellationToken))).ErrorId);

        var all = await new DisconnectSmtpOperation(registry).CollectAsync(new DisconnectSmtpRequest(), new RecordingHost(),
            TestContext.Current.CancellationToken);
        Assert.Equal(2, all.Results.Count);
        Assert.Equal(0, registry.Count);
        Assert.Equal("ConnectionNotFound",
            (await new DisconnectSmtpOperation(registry).CollectAsync(new DisconnectSmtpRequest { Name = new[] { "Default" } },
                new RecordingHost(), TestContext.Current.CancellationToken)).Errors.Single().ErrorId);
    }

    [Fact]
    public async Task Reconnecting_with_the_same_name_replaces_and_closes_the_old_connection()
    {
        var registry = new SmtpConnectionRegistry();
        var op = new ConnectSmtpOperation(registry, new TokenProviderFactory(_server.ClientOptions()));
        SmtpConnection first = await op.RunForResultAsync(AuthTestHelpers.SecretRequest(), new RecordingHost(),
            TestContext.Current.CancellationToken);
        SmtpConnection second = await op.RunForResultAsync(AuthTestHelpers.SecretRequest(), new RecordingHost(),
            TestContext.Current.CancellationToken);
        Assert.True(first.IsClosed);
        Assert.Same(second, registry.Get(null));
    }

    [Fact]
    public async Task Basic_against_Microsoft_365_warns_refuses_after_removal_and_is_silent_for_ACS()
    {
        var registry = new SmtpConnectionRegistry();
        var host = new RecordingHost();
        var request = new ConnectSmtpRequest { Credential = new NetworkCredential("alice@contoso.com", "basic-pass-Z9") };
        SmtpConnection c = await new ConnectSmtpOperation(registry).RunForResultAsync(request, host, TestContext.Current.CancellationToken);
        Assert.Equal(SmtpAuthMethod.Basic, c.Method);
        Assert.Equal("alice@contoso.com", c.UserName);
        Assert.Null(c.TokenExpiresOn);
        Assert.Contains(host.Warnings, w => w.Contains("being retired") || w.Contains("disabled by default"));

        var removed = new BasicAuthRetirementSchedule { FinalRemoval = DateTimeOffset.UtcNow.AddDays(-1) };
        var refusing = new ConnectSmtpOperation(registry, schedule: removed);
        M365SmtpException e = await AuthTestHelpers.ThrowsEngine(() =>
            refusing.RunForResultAsync(request, new RecordingHost(), TestContext.Current.CancellationToken));
        Assert.Equal("BasicAuthRetired", e.ErrorId);
        Assert.Contains("-AllowRetiredBasicAuth", e.RecommendedAction);
        request.AllowRetiredBasicAuth = true;
        await refusing.RunForResultAsync(request, new RecordingHost(), TestContext.Current.CancellationToken);

        var acsHost = new RecordingHost();
        var acs = new ConnectSmtpRequest
        {
            Credential = new NetworkCredential("myacs.c0ffee00-1234-4abc-8def-0123456789ab." + TestJwt.Tenant, "acs-secret"),
            SmtpServer = "smtp.azurecomm.net", Name = "Acs"
        };
        await refusing.RunForResultAsync(acs, acsHost, TestContext.Current.CancellationToken);
        Assert.Empty(acsHost.Warnings);
    }

    [Fact]
    public async Task Access_token_connection_learns_the_user_from_the_token_and_refuses_an_expired_one()
    {
        string token = TestJwt.Delegated("alice@contoso.com", DateTimeOffset.UtcNow.AddHours(1));
        var op = new ConnectSmtpOperation(new SmtpConnectionRegistry(), new TokenProviderFactory(_server.ClientOptions()));
        var host = new RecordingHost();
        SmtpConnection c = await op.RunForResultAsync(new ConnectSmtpRequest { AccessToken = SecretText.ToSecureString("Bearer " + token) },
            host, TestContext.Current.CancellationToken);
        Assert.Equal("alice@contoso.com", c.UserName);
        Assert.Equal(token, (await c.GetAccessTokenAsync(host, TestContext.Current.CancellationToken)).RevealToken());
        Assert.Empty(host.Warnings);

        string graph = TestJwt.Delegated("alice@contoso.com", DateTimeOffset.UtcNow.AddHours(1), aud: "https://graph.microsoft.com");
        var warned = new RecordingHost();
        await op.RunForResultAsync(new ConnectSmtpRequest { AccessToken = SecretText.ToSecureString(graph) }, warned,
            TestContext.Current.CancellationToken);
        Assert.Contains(warned.Warnings, w => w.Contains("Microsoft Graph"));

        string expired = TestJwt.AppOnly(TestJwt.Tenant, DateTimeOffset.UtcNow.AddMinutes(-10));
        M365SmtpException e = await AuthTestHelpers.ThrowsEngine(() =>
            op.RunForResultAsync(new ConnectSmtpRequest { AccessToken = SecretText.ToSecureString(expired), UserName = "a@contoso.com" },
                new RecordingHost(), TestContext.Current.CancellationToken));
        Assert.Equal("AccessTokenExpired", e.ErrorId);

        string appOnly = TestJwt.AppOnly(TestJwt.Tenant, DateTimeOffset.UtcNow.AddHours(1));
        e = await AuthTestHelpers.ThrowsEngine(() =>
            op.RunForResultAsync(new ConnectSmtpRequest { AccessToken = SecretText.ToSecureString(appOnly) }, new RecordingHost(),
                TestContext.Current.CancellationToken));
        Assert.Equal("UserNameMissing", e.ErrorId);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task Registry_is_safe_under_parallel_connects_and_disconnects()
    {
        var registry = new SmtpConnectionRegistry();
        var factory = new TokenProviderFactory(_server.ClientOptions());
        var op = new ConnectSmtpOperation(registry, factory);
        var rng = new Random(7);
        int[] picks = Enumerable.Range(0, 64).Select(_ => rng.Next(8)).ToArray();
        await Task.WhenAll(picks.Select((n, i) => Task.Run(async () =>
        {
            if (i % 3 == 2) registry.Remove("C" + n);
            else await op.RunForResultAsync(AuthTestHelpers.SecretRequest(name: "C" + n), new RecordingHost(),
                TestContext.Current.CancellationToken);
        }, TestContext.Current.CancellationToken)));
        IReadOnlyList<SmtpConnection> left = registry.Find("*");
        Assert.Equal(registry.Count, left.Count);
        Assert.All(left, c => Assert.False(c.IsClosed));
        Assert.Equal(left.Select(c => c.Name).Distinct(StringComparer.OrdinalIgnoreCase).Count(), left.Count);
    }

    [Fact]
    public void Registry_Get_of_a_missing_name_says_what_exists()
    {
        var registry = new SmtpConnectionRegistry();
        M365SmtpException e = Assert.Throws<M365SmtpException>(() => registry.Get(null));
        Assert.Equal("ConnectionNotFound", e.ErrorId);
        Assert.Contains("Connect-M365Smtp", e.RecommendedAction);
    }

    [Theory]
    [InlineData("Scan*", "Scanner1", true)]
    [InlineData("scan?er1", "Scanner1", true)]
    [InlineData("Scanner[12]", "Scanner2", true)]
    [InlineData("Scanner[12]", "Scanner3", false)]
    [InlineData("a`*b", "a*b", true)]
    [InlineData("a`*b", "axb", false)]
    [InlineData("Default", "default", true)]
    [InlineData("De.ault", "Default", false)]
    public void Wildcards_follow_PowerShell(string pattern, string name, bool match) =>
        Assert.Equal(match, Wildcard.IsMatch(pattern, name));
}

public sealed class PersistentCacheTests : IDisposable
{
    private readonly LoopbackIdentityServer _server = new();
    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task Persistent_cache_uses_the_protected_store_or_fails_clearly_never_a_plain_file()
    {
        IdentityClientOptions options = _server.ClientOptions();
        options.PersistentCacheDirectory = TestPaths.NewTempDir();
        ConnectSmtpRequest request = AuthTestHelpers.SecretRequest();
        request.PersistTokenCache = true;
        var op = new ConnectSmtpOperation(new SmtpConnectionRegistry(), new TokenProviderFactory(options));
        try
        {
            await op.RunForResultAsync(request, new RecordingHost(), TestContext.Current.CancellationToken);
        }
        catch (M365SmtpException e)
        {
            Assert.Equal("TokenCachePersistenceUnavailable", e.ErrorId);
            Assert.Equal("PersistTokenCache", e.TargetObject);
            Assert.Contains("never written to a plain file", e.Message);
            Assert.NotNull(e.InnerException);
        }
        // Either way, no file in the cache folder holds the token in clear.
        string token = _server.IssuedTokens.IsEmpty ? "no-token-issued" : _server.IssuedTokens.Single();
        foreach (string f in Directory.EnumerateFiles(options.PersistentCacheDirectory!, "*", SearchOption.AllDirectories))
            Assert.DoesNotContain(token, File.ReadAllText(f));
        Directory.Delete(options.PersistentCacheDirectory!, recursive: true);
    }
}

public sealed class AdHocConnectionTests : IDisposable
{
    private readonly LoopbackIdentityServer _server = new();
    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task CreateAsync_connects_without_storing_and_options_copy_completely()
    {
        var registry = new SmtpConnectionRegistry();
        var options = new SmtpAuthOptions();
        Assert.False(options.SpecifiesAuthMethod());
        AuthTestHelpers.SecretRequest().CopyAuthOptionsTo(options);
        Assert.True(options.SpecifiesAuthMethod());
        var request = new ConnectSmtpRequest();
        options.CopyAuthOptionsTo(request);
        foreach (var p in typeof(SmtpAuthOptions).GetProperties())
            Assert.Equal(p.GetValue(options), p.GetValue(request));
        SmtpConnection c = await new ConnectSmtpOperation(registry, new TokenProviderFactory(_server.ClientOptions()))
            .CreateAsync(request, new RecordingHost(), TestContext.Current.CancellationToken);
        Assert.Equal(SmtpAuthMethod.AppSecret, c.Method);
        Assert.Equal(0, registry.Count);
    }
}
