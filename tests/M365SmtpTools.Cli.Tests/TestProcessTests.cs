using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using M365SmtpTools.Cli.Tests.Infrastructure;
using M365SmtpTools.Engine.Tests.Infrastructure;

namespace M365SmtpTools.Cli.Tests;

/// <summary>
/// <c>m365smtp test</c> run as a process against Postfix + Dovecot: the passing path, and three failure kinds with
/// their exit codes (TLS 12, auth 13, connect 11). The server's self-signed CA is trusted through SSL_CERT_FILE, as an
/// admin would on a Linux host. Excluded from the build until TestSmtpAuthRequest is on main.
/// </summary>
public sealed class TestProcessTests
{
    private static string B64Url(byte[] b) => Convert.ToBase64String(b).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    // A delegated token as Exchange Online would issue it (aud, scp), signed with the key Dovecot validates.
    private static string Jwt(InteropServer postfix, string upn)
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        string header = B64Url(Encoding.UTF8.GetBytes("{\"alg\":\"HS256\",\"typ\":\"JWT\"}"));
        string payload = B64Url(Encoding.UTF8.GetBytes($"{{\"sub\":\"{upn}\",\"upn\":\"{upn}"
            + $"\",\"aud\":\"https://outlook.office.com\",\"scp\":\"SMTP.Send\",\"iat\":{now},\"nbf\":{now},\"exp\":{now + 3600}}}"));
        byte[] sig = HMACSHA256.HashData(Convert.FromBase64String(postfix["JWT_HS256_KEY_BASE64"]),
            Encoding.ASCII.GetBytes(header + "." + payload));
        return header + "." + payload + "." + B64Url(sig);
    }

    private static Task<CliRun> Test(InteropServer postfix, string token, bool trustCa, string port, params string[] more) =>
        CliProcess.RunAsync(new[] { "test", "--access-token-env", "M365SMTP_TEST_TOKEN", "--user-name", postfix["USER"],
                "--smtp-server", "localhost", "--port", port, "--expected-issuer", "localhost" }.Concat(more),
            trustCa ? new Dictionary<string, string> { ["M365SMTP_TEST_TOKEN"] = token, ["SSL_CERT_FILE"] = postfix["CA_CERT"] }
                    : new Dictionary<string, string> { ["M365SMTP_TEST_TOKEN"] = token });

    [Fact]
    public async Task A_good_token_passes_and_the_json_report_parses_back()
    {
        InteropServer postfix = InteropServer.Require("postfix");
        string token = Jwt(postfix, postfix["USER"]);
        CliRun run = await Test(postfix, token, trustCa: true, postfix["SUBMISSION_PORT"], "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        JsonElement report = JsonDocument.Parse(Assert.Single(run.StdoutLines)).RootElement;
        Assert.NotEqual("Failed", report.GetProperty("overall").GetString());
        Assert.Contains(report.GetProperty("stages").EnumerateArray(),
            s => s.GetProperty("stage").GetString() == "Auth" && s.GetProperty("status").GetString() == "Passed");
        Assert.DoesNotContain(token, run.Stdout + run.Stderr);
    }

    [Fact]
    public async Task Three_failure_kinds_have_their_exit_codes_and_findings()
    {
        InteropServer postfix = InteropServer.Require("postfix");
        string good = Jwt(postfix, postfix["USER"]);

        CliRun tls = await Test(postfix, good, trustCa: false, postfix["SUBMISSION_PORT"]);
        Assert.True(tls.ExitCode == 12, tls.ToString());
        Assert.Contains("CertificateUntrusted", tls.Stdout);

        string wrongUser = Jwt(postfix, "mallory@contoso.test");
        CliRun auth = await Test(postfix, wrongUser, trustCa: true, postfix["SUBMISSION_PORT"]);
        Assert.True(auth.ExitCode == 13, auth.ToString());
        Assert.Contains("535", auth.Stdout);

        CliRun connect = await Test(postfix, good, trustCa: true, "9");
        Assert.True(connect.ExitCode == 11, connect.ToString());

        foreach (CliRun r in new[] { tls, auth, connect })
        {
            Assert.DoesNotContain(good, r.Stdout + r.Stderr + r.ObservedCommandLine);
            Assert.DoesNotContain(wrongUser, r.Stdout + r.Stderr + r.ObservedCommandLine);
        }
    }
}
