using System.Diagnostics;
using System.Globalization;
using M365SmtpTools.Engine.Mime;
using M365SmtpTools.Engine.Smtp;

namespace M365SmtpTools.Bench;

/// <summary>
/// Cold start: a fresh process (this executable's first-send mode for the engine, mailkit-first-send for MailKit) connects to Postfix,
/// STARTTLS, AUTH PLAIN, sends one message; the time from the process's start (kernel start time) to the 250 reply, and the
/// number of assemblies loaded at that moment.
/// </summary>
public static class ColdStartBench
{
    public static async Task<int> RunAsync(Options o)
    {
        string envPath = Path.GetFullPath(o.Require("env"));
        int runs = o.Int("runs", 5);
        // Alternating engine and MailKit runs, so the machine's load drifts over both alike.
        var contenders = new[] { ("engine-first-message", "first-send"), ("mailkit-first-message", "mailkit-first-send") };
        var inProcess = contenders.ToDictionary(c => c.Item1, _ => new List<double>());
        var wall = contenders.ToDictionary(c => c.Item1, _ => new List<double>());
        var assemblies = new Dictionary<string, (int Count, string Names)>();
        for (int r = 0; r < runs; r++)
            foreach ((string name, string command) in contenders)
            {
                (List<string> results, TimeSpan firstResult) = await BenchUtil.RunChildAsync(command, "--env", envPath);
                using var doc = System.Text.Json.JsonDocument.Parse(results.Single());
                inProcess[name].Add(doc.RootElement.GetProperty("ms_since_process_start").GetDouble());
                wall[name].Add(firstResult.TotalMilliseconds);
                assemblies[name] = (doc.RootElement.GetProperty("assemblies").GetInt32(),
                    doc.RootElement.GetProperty("assembly_names").GetString()!);
                Console.Error.WriteLine($"  {command} run {r + 1}/{runs}: {inProcess[name][^1]:0}"
                    + $" ms after process start (parent saw {wall[name][^1]:0}"
                    + $" ms), {assemblies[name].Count} assemblies");
            }
        foreach ((string name, _) in contenders)
            BenchUtil.Result("coldstart", name, new Dictionary<string, object?>
            {
                ["runs"] = runs,
                ["ms_median"] = Math.Round(BenchUtil.Median(inProcess[name]), 0),
                ["ms_min"] = Math.Round(inProcess[name].Min(), 0),
                ["ms_max"] = Math.Round(inProcess[name].Max(), 0),
                ["parent_wall_ms_median"] = Math.Round(BenchUtil.Median(wall[name]), 0),
                ["assemblies"] = assemblies[name].Count,
                ["assembly_names"] = assemblies[name].Names,
            });
        // Postfix delivers these to bench@<domain>; empty the Maildir again.
        var env = BenchUtil.ReadEnv(envPath);
        string dir = Path.Combine(env["MAILDIR_BASE"], env["DOMAIN"]);
        await Task.Delay(1000);
        foreach (string sub in new[] { "new", "cur", "tmp" })
            if (Directory.Exists(Path.Combine(dir, sub)))
                foreach (string f in Directory.EnumerateFiles(Path.Combine(dir, sub))) File.Delete(f);
        return 0;
    }

    /// <summary>The MailKit child: the same steps with MailKit/MimeKit; nothing of the engine is loaded.</summary>
    public static async Task<int> MailKitChildAsync(Options o)
    {
        Dictionary<string, string> env = BenchUtil.ReadEnv(o.Require("env"));
        string to = "bench@" + env["DOMAIN"];
        using MailKit.Net.Smtp.SmtpClient client = await MailKitContender.ConnectAsync(env["HOST"],
            int.Parse(env["SUBMISSION_PORT"], CultureInfo.InvariantCulture), env["CA_CERT"], env["USER"], env["PASSWORD"]);
        string reply = await client.SendAsync(MailKitContender.Text(env["USER"], to, 0, "cold start\r\n"));
        DateTime accepted = DateTime.Now;
        double ms = (accepted - Process.GetCurrentProcess().StartTime).TotalMilliseconds;
        var loaded = AppDomain.CurrentDomain.GetAssemblies();
        await client.DisconnectAsync(true);
        BenchUtil.Result("first-send", "mailkit", new Dictionary<string, object?>
        {
            ["ms_since_process_start"] = ms,
            ["reply"] = reply,
            ["assemblies"] = loaded.Length,
            ["assembly_names"] = string.Join(", ", loaded.Select(a => a.GetName().Name).OrderBy(n => n, StringComparer.Ordinal)),
        });
        return 0;
    }

    public static async Task<int> ChildAsync(Options o)
    {
        Dictionary<string, string> env = BenchUtil.ReadEnv(o.Require("env"));
        string to = "bench@" + env["DOMAIN"];
        using var client = new SmtpClient();
        await client.ConnectAsync(env["HOST"], int.Parse(env["SUBMISSION_PORT"], CultureInfo.InvariantCulture),
            Messages.Options(env["CA_CERT"]));
        await client.AuthenticateAsync(Messages.Password(env["USER"], env["PASSWORD"]), SmtpAuthMechanism.Plain);
        MimeMessage m = Messages.Text(env["USER"], to, 0, "cold start\r\n");
        SmtpSendResult result = await client.SendAsync(Messages.Envelope(m), m);
        DateTime accepted = DateTime.Now;
        double ms = (accepted - Process.GetCurrentProcess().StartTime).TotalMilliseconds;
        var loaded = AppDomain.CurrentDomain.GetAssemblies();
        await client.QuitAsync();
        BenchUtil.Result("first-send", "engine", new Dictionary<string, object?>
        {
            ["ms_since_process_start"] = ms,
            ["reply"] = result.FinalReply.Code,
            ["assemblies"] = loaded.Length,
            ["assembly_names"] = string.Join(", ", loaded.Select(a => a.GetName().Name).OrderBy(n => n, StringComparer.Ordinal)),
        });
        return 0;
    }
}
