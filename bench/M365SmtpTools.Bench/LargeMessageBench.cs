using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using M365SmtpTools.Engine.Mime;
using M365SmtpTools.Engine.Smtp;

namespace M365SmtpTools.Bench;

/// <summary>
/// One message with a 100 MB attachment, sent by a child process (so its memory is its own) into the C# sink of
/// <see cref="SmtpSink"/> (Postfix's message_size_limit is 50 MB). Compared with a child that copies the same file
/// into a raw TCP sink with no SMTP and no MIME encoding, and with MailKit/MimeKit 4.18.2 sending the same message.
/// "Bytes on the wire" is what the sink counted: every BDAT chunk of the message, or the DATA content before its
/// final ".", or every byte of the raw connection.
/// </summary>
public static class LargeMessageBench
{
    public static async Task<int> RunAsync(Options o)
    {
        int sizeMb = o.Int("size-mb", 100), runs = o.Int("repeat", 3);
        string work = Path.GetFullPath(o.Get("work") ?? Path.Combine(Path.GetTempPath(), "m365smtp-bench"));
        Directory.CreateDirectory(work);
        string file = Messages.EnsureRandomFile(Path.Combine(work, $"attach-{sizeMb}m.bin"), sizeMb * 1024L * 1024L);
        string size = sizeMb.ToString(CultureInfo.InvariantCulture);

        using (var bdatSink = new SmtpSink(chunking: true))
        using (var dataSink = new SmtpSink(chunking: false))
        using (var raw = new RawSink())
        {
            string ca = Path.Combine(work, "sink-bdat.pem"), caData = Path.Combine(work, "sink-data.pem");
            File.WriteAllText(ca, bdatSink.CertificatePem);
            File.WriteAllText(caData, dataSink.CertificatePem);
            var variants = new (string Name, string Command, string[] Args)[]
            {
                ("engine-starttls-bdat", "large-send", new[] { "--port", bdatSink.Port.ToString(CultureInfo.InvariantCulture),
                    "--ca", ca, "--file", file, "--tls", "starttls" }),
                ("engine-starttls-data", "large-send", new[] { "--port", dataSink.Port.ToString(CultureInfo.InvariantCulture),
                    "--ca", caData, "--file", file, "--tls", "starttls" }),
                ("engine-plain-bdat", "large-send", new[] { "--port", bdatSink.Port.ToString(CultureInfo.InvariantCulture),
                    "--ca", ca, "--file", file, "--tls", "none" }),
                ("mailkit-starttls-chunking", "mailkit-large-send", new[] { "--port", bdatSink.Port.ToString(CultureInfo.InvariantCulture),
                    "--ca", ca, "--file", file, "--tls", "starttls" }),
                ("mailkit-starttls-data", "mailkit-large-send", new[] { "--port", dataSink.Port.ToString(CultureInfo.InvariantCulture),
                    "--ca", caData, "--file", file, "--tls", "starttls" }),
                ("mailkit-plain-chunking", "mailkit-large-send", new[] { "--port", bdatSink.Port.ToString(CultureInfo.InvariantCulture),
                    "--ca", ca, "--file", file, "--tls", "none" }),
                ("raw-tcp-copy", "raw-send", new[] { "--port", raw.Port.ToString(CultureInfo.InvariantCulture), "--file", file }),
            };
            foreach (var v in variants)
            {
                var rates = new List<double>();
                var peaks = new List<double>();
                var warmPeaks = new List<double>();
                double idle = 0;
                long wire = 0, senderCount = -1;
                string framing = "";
                for (int r = 0; r < runs; r++)
                {
                    (List<string> results, _) = await BenchUtil.RunChildAsync(v.Command, v.Args);
                    using var doc = System.Text.Json.JsonDocument.Parse(results.Single());
                    var e = doc.RootElement;
                    rates.Add(e.GetProperty("mb_per_s").GetDouble());
                    peaks.Add(e.GetProperty("peak_above_idle_mb").GetDouble());
                    warmPeaks.Add(e.GetProperty("peak_above_warm_mb").GetDouble());
                    idle = e.GetProperty("idle_mb").GetDouble();
                    senderCount = e.TryGetProperty("wire_bytes", out var w) ? w.GetInt64() : -1;
                    SmtpSink? sink = v.Args[1] == bdatSink.Port.ToString(CultureInfo.InvariantCulture) ? bdatSink
                        : v.Args[1] == dataSink.Port.ToString(CultureInfo.InvariantCulture) ? dataSink
                        : null;
                    wire = sink?.LastMessageBytes ?? raw.LastConnectionBytes;
                    framing = sink == null ? "raw" : sink.LastMessageUsedBdat ? "BDAT" : "DATA";
                    Console.Error.WriteLine($"  {v.Name,-22} run {r + 1}/{runs}: {rates[^1]:0.0}"
                        + $" MB/s, peak {peaks[^1]:0.0} MB above idle ({warmPeaks[^1]:0.0} above warmed-up)");
                }
                BenchUtil.Result("large", v.Name, new Dictionary<string, object?>
                {
                    ["file_mb"] = sizeMb,
                    ["runs"] = runs,
                    ["mb_per_s_median"] = Math.Round(BenchUtil.Median(rates), 1),
                    ["peak_above_idle_mb_max"] = Math.Round(peaks.Max(), 1),
                    ["peak_above_warm_mb_max"] = Math.Round(warmPeaks.Max(), 1),
                    ["idle_mb"] = Math.Round(idle, 1),
                    ["wire_bytes"] = wire,
                    ["sender_counted_bytes"] = senderCount,
                    ["framing"] = framing,
                });
            }
        }
        return 0;
    }

    /// <summary>Child: connect to the sink, authenticate, send one small message (warm-up), then the large one.</summary>
    public static async Task<int> EngineChildAsync(Options o)
    {
        long idleKb = BenchUtil.ProcStatusKb("VmHWM");
        int port = int.Parse(o.Require("port"), CultureInfo.InvariantCulture);
        string file = o.Require("file");
        SmtpTlsMode mode = o.Get("tls") == "none" ? SmtpTlsMode.None : SmtpTlsMode.StartTlsRequired;
        using var client = new SmtpClient();
        await client.ConnectAsync("127.0.0.1", port, Messages.Options(o.Require("ca"), mode));
        await client.AuthenticateAsync(Messages.Password("alice@contoso.test", "sink-accepts-anything"), SmtpAuthMechanism.Plain);
        MimeMessage small = Messages.Text("alice@contoso.test", "bob@contoso.test", 0, "warm-up\r\n");
        await client.SendAsync(Messages.Envelope(small), small);

        GC.Collect();
        BenchUtil.ResetPeak();
        long warmKb = BenchUtil.ProcStatusKb("VmRSS");
        var b = new MessageBuilder { From = EmailAddress.Parse("alice@contoso.test"), Subject = "large",
            TextBody = "The file is attached.\r\n" };
        b.To.Add(EmailAddress.Parse("bob@contoso.test"));
        b.Attachments.Add(MimeAttachment.FromFile(file));
        MimeMessage m = b.Build();
        var sw = Stopwatch.StartNew();
        SmtpSendResult result = await client.SendAsync(Messages.Envelope(m), m);
        double seconds = sw.Elapsed.TotalSeconds;
        long peakKb = BenchUtil.ProcStatusKb("VmHWM");
        await client.QuitAsync();
        long fileBytes = new FileInfo(file).Length;
        BenchUtil.Result("large-send", "engine", new Dictionary<string, object?>
        {
            ["seconds"] = seconds,
            ["mb_per_s"] = fileBytes / 1048576.0 / seconds,
            ["idle_mb"] = idleKb / 1024.0,
            ["peak_mb"] = peakKb / 1024.0,
            ["peak_above_idle_mb"] = (peakKb - idleKb) / 1024.0,
            ["peak_above_warm_mb"] = (peakKb - warmKb) / 1024.0,
            ["wire_bytes"] = result.BytesSent,
            ["chunking"] = result.UsedChunking,
        });
        return 0;
    }

    /// <summary>Child: the same as <see cref="EngineChildAsync"/> with MailKit/MimeKit (attachment streamed from the file,
    /// base64).</summary>
    public static async Task<int> MailKitChildAsync(Options o)
    {
        long idleKb = BenchUtil.ProcStatusKb("VmHWM");
        int port = int.Parse(o.Require("port"), CultureInfo.InvariantCulture);
        string file = o.Require("file");
        using MailKit.Net.Smtp.SmtpClient client = await MailKitContender.ConnectAsync("127.0.0.1", port, o.Require("ca"),
            "alice@contoso.test", "sink-accepts-anything", tls: o.Get("tls") != "none");
        await client.SendAsync(MailKitContender.Text("alice@contoso.test", "bob@contoso.test", 0, "warm-up\r\n"));

        GC.Collect();
        BenchUtil.ResetPeak();
        long warmKb = BenchUtil.ProcStatusKb("VmRSS");
        MimeKit.MimeMessage m = MailKitContender.HtmlWithAttachment("alice@contoso.test", "bob@contoso.test", 0,
            "<p>The file is attached.</p>", file, "large");
        var sw = Stopwatch.StartNew();
        try { await client.SendAsync(m); }
        finally { MailKitContender.DisposeContent(m); }
        double seconds = sw.Elapsed.TotalSeconds;
        long peakKb = BenchUtil.ProcStatusKb("VmHWM");
        await client.DisconnectAsync(true);
        long fileBytes = new FileInfo(file).Length;
        BenchUtil.Result("large-send", "mailkit", new Dictionary<string, object?>
        {
            ["seconds"] = seconds,
            ["mb_per_s"] = fileBytes / 1048576.0 / seconds,
            ["idle_mb"] = idleKb / 1024.0,
            ["peak_mb"] = peakKb / 1024.0,
            ["peak_above_idle_mb"] = (peakKb - idleKb) / 1024.0,
            ["peak_above_warm_mb"] = (peakKb - warmKb) / 1024.0,
        });
        return 0;
    }

    /// <summary>Child: copy the file into a raw TCP socket (no SMTP, no encoding), close the send side, wait for the sink to
    /// close.</summary>
    public static async Task<int> RawChildAsync(Options o)
    {
        long idleKb = BenchUtil.ProcStatusKb("VmHWM");
        int port = int.Parse(o.Require("port"), CultureInfo.InvariantCulture);
        string file = o.Require("file");
        // Warm-up like the engine child: one small copy on its own connection.
        await CopyAsync(port, new MemoryStream(new byte[4096]));
        GC.Collect();
        BenchUtil.ResetPeak();
        long warmKb = BenchUtil.ProcStatusKb("VmRSS");
        var sw = Stopwatch.StartNew();
        long bytes;
        await using (var fs = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1,
            FileOptions.Asynchronous | FileOptions.SequentialScan))
            bytes = await CopyAsync(port, fs);
        double seconds = sw.Elapsed.TotalSeconds;
        long peakKb = BenchUtil.ProcStatusKb("VmHWM");
        BenchUtil.Result("raw-send", "raw", new Dictionary<string, object?>
        {
            ["seconds"] = seconds,
            ["mb_per_s"] = bytes / 1048576.0 / seconds,
            ["idle_mb"] = idleKb / 1024.0,
            ["peak_mb"] = peakKb / 1024.0,
            ["peak_above_idle_mb"] = (peakKb - idleKb) / 1024.0,
            ["peak_above_warm_mb"] = (peakKb - warmKb) / 1024.0,
            ["wire_bytes"] = bytes,
        });
        return 0;
    }

    private static async Task<long> CopyAsync(int port, Stream source)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        await using var net = new NetworkStream(socket, ownsSocket: false);
        long before = source.CanSeek ? source.Length : 0;
        await source.CopyToAsync(net, 64 * 1024);
        socket.Shutdown(SocketShutdown.Send);
        byte[] one = new byte[1];
        while (await net.ReadAsync(one) > 0) { }
        return before;
    }
}
