using System.Text.Json;
using M365SmtpTools.Cli.Tests.Infrastructure;
using M365SmtpTools.Engine.Tests.Infrastructure;

namespace M365SmtpTools.Cli.Tests;

/// <summary><c>m365smtp mx</c> run as a process against nsd on loopback.</summary>
public sealed class MxProcessTests
{
    private static string Nsd() => "127.0.0.1:" + InteropServer.Require("nsd").Port("PORT");

    [Fact]
    public async Task Prints_a_table_of_the_records_and_exits_0()
    {
        string server = Nsd();
        CliRun run = await CliProcess.RunAsync("mx", "contoso.test", "mixed.contoso.test", "--dns-server", server);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("", run.Stderr);
        string[] lines = run.StdoutLines;
        Assert.Equal(4, lines.Length);
        Assert.Matches(@"^DOMAIN\s+PREF\s+MX HOST\s+FORM\s+M365\s+TTL\s+NOTE$", lines[0]);
        Assert.Matches(@"^contoso\.test\s+0\s+contoso-test\.mail\.protection\.outlook\.com\s+Legacy\s+yes\s+300$", lines[1]);
        Assert.Matches(@"^mixed\.contoso\.test\s+10\s+mx1\.filter\.example\s+Other\s+no\s+300$", lines[2]);
        Assert.Matches(@"^mixed\.contoso\.test\s+20\s+mixed-contoso-test\.mail\.protection\.outlook\.com\s+Legacy\s+yes\s+300$", lines[3]);
    }

    [Fact]
    public async Task Json_lines_parse_back_to_the_records()
    {
        string server = Nsd();
        CliRun run = await CliProcess.RunAsync("mx", "fabrikam.test", "cn.contoso.test", "nomx.contoso.test", "--dns-server", server,
            "--json", "--include-derived-guess");
        Assert.True(run.ExitCode == 10, run.ToString());
        var records = run.StdoutLines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(3, records.Count);
        Assert.Equal(("fabrikam.test", "fabrikam-test.e-v1.mx.microsoft", "Dnssec", true, false),
            (records[0].GetProperty("domain").GetString(), records[0].GetProperty("mxHost").GetString(),
             records[0].GetProperty("endpointForm").GetString(), records[0].GetProperty("isMicrosoft365").GetBoolean(),
             records[0].GetProperty("isGuess").GetBoolean()));
        Assert.Equal(0, records[0].GetProperty("preference").GetInt32());
        Assert.Equal(300, records[0].GetProperty("timeToLive").GetInt32());
        Assert.Equal("fabrikam-test", records[0].GetProperty("tenantLabel").GetString());
        Assert.Equal(server, records[0].GetProperty("dnsServer").GetString());
        Assert.Equal("China", records[1].GetProperty("endpointForm").GetString());
        Assert.Equal("nomx-contoso-test.mail.protection.outlook.com", records[2].GetProperty("mxHost").GetString());
        Assert.Equal("DerivedGuess", records[2].GetProperty("endpointForm").GetString());
        Assert.True(records[2].GetProperty("isGuess").GetBoolean());
        Assert.Equal(JsonValueKind.Null, records[2].GetProperty("preference").ValueKind);
        // The missing MX is still an error: on stderr, one line, not in the JSON stream.
        string error = Assert.Single(run.StderrLines);
        Assert.StartsWith("m365smtp: error DnsNoMxRecords (nomx.contoso.test): ", error);
    }

    [Fact]
    public async Task Nxdomain_is_exit_10_with_one_error_line_and_the_other_domains_still_answered()
    {
        string server = Nsd();
        CliRun run = await CliProcess.RunAsync("mx", "nothere.contoso.test", "contoso.test", "nomx.contoso.test", "--dns-server", server);
        Assert.True(run.ExitCode == 10, run.ToString());
        Assert.Equal(2, run.StdoutLines.Length);
        Assert.Contains("contoso-test.mail.protection.outlook.com", run.StdoutLines[1]);
        Assert.Equal(2, run.StderrLines.Length);
        Assert.StartsWith("m365smtp: error DnsNameNotFound (nothere.contoso.test): ", run.StderrLines[0]);
        Assert.Contains("NXDOMAIN", run.StderrLines[0]);
        Assert.Contains(server, run.StderrLines[0]);
        Assert.StartsWith("m365smtp: error DnsNoMxRecords (nomx.contoso.test): ", run.StderrLines[1]);
        // The engine's advice names the PowerShell parameter; the tool rewrites it to its own option.
        Assert.Contains("--include-derived-guess", run.StderrLines[1]);
        Assert.DoesNotContain("-IncludeDerivedGuess", run.StderrLines[1]);
        Assert.DoesNotContain("   at ", run.Stderr);
    }

    [Fact]
    public async Task An_unanswering_dns_server_is_exit_10_naming_the_server()
    {
        CliRun run = await CliProcess.RunAsync("mx", "contoso.test", "--dns-server", "127.0.0.1:9", "--timeout-seconds", "1");
        Assert.True(run.ExitCode == 10, run.ToString());
        Assert.Equal("", run.Stdout);
        string error = Assert.Single(run.StderrLines);
        Assert.Matches(@"^m365smtp: error (DnsTimeout|DnsServerFailure) \(contoso\.test\): .*127\.0\.0\.1:9", error);
    }

    [Fact]
    public async Task An_invalid_domain_name_is_a_usage_error()
    {
        string server = Nsd();
        CliRun run = await CliProcess.RunAsync("mx", "bad..name", "--dns-server", server);
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.StartsWith("m365smtp: error InvalidDomainName (bad..name): ", Assert.Single(run.StderrLines));
    }

    [Fact]
    public async Task Quiet_prints_nothing_and_the_exit_code_tells()
    {
        string server = Nsd();
        CliRun ok = await CliProcess.RunAsync("mx", "contoso.test", "--dns-server", server, "--quiet");
        Assert.True(ok.ExitCode == 0, ok.ToString());
        Assert.Equal("", ok.Stdout);
        Assert.Equal("", ok.Stderr);
        CliRun failed = await CliProcess.RunAsync("mx", "nothere.contoso.test", "--dns-server", server, "--quiet");
        Assert.Equal(10, failed.ExitCode);
        Assert.Equal("", failed.Stdout);
        Assert.Single(failed.StderrLines); // errors are never silenced
    }

    [Fact]
    public async Task Verbose_lines_go_to_stderr_only_with_verbose()
    {
        string server = Nsd();
        CliRun plain = await CliProcess.RunAsync("mx", "mixed.contoso.test", "--dns-server", server);
        Assert.Equal("", plain.Stderr);
        CliRun verbose = await CliProcess.RunAsync("mx", "mixed.contoso.test", "--dns-server", server, "--verbose");
        Assert.Equal(0, verbose.ExitCode);
        Assert.Equal(plain.Stdout, verbose.Stdout);
        Assert.Contains(verbose.StderrLines, l => l.StartsWith("verbose: mixed.contoso.test: 2 MX record(s) from " + server));
        Assert.All(verbose.StderrLines, l => Assert.StartsWith("verbose: ", l));
    }
}
