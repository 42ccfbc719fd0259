using System.Text.Json;
using M365SmtpTools.Cli.Tests.Infrastructure;
using M365SmtpTools.Engine.Tests.Infrastructure;

namespace M365SmtpTools.Cli.Tests;

/// <summary><c>m365smtp connect</c> run as a process: checks a token given through the environment and prints the connection.</summary>
public sealed class ConnectProcessTests
{
    [Fact]
    public async Task A_token_from_the_environment_is_checked_and_the_connection_printed_without_it()
    {
        string token = GraphDouble.Token(audience: "https://outlook.office.com", scp: "SMTP.Send");
        CliRun run = await CliProcess.RunAsync(new[] { "connect", "--access-token-env", "M365SMTP_TEST_TOKEN", "--json" },
            new Dictionary<string, string> { ["M365SMTP_TEST_TOKEN"] = token });

        Assert.True(run.ExitCode == 0, run.ToString());
        JsonElement view = JsonDocument.Parse(Assert.Single(run.StdoutLines)).RootElement;
        Assert.Equal(("AccessToken", "sender@contoso.com", "smtp.office365.com", 587, false),
            (view.GetProperty("method").GetString(), view.GetProperty("userName").GetString(), view.GetProperty("smtpHost").GetString(),
             view.GetProperty("port").GetInt32(), view.GetProperty("authTested").GetBoolean()));
        Assert.DoesNotContain(token.Split('.')[1], run.Stdout + run.Stderr);
    }

    [Fact]
    public async Task An_expired_token_is_an_error_line_with_the_auth_exit_code()
    {
        string token = GraphDouble.Token(audience: "https://outlook.office.com", scp: "SMTP.Send", lifetimeSeconds: -3600);
        CliRun run = await CliProcess.RunAsync(new[] { "connect", "--access-token-env", "M365SMTP_TEST_TOKEN" },
            new Dictionary<string, string> { ["M365SMTP_TEST_TOKEN"] = token });

        Assert.True(run.ExitCode == 13, run.ToString()); // the auth exit code
        Assert.Equal("", run.Stdout);
        Assert.StartsWith("m365smtp: error AccessTokenExpired (--access-token-env): ", Assert.Single(run.StderrLines));
    }
}
