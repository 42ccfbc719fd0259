using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using M365SmtpTools.Cli.Tests.Infrastructure;

namespace M365SmtpTools.Cli.Tests;

/// <summary>
/// <c>m365smtp relay-plan</c> and <c>app-access-plan</c> run as processes: the plan on stdout, a script that wasn't
/// written because the plan has errors as one error line aimed at the script's path (exit 1), a written script.
/// </summary>
public sealed class PlanProcessTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("m365smtp-plan-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // A loopback port nothing listens on: the DNS lookups fail fast and become findings, not a crash.
    private static string ClosedDnsServer()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return "127.0.0.1:" + ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    [Fact]
    public async Task A_relay_plan_with_errors_prints_the_plan_and_one_error_aimed_at_the_script_it_did_not_write()
    {
        string script = Path.Combine(_dir, "relay.ps1");
        CliRun run = await CliProcess.RunAsync("relay-plan", "contoso.com", "--sender-ip-address", "192.168.1.20", "--script-path", script,
            "--dns-server", ClosedDnsServer());

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.StartsWith("Relay connector plan for contoso.com: ", run.StdoutLines[0]);
        Assert.Contains("SenderIPNotPublic", run.Stdout);
        string error = Assert.Single(run.StderrLines);
        Assert.StartsWith($"m365smtp: error RelayPlanHasErrors ({script}): The script {script} was not written because the plan has errors: SenderIPNotPublic: ", error);
        Assert.Contains(" Fix: Fix the Error findings", error);
        Assert.False(File.Exists(script));
    }

    [Fact]
    public async Task An_app_access_plan_writes_its_script_and_one_json_line()
    {
        string script = Path.Combine(_dir, "app.ps1");
        CliRun run = await CliProcess.RunAsync("app-access-plan", "--app-id", "6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b",
            "--service-principal-object-id", "0a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d", "--mailbox", "reports@contoso.com",
            "--script-path", script, "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("", run.Stderr);
        JsonElement plan = JsonDocument.Parse(Assert.Single(run.StdoutLines)).RootElement;
        Assert.Equal("6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b", plan.GetProperty("appId").GetString());
        Assert.Equal(script, plan.GetProperty("scriptPath").GetString());
        Assert.Contains("New-ServicePrincipal", File.ReadAllText(script));
    }
}
