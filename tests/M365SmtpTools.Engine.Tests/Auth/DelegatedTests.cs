using Xunit;
using M365SmtpTools.Engine.Auth;
using M365SmtpTools.Engine.Operations;
using M365SmtpTools.Engine.Tests.Infrastructure;

namespace M365SmtpTools.Engine.Tests.Auth;

public sealed class DelegatedTests : IDisposable
{
    private const string User = "alice@contoso.com";
    private readonly LoopbackIdentityServer _server = new();
    public void Dispose() => _server.Dispose();

    private static ConnectSmtpRequest DeviceCodeRequest() => new()
    {
        DeviceCode = true, ClientId = AuthTestHelpers.ClientId, TenantId = TestJwt.Tenant,
        AuthorityHost = LoopbackIdentityServer.AuthorityHost,
    };

    private void AnswerDeviceCodeGrant()
    {
        _server.OnToken = r => r.Form.GetValueOrDefault("grant_type") switch
        {
            "urn:ietf:params:oauth:grant-type:device_code" or "device_code" => LoopbackIdentityServer.TokenResponse(
                _server.Issue(TestJwt.Delegated(User, DateTimeOffset.UtcNow.AddHours(1))), refreshToken: "refresh-token-value-42",
                idToken: TestJwt.IdToken(User, AuthTestHelpers.ClientId)),
            "refresh_token" => LoopbackIdentityServer.TokenResponse(
                _server.Issue(TestJwt.Delegated(User, DateTimeOffset.UtcNow.AddHours(2))), refreshToken: "refresh-token-value-43",
                idToken: TestJwt.IdToken(User, AuthTestHelpers.ClientId)),
            var g => LoopbackIdentityServer.AadError("unsupported_grant_type", "70003", "grant " + g),
        };
    }

    [Fact]
    public async Task Device_code_prompt_reaches_the_information_stream_and_the_token_is_delegated()
    {
        AnswerDeviceCodeGrant();
        var host = new RecordingHost { IsInteractive = true };
        var op = new ConnectSmtpOperation(new SmtpConnectionRegistry(), new TokenProviderFactory(_server.ClientOptions()));
        SmtpConnection c = await op.RunForResultAsync(DeviceCodeRequest(), host, TestContext.Current.CancellationToken);

        Assert.Contains(host.Information, i => i.Contains("https://microsoft.com/devicelogin") && i.Contains("LOOPBACK1"));
        IdentityRequest dc = Assert.Single(_server.Requests, r => r.Path.EndsWith("/oauth2/v2.0/devicecode"));
        Assert.Equal(AuthTestHelpers.ClientId, dc.Form["client_id"]);
        string[] scopes = dc.Form["scope"].Split(' ');
        Assert.Contains("https://outlook.office.com/SMTP.Send", scopes);
        Assert.Contains("offline_access", scopes);
        Assert.Equal(User, c.UserName); // taken from the signed-in account
        Assert.Equal(SmtpAuthMethod.DeviceCode, c.Method);
    }

    [Fact]
    public async Task Delegated_token_is_renewed_silently_with_the_refresh_token()
    {
        AnswerDeviceCodeGrant();
        DateTimeOffset now = DateTimeOffset.UtcNow;
        var host = new RecordingHost { IsInteractive = true };
        ITokenProvider provider = new TokenProviderFactory(_server.ClientOptions(() => now)).Create(DeviceCodeRequest())!;
        SmtpAccessToken first = await provider.GetTokenAsync(host, TestContext.Current.CancellationToken);
        now = first.ExpiresOn!.Value - TimeSpan.FromMinutes(1);
        host.IsInteractive = false; // a renewal needs nobody
        SmtpAccessToken second = await provider.GetTokenAsync(host, TestContext.Current.CancellationToken);
        Assert.NotEqual(first.RevealToken(), second.RevealToken());
        IdentityRequest refresh = _server.TokenRequests.Last();
        Assert.Equal("refresh_token", refresh.Form["grant_type"]);
        Assert.Equal("refresh-token-value-42", refresh.Form["refresh_token"]);
        Assert.Single(host.Information); // one prompt only
    }

    [Fact]
    public async Task Device_code_wait_is_cancellable()
    {
        _server.OnToken = _ => new IdentityResponse(400, "{\"error\":\"authorization_pending\","
            + "\"error_description\":\"AADSTS70016: OAuth 2.0 device flow error. Authorization is pending.\",\"error_codes\":[70016]}");
        using var cts = new CancellationTokenSource();
        var host = new PromptCancellingHost(cts);
        var op = new ConnectSmtpOperation(new SmtpConnectionRegistry(), new TokenProviderFactory(_server.ClientOptions()));
        Task<SmtpConnection> run = op.RunForResultAsync(DeviceCodeRequest(), host, cts.Token);
        M365SmtpException e = await AuthTestHelpers.ThrowsEngine(() => run);
        Assert.Equal("AuthenticationCancelled", e.ErrorId);
        Assert.Equal(ErrorKind.Cancelled, e.Kind);
        Assert.Contains(host.Information, i => i.Contains("LOOPBACK1"));
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public async Task Delegated_flow_in_a_non_interactive_session_fails_at_once_with_the_app_only_alternatives(bool deviceCode,
        bool interactive)
    {
        var host = new RecordingHost { IsInteractive = false };
        var request = new ConnectSmtpRequest { DeviceCode = deviceCode, Interactive = interactive, ClientId = AuthTestHelpers.ClientId,
            AuthorityHost = LoopbackIdentityServer.AuthorityHost };
        var op = new ConnectSmtpOperation(new SmtpConnectionRegistry(), new TokenProviderFactory(_server.ClientOptions()));
        M365SmtpException e = await AuthTestHelpers.ThrowsEngine(() =>
            op.RunForResultAsync(request, host, TestContext.Current.CancellationToken));
        Assert.Equal("DelegatedAuthNotInteractive", e.ErrorId);
        Assert.Contains("-ManagedIdentity", e.RecommendedAction);
        Assert.Contains("-CertificatePath", e.RecommendedAction);
        Assert.Empty(_server.Requests);
        Assert.Empty(host.Information);

        // The provider used directly (e.g. by Send-M365Mail) refuses the same way.
        ITokenProvider provider = new TokenProviderFactory(_server.ClientOptions()).Create(request)!;
        e = await AuthTestHelpers.ThrowsEngine(() => provider.GetTokenAsync(host, TestContext.Current.CancellationToken));
        Assert.Equal("DelegatedAuthNotInteractive", e.ErrorId);
        Assert.Empty(_server.Requests);
    }

    private sealed class PromptCancellingHost : IOperationHost
    {
        private readonly CancellationTokenSource _cts;
        public PromptCancellingHost(CancellationTokenSource cts) => _cts = cts;
        public List<string> Information { get; } = new();
        public bool IsInteractive => true;
        public void WriteVerbose(string message) { }
        public void WriteWarning(string message) { }
        public void WriteInformation(string message, params string[] tags)
        {
            lock (Information) Information.Add(message);
            _cts.CancelAfter(TimeSpan.FromMilliseconds(200));
        }
        public void WriteProgress(OperationProgress progress) { }
        public bool ShouldProcess(string target, string action) => true;
    }
}
