using M365SmtpTools.Cli.Binding;
using M365SmtpTools.Engine.Operations;

namespace M365SmtpTools.Cli.Tests;

/// <summary>The console host: what reaches stderr under --verbose, --quiet, and with or without a terminal.</summary>
public sealed class ConsoleHostTests
{
    private static (ConsoleHost Host, StringWriter Err) Host(bool verbose = false, bool quiet = false, bool terminal = false,
        SecretRedactor? secrets = null)
    {
        var err = new StringWriter();
        return (new ConsoleHost(err, secrets ?? new SecretRedactor(), verbose, quiet, terminal, interactive: false), err);
    }

    [Fact]
    public void Verbose_only_with_verbose_warnings_and_information_unless_quiet()
    {
        var (plain, err) = Host();
        plain.WriteVerbose("v");
        plain.WriteWarning("w");
        plain.WriteInformation("i");
        Assert.Equal("warning: w\ni\n", err.ToString().Replace("\r\n", "\n"));

        var (verbose, err2) = Host(verbose: true);
        verbose.WriteVerbose("v");
        Assert.Equal("verbose: v\n", err2.ToString().Replace("\r\n", "\n"));

        var (quiet, err3) = Host(quiet: true, verbose: false);
        quiet.WriteWarning("w");
        quiet.WriteInformation("i");
        quiet.WriteInformation("To sign in, use a web browser to open https://microsoft.com/devicelogin and enter the code ABC",
            "DeviceCode", "M365SmtpTools");
        Assert.Equal("To sign in, use a web browser to open https://microsoft.com/devicelogin and enter the code ABC\n",
            err3.ToString().Replace("\r\n", "\n"));
        Assert.True(quiet.ShouldProcess("t", "a"));
    }

    [Fact]
    public void Progress_is_drawn_only_on_a_terminal_and_cleared_before_other_lines()
    {
        var (redirected, err) = Host();
        redirected.WriteProgress(new OperationProgress { Activity = "Sending", Status = "3 of 50", PercentComplete = 6 });
        Assert.Equal("", err.ToString());

        var (terminal, err2) = Host(terminal: true);
        terminal.WriteProgress(new OperationProgress { Activity = "Sending", Status = "3 of 50", PercentComplete = 6 });
        Assert.Equal("\rSending: 3 of 50 6%", err2.ToString());
        terminal.WriteWarning("w");
        Assert.Equal("\rSending: 3 of 50 6%\r" + new string(' ', 19) + "\rwarning: w" + Environment.NewLine, err2.ToString());
    }

    [Fact]
    public void Registered_secrets_are_redacted_from_every_line()
    {
        var secrets = new SecretRedactor();
        secrets.Add("tok-123456");
        secrets.Add("ab"); // too short to redact safely
        var (host, err) = Host(verbose: true, secrets: secrets);
        host.WriteVerbose("sent tok-123456 to ab");
        Assert.Equal("verbose: sent *** to ab" + Environment.NewLine, err.ToString());
    }

    [Fact]
    public void Warnings_and_verbose_lines_name_the_cli_options()
    {
        var (host, err) = Host(verbose: true);
        host.TranslateParameterNames = new M365SmtpTools.Cli.Commands.MxCommand().Binding.TranslateParameterNames;
        host.WriteWarning("-DnsServer 10.0.0.1 did not answer; -TimeoutSeconds is 3.");
        host.WriteVerbose("asked -DnsServer");
        Assert.Equal("warning: --dns-server 10.0.0.1 did not answer; --timeout-seconds is 3.\nverbose: asked --dns-server\n",
            err.ToString().Replace("\r\n", "\n"));
    }
}
