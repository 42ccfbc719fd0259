using System.Text;
using M365SmtpTools.Cli.Tests.Infrastructure;

namespace M365SmtpTools.Cli.Tests;

/// <summary>
/// Secrets reach the tool only through environment variables or stdin: never in its argument list (what ps and /proc
/// show), never in anything it prints, with or without --verbose and --json.
/// </summary>
public sealed class SecretTests
{
    private static string B64Url(string s) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(s)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string AppOnlyToken(out string signature)
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        signature = B64Url("a-signature-that-must-never-be-printed-" + Guid.NewGuid());
        return B64Url("{\"alg\":\"HS256\",\"typ\":\"JWT\"}") + "." +
               B64Url($"{{\"aud\":\"https://outlook.office365.com\",\"roles\":[\"SMTP.SendAsApp\"],\"tid\":\"72f988bf-86f1-41af-91ab-2d7cd011db47\",\"appid\":\"11111111-2222-3333-4444-555555555555\",\"iat\":{now},\"nbf\":{now},\"exp\":{now + 3600}}}") +
               "." + signature;
    }

    private static void AssertAbsent(CliRun run, params string[] secrets)
    {
        foreach (string secret in secrets)
        {
            Assert.DoesNotContain(run.Arguments, a => a.Contains(secret));
            Assert.DoesNotContain(secret, run.Stdout);
            Assert.DoesNotContain(secret, run.Stderr);
            if (run.ObservedCommandLine != null) Assert.DoesNotContain(secret, run.ObservedCommandLine);
        }
    }

    [Fact]
    public async Task An_access_token_flows_through_the_environment_and_is_never_printed()
    {
        string token = AppOnlyToken(out string signature);
        var env = new Dictionary<string, string> { ["M365SMTP_TEST_TOKEN"] = token };
        foreach (string[] extra in new[] { new string[0], new[] { "--verbose" }, new[] { "--json", "--verbose" } })
        {
            CliRun run = await CliProcess.RunAsync(new[] { "connect", "--access-token-env", "M365SMTP_TEST_TOKEN",
                "--user-name", "app@contoso.com" }.Concat(extra), env);
            Assert.True(run.ExitCode == 0, run.ToString());
            // The token reached the engine: its claims are in the output.
            Assert.Contains("72f988bf-86f1-41af-91ab-2d7cd011db47", run.Stdout);
            Assert.Contains("11111111-2222-3333-4444-555555555555", run.Stdout);
            Assert.Contains("AccessToken", run.Stdout);
            // What ps shows (/proc/<pid>/cmdline, reported by the tool process itself): the variable's name, not its value.
            Assert.NotNull(run.ObservedCommandLine);
            Assert.Contains("--access-token-env M365SMTP_TEST_TOKEN", run.ObservedCommandLine);
            AssertAbsent(run, token, signature);
        }
    }

    [Fact]
    public async Task A_failing_run_with_a_token_does_not_print_it_either()
    {
        string token = AppOnlyToken(out string signature);
        var env = new Dictionary<string, string> { ["M365SMTP_TEST_TOKEN"] = token };
        // --test needs the SMTP client (or fails to reach the server): either way it fails fast and must not leak.
        CliRun run = await CliProcess.RunAsync(new[] { "connect", "--access-token-env", "M365SMTP_TEST_TOKEN",
            "--user-name", "app@contoso.com", "--test", "--smtp-server", "127.0.0.1", "--port", "9", "--verbose" }, env);
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("m365smtp: error ", run.Stderr);
        AssertAbsent(run, token, signature);
    }

    [Fact]
    public async Task A_password_flows_through_stdin_and_is_never_printed()
    {
        string password = "Pw-" + Guid.NewGuid().ToString("N");
        CliRun run = await CliProcess.RunAsync(new[] { "connect", "--user-name", "printer@contoso.com", "--password-stdin",
            "--verbose", "--json" }, null, password + "\n");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("\"method\":\"Basic\"", run.Stdout);
        Assert.Contains("printer@contoso.com", run.Stdout);
        Assert.Contains("warning: Basic authentication", run.Stderr);
        AssertAbsent(run, password);
    }

    [Fact]
    public async Task A_client_secret_flows_through_the_environment_and_is_never_printed()
    {
        string secret = "Cs~" + Guid.NewGuid().ToString("N");
        var env = new Dictionary<string, string> { ["M365SMTP_TEST_SECRET"] = secret };
        // An authority that refuses connections: getting the token fails fast, in the auth phase.
        CliRun run = await CliProcess.RunAsync(new[] { "connect", "--tenant-id", "contoso.onmicrosoft.com",
            "--client-id", "11111111-2222-3333-4444-555555555555", "--client-secret-env", "M365SMTP_TEST_SECRET",
            "--user-name", "a@contoso.com", "--authority-host", "127.0.0.1:9", "--verbose" }, env);
        Assert.True(run.ExitCode == 13, run.ToString());
        Assert.Contains("m365smtp: error Identity", run.Stderr);
        AssertAbsent(run, secret);
    }

    [Fact]
    public async Task A_missing_secret_variable_is_a_usage_error_naming_the_option_and_the_variable()
    {
        CliRun run = await CliProcess.RunAsync("connect", "--access-token-env", "M365SMTP_TEST_UNSET_VARIABLE",
            "--user-name", "a@contoso.com");
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Equal("m365smtp: --access-token-env: the environment variable 'M365SMTP_TEST_UNSET_VARIABLE' is not set or is empty.",
            run.StderrLines[0]);
        CliRun noStdin = await CliProcess.RunAsync(new[] { "connect", "--user-name", "a@contoso.com", "--password-stdin" }, null, "");
        Assert.Equal(2, noStdin.ExitCode);
        Assert.StartsWith("m365smtp: --password-stdin: nothing was read from stdin", noStdin.StderrLines[0]);
    }
}

/// <summary>The CLI's last guard masks a secret's base64 and base64url forms too (issue 14, item 3).</summary>
public sealed class SecretRedactorFormsTests
{
    [Fact]
    public void Base64_and_base64url_forms_of_a_secret_are_masked()
    {
        const string token = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJ1cG4iOiJhQGIuYyJ9.c2lnbmF0dXJl";
        var redactor = new M365SmtpTools.Cli.Binding.SecretRedactor();
        redactor.Add(token);
        string b64 = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(token));
        string blob = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("user=a@b.c\u0001auth=Bearer " + token + "\u0001\u0001"));
        string line = $"535 echo {token} {b64} {b64.TrimEnd('=').Replace('+', '-').Replace('/', '_')} {blob}";
        string redacted = redactor.Redact(line);
        Assert.DoesNotContain(token, redacted);
        Assert.DoesNotContain(b64.TrimEnd('='), redacted);
        Assert.DoesNotContain(blob, redacted);
        Assert.StartsWith("535 echo *** ***", redacted);
    }
}
