using System.Diagnostics;
using System.Globalization;
using M365SmtpTools.Engine.Auth;
using M365SmtpTools.Engine.Exchange;
using M365SmtpTools.Engine.Operations;
using M365SmtpTools.Engine.Tests.Infrastructure;

namespace M365SmtpTools.Bench;

/// <summary>
/// Send-M365Mail -Method Graph against the loopback Graph double (in this, the parent, process): 200 messages with a
/// 200 KB attachment (4 concurrent requests, the Graph limit per mailbox; the same messages as the batch bench's
/// attachment run over SMTP), and one 100 MB attachment through an upload session with the sender's peak memory
/// (VmHWM) measured in its own child process.
/// </summary>
public static class GraphBench
{
    public static async Task<int> RunAsync(Options o)
    {
        int count = o.Int("count", 200), attachKb = o.Int("attach-kb", 200), sizeMb = o.Int("size-mb", 100), runs = o.Int("repeat", 3);
        string work = Path.GetFullPath(o.Get("work") ?? Path.Combine(Path.GetTempPath(), "m365smtp-bench"));
        Directory.CreateDirectory(work);
        string small = Messages.EnsureRandomFile(Path.Combine(work, $"attach-{attachKb}k.bin"), attachKb * 1024L);
        string large = Messages.EnsureRandomFile(Path.Combine(work, $"attach-{sizeMb}m.bin"), sizeMb * 1024L * 1024L);
        using var graph = new GraphDouble();
        foreach ((string name, string[] args) in new[]
        {
            ("graph-batch", new[] { "--url", graph.BaseUrl, "--file", small, "--count", count.ToString(CultureInfo.InvariantCulture) }),
            ("graph-large", new[] { "--url", graph.BaseUrl, "--file", large, "--count", "1" }),
        })
        {
            var rates = new List<double>();
            var peaks = new List<double>();
            for (int r = 0; r < runs; r++)
            {
                (List<string> results, _) = await BenchUtil.RunChildAsync("graph-send", args);
                using var doc = System.Text.Json.JsonDocument.Parse(results.Single());
                var e = doc.RootElement;
                if (e.GetProperty("sent").GetInt32() != e.GetProperty("count").GetInt32())
                    throw new InvalidOperationException($"{name}: only {e.GetProperty("sent").GetInt32()}"
                        + $" of {e.GetProperty("count").GetInt32()} sent");
                rates.Add(name == "graph-batch" ? e.GetProperty("messages_per_s").GetDouble() : e.GetProperty("mb_per_s").GetDouble());
                peaks.Add(e.GetProperty("peak_above_warm_mb").GetDouble());
                Console.Error.WriteLine($"  {name,-12} run {r + 1}/{runs}: {rates[^1]:0.0}"
                    + $" {(name == "graph-batch" ? "msg/s" : "MB/s")}, peak {peaks[^1]:0.0} MB above warmed-up");
            }
            BenchUtil.Result("graph", name, new Dictionary<string, object?>
            {
                ["messages"] = name == "graph-batch" ? count : 1,
                ["attachment_kb"] = name == "graph-batch" ? attachKb : sizeMb * 1024,
                ["runs"] = runs,
                [name == "graph-batch" ? "messages_per_s_median" : "mb_per_s_median"] = Math.Round(BenchUtil.Median(rates), 1),
                ["peak_above_warm_mb_max"] = Math.Round(peaks.Max(), 1),
                ["throttled_429"] = graph.Requests.Count(q => q.Status == 429),
                ["max_concurrent_per_mailbox"] = graph.MaxConcurrentPerMailbox,
            });
        }
        return 0;
    }

    /// <summary>Child: one warm-up message, then the measured batch (or the one large message), through SendMailOperation.</summary>
    public static async Task<int> ChildAsync(Options o)
    {
        string url = o.Require("url"), file = o.Require("file");
        int count = o.Int("count", 200);
        SendMailRequest Request() => new()
        {
            Method = SendMethod.Graph, GraphEndpoint = url, SkipCertificateValidation = true,
            AccessToken = SecretText.ToSecureString(GraphDouble.Token()), UserName = "alice@contoso.test",
            Message = new() { From = "alice@contoso.test", Body = "The file is attached." }, MaxConnections = 4,
        };
        var host = new QuietHost();
        SendMailRequest warm = Request();
        warm.Message.To = new[] { "bob@contoso.test" };
        warm.Message.Subject = "warm-up";
        await new SendMailOperation().RunForResultAsync(warm, host);

        GC.Collect();
        BenchUtil.ResetPeak();
        long warmKb = BenchUtil.ProcStatusKb("VmRSS");
        var specs = Enumerable.Range(1, count)
            .Select(i => new MailMessageSpec { To = new[] { $"user{i}@contoso.test" }, Subject = $"Graph bench {i}",
                Attachment = new[] { file } })
            .ToList();
        int sent = 0;
        var sw = Stopwatch.StartNew();
        SendMailRequest batch = Request();
        batch.Messages = specs;
        await new SendMailOperation().RunAsync(batch,
            new OperationHost<SendMailResult>(host, r => { if (r.Status == SendMailStatus.Sent) sent++; }, e => throw e), default);
        double seconds = sw.Elapsed.TotalSeconds;
        long peakKb = BenchUtil.ProcStatusKb("VmHWM");
        long bytes = new FileInfo(file).Length * count;
        BenchUtil.Result("graph-send", "engine", new Dictionary<string, object?>
        {
            ["count"] = count,
            ["sent"] = sent,
            ["seconds"] = seconds,
            ["messages_per_s"] = count / seconds,
            ["mb_per_s"] = bytes / 1048576.0 / seconds,
            ["peak_above_warm_mb"] = (peakKb - warmKb) / 1024.0,
        });
        return 0;
    }

    private sealed class QuietHost : IOperationHost
    {
        public void WriteVerbose(string message) { }
        public void WriteWarning(string message) { }
        public void WriteInformation(string message, params string[] tags) { }
        public void WriteProgress(OperationProgress progress) { }
        public bool ShouldProcess(string target, string action) => true;
        public bool IsInteractive => false;
    }
}
