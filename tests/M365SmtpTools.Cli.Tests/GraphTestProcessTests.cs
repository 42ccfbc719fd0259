using System.Text.Json;
using M365SmtpTools.Cli.Tests.Infrastructure;
using M365SmtpTools.Engine.Tests.Infrastructure;

namespace M365SmtpTools.Cli.Tests;

/// <summary>
/// <c>m365smtp test-graph</c> (Test-M365GraphSend) run as a process against the loopback Graph double: access confirmed
/// by Graph's no-recipients answer with nothing sent, an outlook.office365.com token stopped before Graph with the auth
/// exit code, an access-denied mailbox as JSON with the sender exit code, and --send-test-message that really sends.
/// </summary>
public sealed class GraphTestProcessTests : IDisposable
{
    private readonly GraphDouble _graph = new();

    public void Dispose() => _graph.Dispose();

    private string[] Args(params string[] more) =>
        new[] { "test-graph", "--graph-endpoint", _graph.BaseUrl, "--skip-certificate-validation",
            "--access-token-env", "M365SMTP_TEST_TOKEN", "--user-name", "reports@contoso.com" }.Concat(more).ToArray();

    private static Dictionary<string, string> Env(string token) => new() { ["M365SMTP_TEST_TOKEN"] = token };

    [Fact]
    public async Task Access_is_confirmed_without_sending_and_the_token_never_appears()
    {
        string token = GraphDouble.Token();
        CliRun run = await CliProcess.RunAsync(Args(), Env(token));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Overall   : Passed", run.Stdout);
        Assert.Matches(@"Mailbox\s+Passed .*400 ErrorInvalidRecipients", run.Stdout);
        Assert.Equal(1, _graph.NoRecipientRequests);
        Assert.Empty(_graph.Sent);
        Assert.DoesNotContain(token.Split('.')[1], run.Stdout + run.Stderr + string.Join(" ", run.Arguments));
    }

    [Fact]
    public async Task An_outlook_token_fails_the_claims_stage_with_the_auth_exit_code()
    {
        CliRun run = await CliProcess.RunAsync(Args(), Env(GraphDouble.Token(audience: "https://outlook.office365.com")));

        Assert.Equal(M365SmtpTools.Cli.ExitCodes.Auth, run.ExitCode);
        Assert.Contains("GraphTokenWrongAudience", run.Stdout);
        Assert.Contains("Get-AzAccessToken -ResourceUrl https://graph.microsoft.com", run.Stdout);
        Assert.Empty(_graph.Requests);
    }

    [Fact]
    public async Task A_mailbox_outside_the_apps_scope_is_a_json_finding_with_the_sender_exit_code()
    {
        _graph.MailboxAnswers["reports@contoso.com"] = new GraphFault { Status = 403, Code = "ErrorAccessDenied",
            Message = "Access is denied. Check credentials and try again." };

        CliRun run = await CliProcess.RunAsync(Args("--json"), Env(GraphDouble.Token()));

        Assert.Equal(M365SmtpTools.Cli.ExitCodes.Sender, run.ExitCode);
        JsonElement report = JsonDocument.Parse(Assert.Single(run.StdoutLines)).RootElement;
        Assert.Equal("Failed", report.GetProperty("overall").GetString());
        Assert.Equal("Mailbox", report.GetProperty("failedStage").GetString());
        JsonElement finding = report.GetProperty("findings").EnumerateArray()
            .Single(f => f.GetProperty("id").GetString() == "GraphErrorAccessDenied");
        Assert.StartsWith("403 ErrorAccessDenied", finding.GetProperty("evidence").GetString());
        Assert.Empty(_graph.Sent);
    }

    [Fact]
    public async Task Send_test_message_sends_one_message_graph_receives()
    {
        CliRun run = await CliProcess.RunAsync(Args("--send-test-message", "--to", "ops@contoso.com"), Env(GraphDouble.Token()));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Matches(@"Message\s+Passed .*202", run.Stdout);
        GraphSentMessage sent = Assert.Single(_graph.Sent);
        Assert.Equal("reports@contoso.com", sent.Mailbox);
        Assert.Equal("ops@contoso.com",
            sent.Message.GetProperty("toRecipients")[0].GetProperty("emailAddress").GetProperty("address").GetString());
    }
}
