using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using M365SmtpTools.Cli.Tests.Infrastructure;
using M365SmtpTools.Engine.Tests.Infrastructure;

namespace M365SmtpTools.Cli.Tests;

/// <summary>
/// <c>m365smtp send</c> as a process against <see cref="ScriptedSmtpServer"/> on loopback (issue 14): JSON lines for
/// every outcome, exit codes, and signals.
/// </summary>
public sealed class HardeningProcessTests
{
    private static string Batch(params (string To, string Subject)[] rows)
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "batch.csv");
        File.WriteAllLines(path, new[] { "To,Subject,Body" }.Concat(rows.Select(r => $"{r.To},{r.Subject},Body of {r.Subject}")));
        return path;
    }

    private static string[] Relay(ScriptedSmtpServer server, params string[] more) =>
        new[] { "send", "--method", "Relay", "--smtp-server", "127.0.0.1", "--port", server.Port.ToString(), "--from", "sender@contoso.com",
            "--max-retry", "0", "--max-messages-per-minute", "100000" }.Concat(more).ToArray();

    [Fact]
    public async Task Json_reports_every_row_of_a_failing_batch_without_exception_objects()
    {
        await using var server = new ScriptedSmtpServer();
        string csv = Batch(("ok@contoso.com", "r1-ok"), ("perm@contoso.com", "r2-perm"), ("temp@contoso.com", "r3-temp"),
            ("not an address", "r4-invalid"), ("drop@contoso.com", "r5-drop"), ("ok@contoso.com", "r6-ok"));
        CliRun run = await CliProcess.RunAsync(Relay(server, "--batch", csv, "--json"));

        var lines = run.StdoutLines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.True(lines.Count == 6, run.ToString());
        var byRow = lines.ToDictionary(l => l.GetProperty("row").GetInt32());
        Assert.Equal(Enumerable.Range(1, 6), byRow.Keys.Order());
        Assert.Equal("Sent", byRow[1].GetProperty("status").GetString());
        Assert.Equal("Sent", byRow[6].GetProperty("status").GetString());
        Assert.Equal("Failed", byRow[2].GetProperty("status").GetString());
        Assert.Equal(550, byRow[2].GetProperty("replyCode").GetInt32());
        Assert.Equal("RcptTo", byRow[2].GetProperty("phase").GetString());
        Assert.Equal("Failed", byRow[3].GetProperty("status").GetString());
        Assert.Equal(451, byRow[3].GetProperty("replyCode").GetInt32());
        Assert.Equal("Failed", byRow[4].GetProperty("status").GetString());
        Assert.Equal("InvalidArgument", byRow[4].GetProperty("errorKind").GetString());
        Assert.False(string.IsNullOrEmpty(byRow[4].GetProperty("errorId").GetString()));
        Assert.Equal("Unknown", byRow[5].GetProperty("status").GetString());
        Assert.Equal("SmtpDeliveryUnknown", byRow[5].GetProperty("errorId").GetString());
        foreach (var l in lines)
        {
            Assert.False(l.TryGetProperty("error", out _), "no exception object in the JSON: " + l);
            Assert.False(l.TryGetProperty("input", out _), "no input object in the JSON: " + l);
            Assert.DoesNotContain("targetSite", l.ToString(), StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("stackTrace", l.ToString(), StringComparison.OrdinalIgnoreCase);
        }
        Assert.True(new[] { "r1-ok", "r6-ok" }.SequenceEqual(server.Accepted), string.Join("\n", server.Log));
        // Unknown outranks "some failed": a script must not resend blindly.
        Assert.True(run.ExitCode == 18, run.ToString());
    }

    [Fact]
    public async Task Json_of_a_single_refused_message_is_one_line_and_its_phase_exit_code()
    {
        await using var server = new ScriptedSmtpServer();
        CliRun run = await CliProcess.RunAsync(Relay(server, "--to", "perm@contoso.com", "--subject", "one", "--body", "x", "--json"));
        JsonElement line = JsonDocument.Parse(Assert.Single(run.StdoutLines)).RootElement;
        Assert.Equal("Failed", line.GetProperty("status").GetString());
        Assert.Equal("RcptTo", line.GetProperty("phase").GetString());
        Assert.True(run.ExitCode == 15, run.ToString());
    }

    [Fact]
    public async Task A_bad_value_in_a_batch_row_is_a_usage_error_naming_the_row_before_anything_is_sent()
    {
        await using var server = new ScriptedSmtpServer();
        string path = Path.Combine(TestPaths.NewTempDir(), "batch.jsonl");
        File.WriteAllText(path, "{\"To\":\"ok@contoso.com\",\"Subject\":\"b1-ok\",\"Priority\":\"high\"}\n"
            + "{\"To\":\"ok@contoso.com\",\"Subject\":\"b2-bad\",\"Priority\":\"urgent\"}\n");
        CliRun run = await CliProcess.RunAsync(Relay(server, "--batch", path));
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("line 2 (row 2): 'urgent' is not a valid Priority; use one of: Normal, Low, High.", run.Stderr);
        Assert.Empty(server.Accepted);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    [Theory]
    [InlineData(15)] // SIGTERM
    [InlineData(2)]  // SIGINT (Ctrl+C)
    public async Task A_signal_mid_batch_reports_every_row_and_exits_130(int signal)
    {
        if (!OperatingSystem.IsLinux()) Assert.Skip("POSIX signals are sent with kill(2) on Linux.");
        await using var server = new ScriptedSmtpServer();
        string csv = Batch(("ok@contoso.com", "s1-ok"), ("slow@contoso.com", "s2-slow"), ("ok@contoso.com", "s3-ok"),
            ("ok@contoso.com", "s4-ok"));
        // A test run started in the background (`cmd &` in a non-interactive shell, nohup) inherits SIGINT as ignored,
        // and exec keeps it ignored, as POSIX says it must: env resets it to the default so the CLI's handler gets it.
        var psi = new ProcessStartInfo("env") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true,
            UseShellExecute = false };
        psi.ArgumentList.Add("--default-signal=INT,TERM");
        psi.ArgumentList.Add("dotnet");
        psi.ArgumentList.Add(CliProcess.Dll);
        foreach (string a in Relay(server, "--batch", csv, "--json")) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_NOLOGO"] = "1";
        using var p = Process.Start(psi)!;
        Task<string> stdout = p.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken),
            stderr = p.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        try
        {
            // The end of message 2 has been sent and its reply is held back: delivery is now unknown.
            await server.SlowReached.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
            Assert.Equal(0, kill(p.Id, signal));
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            await p.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!p.HasExited) p.Kill(true);
        }
        string output = $"exit {p.ExitCode}\n--- stdout\n{await stdout}\n--- stderr\n{await stderr}";
        var lines = (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.True(lines.Count == 4, output);
        var status = lines.ToDictionary(l => l.GetProperty("row").GetInt32(), l => l.GetProperty("status").GetString());
        Assert.Equal("Sent", status[1]);
        Assert.Equal("Unknown", status[2]);
        Assert.Equal("NotAttempted", status[3]);
        Assert.Equal("NotAttempted", status[4]);
        Assert.True(p.ExitCode == 130, output);
        Assert.Equal(new[] { "s1-ok" }, server.Accepted);
    }

    [Fact]
    public async Task A_999_greeting_is_exit_11_after_one_connection()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port, connections = 0;
        var ct = TestContext.Current.CancellationToken;
        Task serve = Task.Run(async () =>
        {
            while (true)
            {
                using var c = await listener.AcceptTcpClientAsync(ct);
                connections++;
                await c.GetStream().WriteAsync(System.Text.Encoding.ASCII.GetBytes("999 not smtp\r\n"), ct);
                try { _ = await c.GetStream().ReadAsync(new byte[100], ct); } catch (IOException) { }
            }
        }, ct);
        try
        {
            CliRun run = await CliProcess.RunAsync("send", "--method", "Relay", "--smtp-server", "127.0.0.1", "--port", port.ToString(),
                "--from", "a@contoso.com", "--to", "b@contoso.com", "--subject", "x", "--body", "y", "--max-retry", "3", "--json");
            Assert.True(run.ExitCode == 11, run.ToString());
            Assert.Equal("SmtpInvalidReply",
                JsonDocument.Parse(Assert.Single(run.StdoutLines)).RootElement.GetProperty("errorId").GetString());
            Assert.Equal(1, connections);
        }
        finally { listener.Stop(); }
    }

    [Fact]
    public async Task Max_retry_accepts_the_engines_range_only()
    {
        CliRun run = await CliProcess.RunAsync("send", "--method", "Relay", "--from", "a@contoso.com", "--to", "b@contoso.com",
            "--max-retry", "21");
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("0", run.Stderr);
        Assert.Contains("20", run.Stderr);
    }

    [Fact]
    public async Task Control_characters_in_a_server_reply_are_escaped_on_the_terminal()
    {
        await using var server = new ScriptedSmtpServer();
        CliRun run = await CliProcess.RunAsync(Relay(server, "--to", "esc@contoso.com", "--subject", "x", "--body", "y"));
        Assert.True(run.ExitCode == 15, run.ToString());
        string all = run.Stdout + run.Stderr;
        Assert.DoesNotContain('\u001B', all);
        Assert.DoesNotContain('\u0007', all);
        Assert.DoesNotContain('\r', all.Replace("\r\n", "\n"));
        Assert.DoesNotContain('\u202E', all);
        Assert.True(run.Stdout.Contains("550 5.1.1 \\x1B]0;pwned\\x07\\x1B[2J\\x0Dfake 250 OK"), run.ToString());
        Assert.True(run.Stderr.Contains("550 5.1.1 \\x1B]0;pwned\\x07\\x1B[2J"), run.ToString());
    }

    [Fact]
    public async Task A_token_given_as_the_variable_name_is_never_printed()
    {
        const string token = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJ1cG4iOiJhQGNvbnRvc28uY29tIn0.c2lnbmF0dXJlX3ZhbHVl";
        CliRun run = await CliProcess.RunAsync("send", "--access-token-env", token, "--user-name", "a@contoso.com", "--to", "b@contoso.com",
            "--subject", "x");
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("--access-token-env", run.Stderr);
        Assert.DoesNotContain("eyJ0eXAi", run.Stdout + run.Stderr);
        Assert.DoesNotContain("c2lnbmF0dXJlX3ZhbHVl", run.Stdout + run.Stderr);
    }
}
