using Xunit;
using M365SmtpTools.Engine.Auth;
using M365SmtpTools.Engine.Operations;
using M365SmtpTools.Engine.Tests.Infrastructure;

namespace M365SmtpTools.Engine.Tests.Auth;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ManagedIdentityEnvironment
{
    public const string Name = "Managed identity environment variables";
}

/// <summary>
/// MSAL reads the managed identity endpoint from environment variables, as Azure Automation and App Service set them
/// (IDENTITY_ENDPOINT, IDENTITY_HEADER). These tests set them for the process, so they don't run in parallel with others
/// of the collection and restore the variables afterwards.
/// </summary>
[Collection(ManagedIdentityEnvironment.Name)]
public sealed class ManagedIdentityTests : IDisposable
{
    private const string IdentityHeader = "identity-header-secret-7788";
    private readonly LoopbackIdentityServer _server = new();
    private readonly Dictionary<string, string?> _saved = new();

    public ManagedIdentityTests()
    {
        Set("IDENTITY_ENDPOINT", $"{_server.BaseUrl}/msi/token");
        Set("IDENTITY_HEADER", IdentityHeader);
        Set("IDENTITY_SERVER_THUMBPRINT", null);
        Set("IMDS_ENDPOINT", null);
        Set("MSI_ENDPOINT", null);
        Set("MSI_SECRET", null);
    }

    private void Set(string name, string? value)
    {
        _saved[name] = Environment.GetEnvironmentVariable(name);
        Environment.SetEnvironmentVariable(name, value);
    }

    public void Dispose()
    {
        foreach (var (k, v) in _saved) Environment.SetEnvironmentVariable(k, v);
        _server.Dispose();
    }

    [Fact]
    public async Task System_assigned_identity_gets_an_Exchange_token_from_the_App_Service_style_endpoint()
    {
        var op = new ConnectSmtpOperation(new SmtpConnectionRegistry(), new TokenProviderFactory(_server.ClientOptions()));
        var request = new ConnectSmtpRequest { ManagedIdentity = true, UserName = AuthTestHelpers.Mailbox };
        SmtpConnection c = await op.RunForResultAsync(request, new RecordingHost(), TestContext.Current.CancellationToken);

        IdentityRequest req = Assert.Single(_server.Requests, r => r.Path.StartsWith("/msi/token"));
        Assert.Equal("GET", req.Method);
        Assert.Equal(IdentityHeader, req.Headers["X-IDENTITY-HEADER"]);
        var query = System.Web.HttpUtility.ParseQueryString(req.Query);
        Assert.Equal("https://outlook.office365.com", query["resource"]);
        Assert.Null(query["client_id"]);
        Assert.Equal(SmtpAuthMethod.ManagedIdentity, c.Method);
        Assert.Equal(TestJwt.Tenant, c.TenantId); // learned from the token
        Assert.Equal(_server.IssuedTokens.Single(),
            (await c.GetAccessTokenAsync(new RecordingHost(), TestContext.Current.CancellationToken)).RevealToken());
    }

    [Fact]
    public async Task User_assigned_identity_sends_its_client_id()
    {
        var op = new ConnectSmtpOperation(new SmtpConnectionRegistry(), new TokenProviderFactory(_server.ClientOptions()));
        var request = new ConnectSmtpRequest { ManagedIdentityClientId = "11112222-3333-4444-5555-666677778888",
            UserName = AuthTestHelpers.Mailbox, Environment = M365SmtpTools.Engine.Exchange.M365Environment.USGovGCCHigh };
        SmtpConnection c = await op.RunForResultAsync(request, new RecordingHost(), TestContext.Current.CancellationToken);
        IdentityRequest req = Assert.Single(_server.Requests, r => r.Path.StartsWith("/msi/token"));
        var query = System.Web.HttpUtility.ParseQueryString(req.Query);
        Assert.Equal("11112222-3333-4444-5555-666677778888", query["client_id"]);
        Assert.Equal("https://outlook.office365.us", query["resource"]);
        Assert.Equal("smtp.office365.us", c.SmtpHost);
        Assert.Equal("11112222-3333-4444-5555-666677778888", c.ClientId);
    }

    [Fact]
    public async Task Managed_identity_endpoint_error_is_explained()
    {
        _server.OnManagedIdentity = _ => new IdentityResponse(400,
            "{\"statusCode\":400,\"message\":\"No managed identity found for the specified client id\",\"correlationId\":\"abc\"}");
        var op = new ConnectSmtpOperation(new SmtpConnectionRegistry(), new TokenProviderFactory(_server.ClientOptions()));
        var request = new ConnectSmtpRequest { ManagedIdentityClientId = "00000000-0000-0000-0000-000000000001",
            UserName = AuthTestHelpers.Mailbox };
        M365SmtpException e = await AuthTestHelpers.ThrowsEngine(() =>
            op.RunForResultAsync(request, new RecordingHost(), TestContext.Current.CancellationToken));
        Assert.Equal("ManagedIdentityUnavailable", e.ErrorId);
        Assert.Contains("-ManagedIdentityClientId", e.RecommendedAction);
        Assert.DoesNotContain(IdentityHeader, e.ToString());
    }
}
