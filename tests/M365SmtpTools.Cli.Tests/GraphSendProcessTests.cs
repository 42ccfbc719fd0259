using System.Text.Json;
using M365SmtpTools.Cli.Tests.Infrastructure;
using M365SmtpTools.Engine.Tests.Infrastructure;

namespace M365SmtpTools.Cli.Tests;

/// <summary>
/// <c>m365smtp send --method Graph</c> run as a process against the loopback Graph double: a send with a token from
/// an environment variable (never in argv or output), a dropped connection that ends Unknown with its exit code, and
/// an outlook.office365.com token refused before anything reaches Graph.
/// </summary>
public sealed class GraphSendProcessTests : IDisposable
{
    private readonly GraphDouble _graph = new();

    public void Dispose() => _graph.Dispose();

    private string[] Args(params string[] more) =>
        new[] { "send", "--method", "Graph", "--graph-endpoint", _graph.BaseUrl, "--skip-certificate-validation",
            "--access-token-env", "M365SMTP_TEST_TOKEN", "--user-name", "reports@contoso.com",
            "--to", "bob@contoso.com" }.Concat(more).ToArray();

    [Fact]
    public async Task Sends_through_graph_with_an_environment_token()
    {
        string token = GraphDouble.Token();
        CliRun run = await CliProcess.RunAsync(Args("--subject", "From the CLI", "--body", "Sent by m365smtp.", "--header", "X-Job:cli",
                "--save-to-sent-items", "--json"),
            new Dictionary<string, string> { ["M365SMTP_TEST_TOKEN"] = token });

        Assert.True(run.ExitCode == 0, run.ToString());
        JsonElement result = JsonDocument.Parse(Assert.Single(run.StdoutLines)).RootElement;
        Assert.Equal("Sent", result.GetProperty("status").GetString());
        Assert.Equal(202, result.GetProperty("replyCode").GetInt32());
        GraphSentMessage sent = Assert.Single(_graph.Sent);
        Assert.Equal("reports@contoso.com", sent.Mailbox);
        Assert.True(sent.SaveToSentItems);
        Assert.Equal("From the CLI", sent.Message.GetProperty("subject").GetString());
        Assert.Equal("X-Job", sent.Message.GetProperty("internetMessageHeaders")[0].GetProperty("name").GetString());
        Assert.DoesNotContain(token.Split('.')[1], run.Stdout + run.Stderr + string.Join(" ", run.Arguments));
    }

    [Fact]
    public async Task A_connection_dropped_after_the_request_is_Unknown_and_sent_once()
    {
        _graph.EnqueueDrop();
        CliRun run = await CliProcess.RunAsync(Args("--subject", "s", "--body", "b", "--json"),
            new Dictionary<string, string> { ["M365SMTP_TEST_TOKEN"] = GraphDouble.Token() });

        JsonElement result = JsonDocument.Parse(Assert.Single(run.StdoutLines)).RootElement;
        Assert.Equal("Unknown", result.GetProperty("status").GetString());
        Assert.Equal("GraphDeliveryUnknown", result.GetProperty("errorId").GetString());
        Assert.Equal(M365SmtpTools.Cli.ExitCodes.DeliveryUnknown, run.ExitCode);
        Assert.Equal(1, _graph.SendRequestCount);
    }

    [Fact]
    public async Task An_outlook_token_is_refused_before_sending_with_the_auth_exit_code()
    {
        CliRun run = await CliProcess.RunAsync(Args("--subject", "s", "--body", "b"),
            new Dictionary<string, string> { ["M365SMTP_TEST_TOKEN"] = GraphDouble.Token(audience: "https://outlook.office365.com") });

        Assert.Equal(M365SmtpTools.Cli.ExitCodes.Auth, run.ExitCode);
        Assert.Contains("GraphTokenWrongAudience", run.Stderr);
        Assert.Contains("https://graph.microsoft.com", run.Stderr);
        Assert.Empty(_graph.Requests);
    }
}
