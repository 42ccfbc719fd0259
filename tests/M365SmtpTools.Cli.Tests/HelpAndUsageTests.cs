using System.CommandLine;
using System.Text.RegularExpressions;
using M365SmtpTools.Cli.Binding;
using M365SmtpTools.Cli.Commands;
using M365SmtpTools.Engine.Operations;
using M365SmtpTools.Cli.Tests.Infrastructure;

namespace M365SmtpTools.Cli.Tests;

/// <summary>--help documents every option and the exit codes; bad command lines are exit 2 naming the option.</summary>
public sealed class HelpAndUsageTests
{
    public static TheoryData<string> CommandNames() => new(CliApp.CreateCommands().Select(c => c.Name));

    [Theory]
    [MemberData(nameof(CommandNames))]
    public async Task Help_documents_every_option_the_examples_and_the_exit_codes(string name)
    {
        ICliCommand command = CliApp.CreateCommands().Single(c => c.Name == name);
        CliRun run = await CliProcess.RunAsync(name, "--help");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("", run.Stderr);
        Assert.Contains(command.Cmdlet, run.Stdout);
        foreach (var entry in command.Binding.Entries)
        {
            Assert.Contains(entry.DisplayName, run.Stdout);
            Assert.False(string.IsNullOrWhiteSpace(entry.Symbol.Description), $"{name} {entry.DisplayName} has no description");
        }
        foreach (var (option, _) in command.Binding.CliOnlyOptions)
        {
            Assert.Contains(option.Name, run.Stdout);
            Assert.False(string.IsNullOrWhiteSpace(option.Description), $"{name} {option.Name} has no description");
        }
        foreach (string global in new[] { "--json", "--quiet", "--verbose" }) Assert.Contains(global, run.Stdout);
        Assert.DoesNotMatch(@"\{[A-Z][A-Za-z0-9]*\}", run.Stdout); // every placeholder of a shared text became an option
        foreach (var (commandLine, _) in command.Examples) Assert.Contains(commandLine, run.Stdout);
        AssertExitCodeTable(run.Stdout);
    }

    [Fact]
    public async Task Root_help_lists_the_commands_and_the_exit_codes()
    {
        CliRun run = await CliProcess.RunAsync("--help");
        Assert.True(run.ExitCode == 0, run.ToString());
        foreach (ICliCommand c in CliApp.CreateCommands()) Assert.Contains(c.Name, run.Stdout);
        Assert.Contains("environment variable", run.Stdout);
        AssertExitCodeTable(run.Stdout);
    }

    private static void AssertExitCodeTable(string help)
    {
        int start = help.IndexOf("Exit codes:", StringComparison.Ordinal);
        Assert.True(start >= 0, "no exit-code table in:\n" + help);
        string[] rows = help[start..].Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToArray();
        Assert.Equal(ExitCodes.Table.Count, rows.Length);
        for (int i = 0; i < rows.Length; i++)
            Assert.Matches($@"^\s*{ExitCodes.Table[i].Code}\s+{ExitCodes.Table[i].Name}\s+"
                + $@"{System.Text.RegularExpressions.Regex.Escape(ExitCodes.Table[i].Meaning)}\s*$", rows[i]);
    }

    [Fact]
    public async Task Auth_options_say_what_the_cmdlets_say_naming_this_commands_options()
    {
        CliRun run = await CliProcess.RunAsync("connect", "--help");
        Assert.True(run.ExitCode == 0, run.ToString());
        string help = Regex.Replace(run.Stdout, @"\s+", " ");
        // AuthParameterText, the cmdlets' help text, with {Name} written as the option that sets Name, then how a
        // value is given on a command line.
        Assert.Contains("for --device-code and --interactive it defaults to any work or school tenant", help);
        Assert.Contains("private key. Its password, if any, is --certificate-password-env.", help);
        Assert.Contains("(the secret's Value, not its ID). Give the NAME of an environment variable holding the secret "
            + "(never the secret itself).", help);
        Assert.Contains("Basic is being retired. The password is the first line of stdin; the user name is --user-name.", help);
    }

    [Fact]
    public void A_shared_text_naming_a_property_the_command_has_no_option_for_is_refused_when_the_command_is_built()
    {
        var binding = new RequestBinding<GetMxEndpointRequest>()
            .Map(CliOptions.Text("--dns-server", "HOST", "Asked instead of {DnsServer}'s default; see {TenantId}."), r => r.DnsServer);
        var e = Assert.Throws<InvalidOperationException>(() => binding.AddTo(new Command("mx")));
        Assert.Contains("{TenantId}", e.Message);
        Assert.Contains("--dns-server", e.Message);
    }

    [Fact]
    public async Task A_bad_number_names_the_option_and_the_range()
    {
        CliRun run = await CliProcess.RunAsync("mx", "contoso.test", "--timeout-seconds", "abc");
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Equal("", run.Stdout);
        Assert.Equal("m365smtp: --timeout-seconds: 'abc' is not a whole number from 1 to 300.", run.StderrLines[0]);
        Assert.Contains("m365smtp mx --help", run.StderrLines[^1]);
        CliRun zero = await CliProcess.RunAsync("mx", "contoso.test", "--timeout-seconds", "0");
        Assert.Equal(2, zero.ExitCode);
        Assert.Contains("--timeout-seconds: '0' is not a whole number from 1 to 300.", zero.Stderr);
    }

    [Fact]
    public async Task A_bad_enum_value_names_the_option_and_lists_the_accepted_values()
    {
        CliRun run = await CliProcess.RunAsync("connect", "--environment", "Mars", "--managed-identity", "--user-name", "a@contoso.com");
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Equal("m365smtp: --environment: 'Mars' is not one of Commercial, USGovGCCHigh, USGovDoD, China.", run.StderrLines[0]);
    }

    [Fact]
    public async Task Unknown_options_missing_arguments_and_missing_commands_are_exit_2()
    {
        CliRun unknown = await CliProcess.RunAsync("mx", "contoso.test", "--frobnicate");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("--frobnicate", unknown.Stderr);
        CliRun missing = await CliProcess.RunAsync("mx");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("domain", missing.Stderr);
        CliRun none = await CliProcess.RunAsync();
        Assert.Equal(2, none.ExitCode);
        Assert.Contains("m365smtp --help", none.Stderr);
        foreach (CliRun r in new[] { unknown, missing, none })
        {
            Assert.Equal("", r.Stdout);
            Assert.DoesNotContain("   at ", r.Stderr);
        }
    }

    [Fact]
    public async Task An_engine_argument_error_is_exit_2_and_names_the_cli_options()
    {
        CliRun run = await CliProcess.RunAsync("connect", "--tenant-id", "contoso.onmicrosoft.com",
            "--client-id", "0a1b2c3d-1111-2222-3333-444455556666", "--certificate-path", "scanner.pfx");
        Assert.True(run.ExitCode == 2, run.ToString());
        string line = Assert.Single(run.StderrLines);
        Assert.StartsWith("m365smtp: error UserNameMissing (--user-name): --certificate-path needs --user-name", line);
        Assert.DoesNotContain("-UserName", line);
        Assert.DoesNotContain("-CertificatePath", line);
    }

    // The cmdlets fall back to the session's connection when no way to authenticate is given; the command line keeps
    // none, so it says which of its own options would do, not "run Connect-M365Smtp" or a PowerShell-only parameter.
    private const string Ways = "Give --certificate-path, --certificate-thumbprint or --client-secret-env with --tenant-id, " +
        "--client-id and --user-name; --managed-identity with --user-name; --device-code or --interactive with --client-id; " +
        "--access-token-env; or --password-stdin with --user-name (Basic authentication, being retired)";

    [Fact]
    public async Task Connect_without_a_way_to_authenticate_is_a_usage_error_naming_the_cli_options()
    {
        CliRun run = await CliProcess.RunAsync("connect");
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Equal(new[]
        {
            "m365smtp: connect needs a way to authenticate, and the command line keeps no connection between runs. " + Ways + ".",
            "Run 'm365smtp connect --help' for the options and their accepted values.",
        }, run.StderrLines);
        Assert.Equal("", run.Stdout);
    }

    [Fact]
    public async Task Send_without_a_way_to_authenticate_is_a_usage_error_before_anything_is_sent()
    {
        CliRun run = await CliProcess.RunAsync("send", "--from", "scanner@contoso.com", "--to", "alice@contoso.com",
            "--subject", "Scan", "--body", "Scanned", "--smtp-server", "127.0.0.1", "--port", "9");
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Equal("m365smtp: Client submission (the default --method) needs a way to authenticate, and the command line " +
            "keeps no connection between runs. " + Ways + ", or send through a relay connector or Direct Send " +
            "(--method Relay, DirectSend).", run.StderrLines[0]);
        Assert.DoesNotContain("Connect-M365Smtp", run.Stderr);
        Assert.DoesNotContain("ConnectionNotFound", run.Stderr);
        Assert.Equal("", run.Stdout);
    }

    [Theory]
    [InlineData("--method Graph", "send", "--method", "Graph", "--from", "reports@contoso.com", "--to", "ops@contoso.com",
        "--subject", "s", "--body", "b")]
    [InlineData("test-graph", "test-graph", "--from", "reports@contoso.com")]
    public async Task Graph_without_a_way_to_get_a_token_is_a_usage_error_without_the_password_option(string what,
        params string[] args)
    {
        CliRun run = await CliProcess.RunAsync(args);
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Equal($"m365smtp: {what} needs a way to authenticate, and the command line keeps no connection between runs. " +
            "Give --certificate-path, --certificate-thumbprint or --client-secret-env with --tenant-id, --client-id and " +
            "--user-name; --managed-identity with --user-name; --device-code or --interactive with --client-id; or " +
            "--access-token-env with a token for Microsoft Graph.", run.StderrLines[0]);
        Assert.Equal("", run.Stdout);
    }
}
