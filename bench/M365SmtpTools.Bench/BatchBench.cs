using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using M365SmtpTools.Engine.Mime;
using M365SmtpTools.Engine.Smtp;

namespace M365SmtpTools.Bench;

/// <summary>
/// Batch throughput against the loopback Postfix submission port (STARTTLS + AUTH PLAIN), pacing off:
/// the engine over one session, MailKit/MimeKit over one session, Python smtplib over one session, swaks one process
/// per message, and the engine reconnecting per message. Every message is delivered into the Maildir of bench@contoso.test; the Maildir is
/// counted (every accepted message must arrive, exactly once) and emptied after each run.
/// </summary>
public static class BatchBench
{
    private sealed record Setup(string Host, int Port, string User, string Password, string Ca, string To, string MaildirNew,
        string BenchDir, string WorkDir, string TextBody, string Html, string AttachmentPath);

    public static async Task<int> RunAsync(Options o)
    {
        Dictionary<string, string> env = BenchUtil.ReadEnv(o.Require("env"));
        string benchDir = Path.GetFullPath(o.Get("bench-dir") ?? ".");
        string work = Path.GetFullPath(o.Get("work") ?? Path.Combine(Path.GetTempPath(), "m365smtp-bench"));
        Directory.CreateDirectory(work);
        var s = new Setup(env["HOST"], int.Parse(env["SUBMISSION_PORT"], CultureInfo.InvariantCulture), env["USER"], env["PASSWORD"],
            env["CA_CERT"], "bench@" + env["DOMAIN"], Path.Combine(env["MAILDIR_BASE"], env["DOMAIN"]), benchDir, work,
            Messages.TextBody2Kb(), Messages.HtmlBody(), Messages.EnsureRandomFile(Path.Combine(work, "attach-200k.bin"), 200 * 1024));
        File.WriteAllText(Path.Combine(work, "body.txt"), s.TextBody);
        File.WriteAllText(Path.Combine(work, "body.html"), s.Html);

        int textCount = o.Int("text-count", 1000), attachCount = o.Int("attach-count", 200);
        int swaksCount = o.Int("swaks-count", 100), reconnectCount = o.Int("reconnect-count", 200);
        int repeat = o.Int("repeat", 3);
        CleanMaildir(s);

        // Warm-up (not counted): JIT the engine's send path, and let Postfix spawn its smtpd/cleanup processes.
        await EngineSessionAsync(s, "text", 10);
        await WaitAndCleanAsync(s, 10);
        await MailKitSessionAsync(s, "attach", 10); // the same warm-up for MailKit: JIT of its send path
        await WaitAndCleanAsync(s, 10);

        foreach ((string kind, int count) in new[] { ("text", textCount), ("attach", attachCount) })
        {
            await Measure(s, kind, "engine-session", count, repeat, () => EngineSessionAsync(s, kind, count));
            await Measure(s, kind, "mailkit-session", count, repeat, () => MailKitSessionAsync(s, kind, count));
            await Measure(s, kind, "smtplib-session", count, repeat, () => SmtplibAsync(s, kind, count));
            await Measure(s, kind, "engine-reconnect", Math.Min(count, reconnectCount), 1,
                () => EngineReconnectAsync(s, kind, Math.Min(count, reconnectCount)));
            await Measure(s, kind, "swaks-per-process", Math.Min(count, swaksCount), 1,
                () => SwaksAsync(s, kind, Math.Min(count, swaksCount)));
        }
        return 0;
    }

    private static async Task Measure(Setup s, string kind, string contender, int count, int repeat, Func<Task<double>> run)
    {
        var seconds = new List<double>();
        int delivered = 0;
        for (int r = 0; r < repeat; r++)
        {
            double t = await run();
            delivered = await WaitAndCleanAsync(s, count);
            if (delivered != count) throw new InvalidOperationException($"{contender} {kind}: {count} sent, {delivered} delivered");
            seconds.Add(t);
            Console.Error.WriteLine($"  {contender,-18} {kind,-6} run {r + 1}/{repeat}: {count}"
                + $" messages in {t:0.000} s = {count / t:0.0} msg/s");
        }
        double median = BenchUtil.Median(seconds);
        BenchUtil.Result("batch", contender, new Dictionary<string, object?>
        {
            ["kind"] = kind,
            ["messages"] = count,
            ["runs"] = repeat,
            ["seconds_median"] = Math.Round(median, 4),
            ["seconds_all"] = seconds.Select(x => Math.Round(x, 4)).ToArray(),
            ["rate"] = Math.Round(count / median, 2),
            ["delivered_per_run"] = delivered,
        });
    }

    private static MimeMessage Build(Setup s, string kind, int i) =>
        kind == "text"
            ? Messages.Text(s.User, s.To, i, s.TextBody)
            : Messages.HtmlWithAttachment(s.User, s.To, i, s.Html, s.AttachmentPath);

    private static async Task<double> EngineSessionAsync(Setup s, string kind, int count)
    {
        var sw = Stopwatch.StartNew();
        using var client = new SmtpClient();
        await client.ConnectAsync(s.Host, s.Port, Messages.Options(s.Ca));
        await client.AuthenticateAsync(Messages.Password(s.User, s.Password), SmtpAuthMechanism.Plain);
        for (int i = 0; i < count; i++)
        {
            MimeMessage m = Build(s, kind, i);
            await client.SendAsync(Messages.Envelope(m), m);
        }
        await client.QuitAsync();
        return sw.Elapsed.TotalSeconds;
    }

    /// <summary>MailKit 4.18.2 over one session, each message built with MimeKit inside the timed loop as the engine's is.</summary>
    private static async Task<double> MailKitSessionAsync(Setup s, string kind, int count)
    {
        var sw = Stopwatch.StartNew();
        using MailKit.Net.Smtp.SmtpClient client = await MailKitContender.ConnectAsync(s.Host, s.Port, s.Ca, s.User, s.Password);
        for (int i = 0; i < count; i++)
        {
            MimeKit.MimeMessage m = kind == "text"
                ? MailKitContender.Text(s.User, s.To, i, s.TextBody)
                : MailKitContender.HtmlWithAttachment(s.User, s.To, i, s.Html, s.AttachmentPath);
            try { await client.SendAsync(m); }
            finally { MailKitContender.DisposeContent(m); }
        }
        await client.DisconnectAsync(true);
        return sw.Elapsed.TotalSeconds;
    }

    private static async Task<double> EngineReconnectAsync(Setup s, string kind, int count)
    {
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < count; i++)
        {
            using var client = new SmtpClient();
            await client.ConnectAsync(s.Host, s.Port, Messages.Options(s.Ca));
            await client.AuthenticateAsync(Messages.Password(s.User, s.Password), SmtpAuthMechanism.Plain);
            MimeMessage m = Build(s, kind, i);
            await client.SendAsync(Messages.Envelope(m), m);
            await client.QuitAsync();
        }
        return sw.Elapsed.TotalSeconds;
    }

    private static async Task<double> SmtplibAsync(Setup s, string kind, int count)
    {
        var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[]
                 {
                     Path.Combine(s.BenchDir, "smtplib_bench.py"), "--host", s.Host,
                     "--port", s.Port.ToString(CultureInfo.InvariantCulture),
                     "--user", s.User, "--password", s.Password, "--ca", s.Ca, "--to", s.To, "--kind", kind,
                     "--count", count.ToString(CultureInfo.InvariantCulture),
                     "--text", Path.Combine(s.WorkDir, "body.txt"), "--html", Path.Combine(s.WorkDir, "body.html"),
                     "--attach", s.AttachmentPath,
                 })
            psi.ArgumentList.Add(a);
        using Process p = Process.Start(psi)!;
        Task<string> err = p.StandardError.ReadToEndAsync();
        string output = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0) throw new InvalidOperationException("smtplib_bench.py failed: " + await err);
        using JsonDocument doc = JsonDocument.Parse(output.Trim().Split('\n').Last());
        return doc.RootElement.GetProperty("seconds").GetDouble();
    }

    /// <summary>One swaks process per message, as scripts call it; timed from the first process start to the last exit.</summary>
    private static async Task<double> SwaksAsync(Setup s, string kind, int count)
    {
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < count; i++)
        {
            var psi = new ProcessStartInfo("swaks") { RedirectStandardOutput = true, RedirectStandardError = true };
            var args = new List<string>
            {
                "--server", s.Host, "--port", s.Port.ToString(CultureInfo.InvariantCulture), "--tls",
                "--auth", "PLAIN", "--auth-user", s.User, "--auth-password", s.Password,
                "--from", s.User, "--to", s.To, "--header", "Subject: bench swaks " + i, "--silent", "2",
            };
            if (kind == "text") args.AddRange(new[] { "--body", "@" + Path.Combine(s.WorkDir, "body.txt") });
            else
                args.AddRange(new[]
                {
                    "--attach-type", "text/html", "--attach-body", "@" + Path.Combine(s.WorkDir, "body.html"),
                    "--attach-type", "application/octet-stream", "--attach-name", "report.bin", "--attach", "@" + s.AttachmentPath,
                });
            foreach (string a in args) psi.ArgumentList.Add(a);
            using Process p = Process.Start(psi)!;
            Task<string> err = p.StandardError.ReadToEndAsync();
            Task<string> output = p.StandardOutput.ReadToEndAsync();
            await p.WaitForExitAsync();
            if (p.ExitCode != 0) throw new InvalidOperationException($"swaks exited with {p.ExitCode}: {await err}{await output}");
        }
        return sw.Elapsed.TotalSeconds;
    }

    private static void CleanMaildir(Setup s)
    {
        foreach (string sub in new[] { "new", "cur", "tmp" })
        {
            string dir = Path.Combine(s.MaildirNew, sub);
            if (Directory.Exists(dir))
                foreach (string f in Directory.EnumerateFiles(dir)) File.Delete(f);
        }
    }

    /// <summary>Waits until Postfix has delivered <paramref name="expected"/> messages (or 120 s pass), then empties the Maildir;
    /// returns the count.</summary>
    private static async Task<int> WaitAndCleanAsync(Setup s, int expected)
    {
        string dir = Path.Combine(s.MaildirNew, "new");
        var deadline = DateTime.UtcNow.AddSeconds(120);
        int n = 0;
        while (DateTime.UtcNow < deadline)
        {
            n = Directory.Exists(dir) ? Directory.EnumerateFiles(dir).Count() : 0;
            if (n >= expected) break;
            await Task.Delay(100);
        }
        await Task.Delay(n > expected ? 0 : 300); // a duplicate would show up here
        n = Directory.Exists(dir) ? Directory.EnumerateFiles(dir).Count() : 0;
        CleanMaildir(s);
        return n;
    }
}
