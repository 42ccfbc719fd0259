using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using M365SmtpTools.Engine.Auth;
using M365SmtpTools.Engine.Exchange;
using M365SmtpTools.Engine.Operations;
using M365SmtpTools.Engine.Tests.Auth;
using M365SmtpTools.Engine.Tests.Infrastructure;

namespace M365SmtpTools.Engine.Tests.Operations.TestGraphSend;

/// <summary>
/// Test-M365GraphSend's engine against the loopback Graph double (HTTPS with the test CA): the token's claims checked
/// before Graph sees it, the mailbox and permission probed with a message that has no recipients (Graph's 400
/// ErrorInvalidRecipients means access works; each error body maps to its finding), and -SendTestMessage, which sends
/// only when ShouldProcess says yes.
/// </summary>
public sealed class TestGraphSendTests : IDisposable
{
    private const string Mailbox = "reports@contoso.com";
    private static readonly Lazy<X509Certificate2> ServerCertificate =
        new(() => TestCertificates.CreateServer(new[] { "graph.loopback.test" }));
    private readonly GraphDouble _graph = new(ServerCertificate.Value);

    public void Dispose() => _graph.Dispose();

    private TestGraphSendRequest Request(string? token = null) => new()
    {
        GraphEndpoint = _graph.BaseUrl,
        AccessToken = SecretText.ToSecureString(token ?? GraphDouble.Token()),
        UserName = Mailbox,
        TimeoutSeconds = 20,
    };

    private static Task<GraphSendTestReport> Run(TestGraphSendRequest request, RecordingHost? host = null,
        TokenProviderFactory? factory = null) =>
        new TestGraphSendOperation(factory, TestCertificates.TrustingHttpHandler()).RunForResultAsync(request, host ?? new RecordingHost(),
            TestContext.Current.CancellationToken);

    private static GraphTestStageResult Stage(GraphSendTestReport r, GraphTestStage stage) =>
        Assert.Single(r.Stages, s => s.Stage == stage);

    private static GraphTestFinding Finding(GraphSendTestReport r, string id) => Assert.Single(r.Findings, f => f.Id == id);

    [Fact]
    public async Task Access_is_confirmed_by_Graphs_no_recipients_answer_and_nothing_is_sent()
    {
        GraphSendTestReport report = await Run(Request());

        Assert.Equal(SmtpTestOutcome.Passed, report.Overall);
        Assert.Equal(new[] { GraphTestStage.Token, GraphTestStage.Claims, GraphTestStage.Mailbox }, report.Stages.Select(s => s.Stage));
        Assert.All(report.Stages, s => Assert.Equal(SmtpTestStageStatus.Passed, s.Status));
        Assert.Contains("400 ErrorInvalidRecipients", Stage(report, GraphTestStage.Mailbox).Detail);
        Assert.Equal(1, _graph.NoRecipientRequests);
        GraphDoubleRequest probe = Assert.Single(_graph.Requests);
        Assert.Equal("POST", probe.Method);
        Assert.Equal("/v1.0/users/reports@contoso.com/sendMail", probe.Path);
        Assert.Empty(_graph.Sent);
        Assert.Empty(_graph.Rejections);
        Assert.False(report.MessageSent);
        Assert.Equal("https://graph.microsoft.com", report.Token!.Audience);
        // Mail.Send from Entra ID reaches every mailbox: said, as information.
        Assert.Equal(FindingSeverity.Information, Finding(report, "GraphMailSendTenantWide").Severity);
    }

    [Fact]
    public async Task An_outlook_token_fails_the_claims_stage_with_the_graph_fix_and_never_reaches_graph()
    {
        GraphSendTestReport report = await Run(Request(GraphDouble.Token(audience: "https://outlook.office365.com",
            roles: new[] { "SMTP.SendAsApp" })));

        Assert.Equal(SmtpTestOutcome.Failed, report.Overall);
        Assert.Equal(GraphTestStage.Claims, report.FailedStage);
        GraphTestFinding f = Finding(report, "GraphTokenWrongAudience");
        Assert.Equal(FindingSeverity.Error, f.Severity);
        Assert.Contains("https://outlook.office365.com", f.Meaning);
        Assert.Contains("Get-AzAccessToken -ResourceUrl https://graph.microsoft.com", f.Remediation);
        Assert.Contains("aud=https://outlook.office365.com", f.Evidence);
        Assert.DoesNotContain(report.Stages, s => s.Stage == GraphTestStage.Mailbox);
        Assert.Empty(_graph.Requests);
    }

    [Fact]
    public async Task A_graph_token_of_another_cloud_is_named_as_such()
    {
        TestGraphSendRequest r = Request(GraphDouble.Token());
        r.Environment = M365Environment.USGovGCCHigh;

        GraphSendTestReport report = await Run(r);

        GraphTestFinding f = Finding(report, "GraphTokenWrongCloud");
        Assert.Contains("https://graph.microsoft.us", f.Meaning);
        Assert.Contains("Get-AzAccessToken -ResourceUrl https://graph.microsoft.us", f.Remediation);
        Assert.Empty(_graph.Requests);
    }

    [Fact]
    public async Task An_expired_token_fails_before_graph_sees_it()
    {
        GraphSendTestReport report = await Run(Request(GraphDouble.Token(lifetimeSeconds: -600)));

        Assert.Equal(GraphTestStage.Claims, report.FailedStage);
        GraphTestFinding f = Finding(report, "GraphTokenExpired");
        Assert.Contains("expired", f.Meaning);
        Assert.Empty(_graph.Requests);
    }

    [Fact]
    public async Task A_token_without_the_Mail_Send_role_and_no_RBAC_grant_is_access_denied_with_both_causes()
    {
        GraphSendTestReport report = await Run(Request(GraphDouble.Token(roles: new[] { "User.Read.All" })));

        Assert.Equal(SmtpTestOutcome.Failed, report.Overall);
        Assert.Equal(SmtpTestStageStatus.Warning, Stage(report, GraphTestStage.Claims).Status);
        Assert.Equal(FindingSeverity.Warning, Finding(report, "GraphTokenMissingMailSend").Severity);
        Assert.Equal(GraphTestStage.Mailbox, report.FailedStage);
        GraphTestFinding denied = Finding(report, "GraphErrorAccessDenied");
        Assert.StartsWith("403 ErrorAccessDenied: Access is denied.", denied.Evidence);
        Assert.Contains("no Mail.Send role", denied.Meaning);
        Assert.Contains(denied.Commands, c => c.StartsWith("New-M365SmtpAppAccessPlan -Graph -AppId 11111111-2222-3333-4444-555555555555",
            StringComparison.Ordinal));
        Assert.Contains(denied.Commands, c => c == "Test-ServicePrincipalAuthorization -Identity 11111111-2222-3333-4444-555555555555 "
            + "-Resource reports@contoso.com");
        Assert.Empty(_graph.Sent);
    }

    [Fact]
    public async Task A_token_without_the_role_passes_when_RBAC_for_Applications_covers_the_mailbox()
    {
        _graph.RbacScopedMailboxes[Mailbox] = true;

        GraphSendTestReport report = await Run(Request(GraphDouble.Token(roles: Array.Empty<string>())));

        Assert.Equal(SmtpTestOutcome.Passed, report.Overall);
        Assert.Equal(SmtpTestStageStatus.Passed, Stage(report, GraphTestStage.Claims).Status);
        Assert.DoesNotContain(report.Findings, f => f.Id == "GraphTokenMissingMailSend");
        GraphTestFinding f = Finding(report, "GraphTokenNoMailSendRole");
        Assert.Equal(FindingSeverity.Information, f.Severity);
        Assert.Contains("RBAC for Applications", f.Meaning);
    }

    [Theory]
    [InlineData(403, "ErrorAccessDenied",
        "Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly AccessPolicy settings.", "GraphErrorAccessDenied",
        "Test-ApplicationAccessPolicy -Identity reports@contoso.com -AppId 11111111-2222-3333-4444-555555555555")]
    [InlineData(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.", "GraphErrorAccessDenied",
        "Test-ServicePrincipalAuthorization -Identity 11111111-2222-3333-4444-555555555555 -Resource reports@contoso.com")]
    [InlineData(404, "ErrorInvalidUser", "The requested user 'reports@contoso.com' is invalid.", "GraphMailboxNotFound",
        "Get-EXOMailbox -Identity reports@contoso.com")]
    [InlineData(404, "MailboxNotEnabledForRESTAPI", "The mailbox is either inactive, soft-deleted, or is hosted on-premise.",
        "GraphMailboxNotEnabledForRESTAPI", "Get-EXOMailbox -Identity reports@contoso.com")]
    public async Task Each_mailbox_answer_maps_to_its_finding_and_fix(int status, string code, string message, string id, string command)
    {
        _graph.MailboxAnswers[Mailbox] = new GraphFault { Status = status, Code = code, Message = message };

        GraphSendTestReport report = await Run(Request());

        Assert.Equal(SmtpTestOutcome.Failed, report.Overall);
        Assert.Equal(GraphTestStage.Mailbox, report.FailedStage);
        GraphTestFinding f = Finding(report, id);
        Assert.Equal(FindingSeverity.Error, f.Severity);
        Assert.StartsWith($"{status} {code}: {message}", f.Evidence);
        Assert.Contains("request-id d0c1f2a3-0000-4000-8000-000000000001", f.Evidence);
        Assert.Contains(command, f.Commands);
        Assert.Equal("d0c1f2a3-0000-4000-8000-000000000001", report.RequestId);
        Assert.Equal(0, _graph.NoRecipientRequests);
    }

    [Fact]
    public async Task The_access_policy_answer_names_the_policy()
    {
        _graph.MailboxAnswers[Mailbox] = new GraphFault
        {
            Status = 403, Code = "ErrorAccessDenied",
            Message = "Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly AccessPolicy settings."
        };

        GraphTestFinding f = Finding(await Run(Request()), "GraphErrorAccessDenied");

        Assert.Contains("application access policy", f.Meaning);
    }

    [Fact]
    public async Task An_unreadable_token_is_left_to_graph_whose_401_is_explained()
    {
        GraphSendTestReport report = await Run(Request("opaque-token-value"));

        Assert.Equal(SmtpTestStageStatus.Warning, Stage(report, GraphTestStage.Claims).Status);
        Assert.Equal(FindingSeverity.Warning, Finding(report, "GraphTokenUnreadable").Severity);
        GraphTestFinding f = Finding(report, "GraphInvalidAuthenticationToken");
        Assert.StartsWith("401 InvalidAuthenticationToken", f.Evidence);
        Assert.Equal(GraphTestStage.Mailbox, report.FailedStage);
    }

    [Fact]
    public async Task A_delegated_token_without_Mail_Send_fails_the_claims_stage()
    {
        GraphSendTestReport report = await Run(Request(GraphDouble.Token(scp: "User.Read Mail.Read")));

        GraphTestFinding f = Finding(report, "GraphTokenMissingMailSend");
        Assert.Equal(FindingSeverity.Error, f.Severity);
        Assert.Contains("User.Read Mail.Read", f.Meaning);
        Assert.Empty(_graph.Requests);
    }

    [Fact]
    public async Task A_delegated_token_with_Mail_Send_passes()
    {
        TestGraphSendRequest r = Request(GraphDouble.Token(scp: "Mail.Send User.Read"));
        r.UserName = "sender@contoso.com";

        GraphSendTestReport report = await Run(r);

        Assert.Equal(SmtpTestOutcome.Passed, report.Overall);
        Assert.Equal("/v1.0/users/sender@contoso.com/sendMail", Assert.Single(_graph.Requests).Path);
    }

    [Fact]
    public async Task SendTestMessage_declined_by_ShouldProcess_sends_nothing()
    {
        TestGraphSendRequest r = Request();
        r.SendTestMessage = true;
        var host = new RecordingHost { ShouldProcessAnswer = false };

        GraphSendTestReport report = await Run(r, host);

        var call = Assert.Single(host.ShouldProcessCalls);
        Assert.Contains(Mailbox, call.Target);
        Assert.Equal("Send a test message", call.Action);
        Assert.Equal(SmtpTestStageStatus.Skipped, Stage(report, GraphTestStage.Message).Status);
        Assert.False(report.MessageSent);
        Assert.Empty(_graph.Sent);
        Assert.Equal(1, _graph.SendRequestCount); // only the probe
    }

    [Fact]
    public async Task SendTestMessage_sends_one_message_to_the_mailbox_itself_by_default()
    {
        TestGraphSendRequest r = Request();
        r.SendTestMessage = true;

        GraphSendTestReport report = await Run(r);

        Assert.Equal(SmtpTestOutcome.Passed, report.Overall);
        Assert.True(report.MessageSent);
        Assert.Equal(SmtpTestStageStatus.Passed, Stage(report, GraphTestStage.Message).Status);
        GraphSentMessage sent = Assert.Single(_graph.Sent);
        Assert.Equal(Mailbox, sent.Mailbox);
        Assert.False(sent.SaveToSentItems);
        JsonElement m = sent.Message;
        Assert.Equal(Mailbox, m.GetProperty("toRecipients")[0].GetProperty("emailAddress").GetProperty("address").GetString());
        Assert.Contains("Test-M365GraphSend", m.GetProperty("subject").GetString());
        Assert.Equal("Text", m.GetProperty("body").GetProperty("contentType").GetString());
        Assert.False(m.TryGetProperty("from", out _));
        Assert.Empty(_graph.Rejections);
    }

    [Fact]
    public async Task A_Send_As_refusal_passes_the_probe_and_fails_the_test_message()
    {
        _graph.SendAsDenied["noreply@contoso.com"] = true;
        TestGraphSendRequest r = Request();
        r.From = "noreply@contoso.com";
        r.To = new[] { "ops@contoso.com" };
        r.SendTestMessage = true;

        GraphSendTestReport report = await Run(r);

        Assert.Equal(SmtpTestStageStatus.Passed, Stage(report, GraphTestStage.Mailbox).Status);
        Assert.Equal(FindingSeverity.Information, Finding(report, "GraphSendAsNotChecked").Severity);
        Assert.Equal(GraphTestStage.Message, report.FailedStage);
        GraphTestFinding f = Finding(report, "GraphErrorSendAsDenied");
        Assert.Contains("Add-RecipientPermission -Identity noreply@contoso.com -Trustee reports@contoso.com -AccessRights SendAs",
            f.Commands);
        Assert.Empty(_graph.Sent);
        Assert.Equal(new[] { "ops@contoso.com" }, report.To);
    }

    [Fact]
    public async Task ErrorOnFailure_throws_with_the_first_finding_and_the_report()
    {
        _graph.MailboxAnswers[Mailbox] = new GraphFault
        {
            Status = 404, Code = "MailboxNotEnabledForRESTAPI",
            Message = "The mailbox is either inactive, soft-deleted, or is hosted on-premise."
        };
        TestGraphSendRequest r = Request();
        r.ErrorOnFailure = true;

        var e = await Assert.ThrowsAsync<GraphSendTestFailedException>(() => Run(r));

        Assert.Equal("GraphSendTestFailed", e.ErrorId);
        Assert.Contains("GraphMailboxNotEnabledForRESTAPI", e.Message);
        Assert.Equal(SmtpTestOutcome.Failed, e.Report.Overall);
        Assert.Contains("Get-EXOMailbox", e.RecommendedAction);
    }

    [Fact]
    public async Task No_part_of_the_token_appears_in_the_report_or_the_output()
    {
        string token = GraphDouble.Token(roles: new[] { "User.Read.All" });
        var host = new RecordingHost();
        TestGraphSendRequest r = Request(token);
        r.SendTestMessage = true;

        GraphSendTestReport report = await Run(r, host);

        string all = report.ToText() + report + string.Join("\n", host.AllText())
            + string.Join("\n", report.Findings.SelectMany(f => f.Commands.Append(f.Evidence)));
        foreach (string part in token.Split('.')) Assert.DoesNotContain(part, all);
    }

    [Fact]
    public async Task An_unreachable_endpoint_is_a_connection_finding()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        TestGraphSendRequest r = Request();
        r.GraphEndpoint = "https://127.0.0.1:" + port;

        GraphSendTestReport report = await Run(r);

        Assert.Equal(GraphTestStage.Mailbox, report.FailedStage);
        Assert.Contains(report.Findings, f => f.Id == "GraphConnectionFailed");
    }

    [Fact]
    public async Task App_only_asks_the_identity_platform_for_the_graph_scope()
    {
        using var identity = new LoopbackIdentityServer();
        identity.OnToken = _ => LoopbackIdentityServer.TokenResponse(identity.Issue(
            TestJwt.AppOnly(TestJwt.Tenant, DateTimeOffset.UtcNow.AddHours(1), aud: "https://graph.microsoft.com",
                roles: new[] { "Mail.Send" })));
        TestGraphSendRequest r = Request();
        r.AccessToken = null;
        r.TenantId = TestJwt.Tenant;
        r.ClientId = AuthTestHelpers.ClientId;
        r.ClientSecret = SecretText.ToSecureString("s3cret-Value-1");
        r.AuthorityHost = LoopbackIdentityServer.AuthorityHost;

        GraphSendTestReport report = await Run(r, factory: new TokenProviderFactory(identity.ClientOptions()));

        Assert.Equal(SmtpTestOutcome.Passed, report.Overall);
        Assert.Equal("AppSecret", report.Method);
        Assert.Contains("https://graph.microsoft.com/.default", Assert.Single(identity.TokenRequests).Form["scope"].Split(' '));
    }

    [Fact]
    public async Task A_token_from_another_tenant_than_the_one_given_fails_the_claims_stage()
    {
        TestGraphSendRequest r = Request(GraphDouble.Token());
        r.TenantId = TestJwt.Tenant;

        GraphSendTestReport report = await Run(r);

        GraphTestFinding f = Finding(report, "GraphTokenTenantMismatch");
        Assert.Contains("72f988bf-0000-0000-0000-000000000000", f.Meaning);
        Assert.Empty(_graph.Requests);
    }

    [Fact]
    public async Task Parameters_that_cant_work_are_refused_before_anything_is_requested()
    {
        TestGraphSendRequest none = Request();
        none.AccessToken = null;
        Assert.Equal("GraphAuthMissing", (await Assert.ThrowsAsync<M365SmtpException>(() => Run(none))).ErrorId);

        TestGraphSendRequest basic = Request();
        basic.AccessToken = null;
        basic.Credential = new NetworkCredential(Mailbox, "app-password");
        Assert.Equal("GraphBasicAuthNotSupported", (await Assert.ThrowsAsync<M365SmtpException>(() => Run(basic))).ErrorId);

        TestGraphSendRequest noMailbox = Request();
        noMailbox.UserName = null;
        Assert.Equal("UserNameMissing", (await Assert.ThrowsAsync<M365SmtpException>(() => Run(noMailbox))).ErrorId);

        TestGraphSendRequest skip = Request();
        skip.GraphEndpoint = null;
        skip.SkipCertificateValidation = true;
        Assert.Equal("SkipCertificateValidationNotAllowed", (await Assert.ThrowsAsync<M365SmtpException>(() => Run(skip))).ErrorId);

        Assert.Empty(_graph.Requests);
    }
}
