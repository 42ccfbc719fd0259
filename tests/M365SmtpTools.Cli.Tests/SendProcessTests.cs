using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using M365SmtpTools.Cli.Tests.Infrastructure;
using M365SmtpTools.Engine.Tests.Infrastructure;

namespace M365SmtpTools.Cli.Tests;

/// <summary>
/// <c>m365smtp send</c> run as a process against Postfix + Dovecot (XOAUTH2 with an HS256 JWT that Dovecot validates):
/// a send, a 50-row CSV batch over one connection, each failing phase's exit code, and no secret in argv or output.
/// Excluded from the build until SendMailRequest is on main (see src/M365SmtpTools.Cli/Commands/Pending/README.md).
/// </summary>
public sealed class SendProcessTests
{
    private static string B64Url(byte[] b) => Convert.ToBase64String(b).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string Jwt(InteropServer postfix, string upn)
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        string header = B64Url(Encoding.UTF8.GetBytes("{\"alg\":\"HS256\",\"typ\":\"JWT\"}"));
        string payload = B64Url(Encoding.UTF8.GetBytes($"{{\"sub\":\"{upn}\",\"upn\":\"{upn}"
            + $"\",\"iat\":{now},\"nbf\":{now},\"exp\":{now + 3600}}}"));
        byte[] sig = HMACSHA256.HashData(Convert.FromBase64String(postfix["JWT_HS256_KEY_BASE64"]),
            Encoding.ASCII.GetBytes(header + "." + payload));
        return header + "." + payload + "." + B64Url(sig);
    }

    private static string[] Submission(InteropServer postfix, params string[] more) =>
        new[] { "send", "--access-token-env", "M365SMTP_TEST_TOKEN", "--user-name", postfix["USER"], "--smtp-server", "localhost",
            "--port", postfix["SUBMISSION_PORT"], "--skip-certificate-validation" }.Concat(more).ToArray();

    private static string[] Delivered(InteropServer postfix, string mailbox, string marker)
    {
        string dir = Path.Combine(postfix["MAILDIR_BASE"], mailbox[(mailbox.IndexOf('@') + 1)..]); // one Maildir per domain
        for (int i = 0; i < 100; i++)
        {
            string[] files = Directory.Exists(dir)
                ? Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Where(f => File.ReadAllText(f).Contains(marker)).ToArray()
                : new string[0];
            if (files.Length > 0) return files;
            Thread.Sleep(100);
        }
        return new string[0];
    }

    [Fact]
    public async Task Sends_with_xoauth2_from_an_environment_token()
    {
        InteropServer postfix = InteropServer.Require("postfix");
        string token = Jwt(postfix, postfix["USER"]);
        string marker = "cli-" + Guid.NewGuid().ToString("N");
        CliRun run = await CliProcess.RunAsync(Submission(postfix, "--to", postfix["SECOND_USER"], "--subject", marker,
                "--body", "Sent by m365smtp.", "--json", "--verbose"),
            new Dictionary<string, string> { ["M365SMTP_TEST_TOKEN"] = token });
        Assert.True(run.ExitCode == 0, run.ToString());
        JsonElement result = JsonDocument.Parse(Assert.Single(run.StdoutLines)).RootElement;
        Assert.Equal("Sent", result.GetProperty("status").GetString());
        Assert.Equal(250, result.GetProperty("replyCode").GetInt32());
        Assert.NotEmpty(Delivered(postfix, postfix["SECOND_USER"], marker));
        Assert.DoesNotContain(token, run.Stdout + run.Stderr + string.Join(" ", run.Arguments) + run.ObservedCommandLine);
        Assert.DoesNotContain(token.Split('.')[2], run.Stdout + run.Stderr);
    }

    [Fact]
    public async Task A_50_row_csv_batch_goes_over_one_connection()
    {
        InteropServer postfix = InteropServer.Require("postfix");
        string dir = TestPaths.NewTempDir();
        try
        {
            string marker = "batch-" + Guid.NewGuid().ToString("N");
            string csv = Path.Combine(dir, "batch.csv");
            File.WriteAllLines(csv, new[] { "To,Subject,Body" }
                .Concat(Enumerable.Range(1, 50).Select(i => $"{postfix["SECOND_USER"]},\"{marker} {i}, of 50\",Row {i}")));
            CliRun run = await CliProcess.RunAsync(Submission(postfix, "--batch", csv, "--max-messages-per-minute", "100000", "--json"),
                new Dictionary<string, string> { ["M365SMTP_TEST_TOKEN"] = Jwt(postfix, postfix["USER"]) });
            Assert.True(run.ExitCode == 0, run.ToString());
            var results = run.StdoutLines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
            Assert.Equal(50, results.Count);
            Assert.All(results, r => Assert.Equal("Sent", r.GetProperty("status").GetString()));
            Assert.Equal(Enumerable.Range(1, 50).Select(i => $"{marker} {i}, of 50"),
                results.OrderBy(r => r.GetProperty("index").GetInt32()).Select(r => r.GetProperty("subject").GetString()));
            // Postfix logs one session summary per connection: all 50 messages in one of them.
            string log = "";
            for (int i = 0; i < 50 && !log.Contains("mail=50 rcpt=50"); i++)
            {
                Thread.Sleep(100);
                log = File.ReadAllText(postfix["MAILLOG"]);
            }
            Assert.Contains("mail=50 rcpt=50", log);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public async Task Each_failing_phase_has_its_exit_code()
    {
        InteropServer postfix = InteropServer.Require("postfix");
        var env = new Dictionary<string, string> { ["M365SMTP_TEST_TOKEN"] = Jwt(postfix, "someone-else@contoso.test") };
        string[] message = { "--to", postfix["SECOND_USER"], "--subject", "s", "--body", "b" };

        CliRun auth = await CliProcess.RunAsync(Submission(postfix, message), env);
        Assert.True(auth.ExitCode == 13, auth.ToString());
        Assert.Contains("m365smtp: error SmtpAuthenticationFailed", auth.Stderr);

        CliRun tls = await CliProcess.RunAsync(new[] { "send", "--access-token-env", "M365SMTP_TEST_TOKEN",
            "--user-name", postfix["USER"], "--smtp-server", "localhost", "--port", postfix["SUBMISSION_PORT"] }.Concat(message), env);
        Assert.True(tls.ExitCode == 12, tls.ToString());
        Assert.Contains("m365smtp: error SmtpCertificateInvalid", tls.Stderr);

        CliRun connect = await CliProcess.RunAsync(new[] { "send", "--access-token-env", "M365SMTP_TEST_TOKEN",
            "--user-name", postfix["USER"], "--smtp-server", "localhost", "--port", "9" }.Concat(message), env);
        Assert.True(connect.ExitCode == 11, connect.ToString());

        CliRun resolve = await CliProcess.RunAsync(new[] { "send", "--access-token-env", "M365SMTP_TEST_TOKEN",
            "--user-name", postfix["USER"], "--smtp-server", "nothere.invalid" }.Concat(message), env);
        Assert.True(resolve.ExitCode == 10, resolve.ToString());

        foreach (CliRun r in new[] { auth, tls, connect, resolve }) Assert.DoesNotContain(env["M365SMTP_TEST_TOKEN"], r.Stdout + r.Stderr);
    }

    [Fact]
    public async Task A_bad_batch_file_is_exit_2_with_the_line_before_anything_is_sent()
    {
        InteropServer postfix = InteropServer.Require("postfix");
        string dir = TestPaths.NewTempDir();
        try
        {
            string csv = Path.Combine(dir, "bad.csv");
            File.WriteAllText(csv, "To,Subject\nbob@fabrikam.test,ok\nbob@fabrikam.test,\"never closed\n");
            CliRun run = await CliProcess.RunAsync(Submission(postfix, "--batch", csv),
                new Dictionary<string, string> { ["M365SMTP_TEST_TOKEN"] = Jwt(postfix, postfix["USER"]) });
            Assert.True(run.ExitCode == 2, run.ToString());
            Assert.Equal("", run.Stdout);
            Assert.StartsWith("m365smtp: --batch: bad.csv: line 3: a quoted field is never closed", run.StderrLines[0]);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
