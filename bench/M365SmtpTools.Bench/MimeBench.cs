using System.Runtime.CompilerServices;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using M365SmtpTools.Engine.Mime;

namespace M365SmtpTools.Bench;

/// <summary>
/// The MIME encoders over one buffer, against the BCL. Base64 input is random bytes (attachments); quoted-printable
/// input is mostly-ASCII text with some UTF-8 (what text bodies are). The engine encoders stream in the 64 KB
/// chunks MimeMessage feeds them.
/// </summary>
[MemoryDiagnoser]
public class MimeEncoderBenchmarks
{
    private const int Chunk = 64 * 1024;
    private byte[] _random = Array.Empty<byte>();
    private byte[] _text = Array.Empty<byte>();
    private byte[] _out = Array.Empty<byte>();
    private MemoryStream _qpOut = new();

    /// <summary>Input size in bytes (set by the runner).</summary>
    public static int Size { get; set; } = 1024 * 1024;

    [GlobalSetup]
    public void Setup()
    {
        _random = new byte[Size];
        new Random(42).NextBytes(_random);
        var sb = new StringBuilder();
        var rng = new Random(7);
        while (sb.Length < Size)
        {
            sb.Append("Invoice ").Append(rng.Next(100000)).Append(" for Zoë Müller: total = 1 234,56 € (due ")
                .Append(rng.Next(1, 28)).Append(" March).");
            sb.Append(rng.Next(4) == 0 ? "\r\n" : " ");
        }
        _text = Encoding.UTF8.GetBytes(sb.ToString());
        Array.Resize(ref _text, Size);
        _out = new byte[Base64LineEncoder.MaxOutput(Chunk)];
        _qpOut = new MemoryStream(Size * 2);
    }

    [Benchmark(Baseline = true, Description = "Convert.ToBase64String")]
    public int BclBase64() => Convert.ToBase64String(_random).Length;

    [Benchmark(Description = "Convert.ToBase64String(InsertLineBreaks)")]
    public int BclBase64Lines() => Convert.ToBase64String(_random, Base64FormattingOptions.InsertLineBreaks).Length;

    [Benchmark(Description = "Base64LineEncoder (64 KB chunks)")]
    public long EngineBase64()
    {
        var e = new Base64LineEncoder();
        long total = 0;
        for (int off = 0; off < _random.Length; off += Chunk)
            total += e.Encode(_random, off, Math.Min(Chunk, _random.Length - off), _out);
        return total + e.Flush(_out);
    }

    [Benchmark(Description = "QuotedPrintableEncoder (text)")]
    public long EngineQuotedPrintable()
    {
        _qpOut.SetLength(0);
        var e = new QuotedPrintableEncoder();
        for (int off = 0; off < _text.Length; off += Chunk)
            e.Encode(_text, off, Math.Min(Chunk, _text.Length - off), _qpOut);
        e.Flush(_qpOut);
        return _qpOut.Length;
    }

    [Benchmark(Description = "Convert.ToBase64String (text)")]
    public int BclBase64Text() => Convert.ToBase64String(_text).Length;
}

public static class MimeBenchRunner
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static int Run(Options o)
    {
        MimeEncoderBenchmarks.Size = o.Int("size-kb", 1024) * 1024;
        IConfig config = DefaultConfig.Instance
            .AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance).WithId("ShortRun-InProcess"))
            .WithOptions(ConfigOptions.DisableOptimizationsValidator | ConfigOptions.JoinSummary)
            .WithArtifactsPath(Path.Combine(Path.GetTempPath(), "m365smtp-bench", "BenchmarkDotNet.Artifacts"));
        Summary summary = BenchmarkRunner.Run<MimeEncoderBenchmarks>(config);
        foreach (BenchmarkReport report in summary.Reports)
        {
            if (report.ResultStatistics == null) continue;
            double ns = report.ResultStatistics.Mean;
            BenchUtil.Result("mime", report.BenchmarkCase.Descriptor.WorkloadMethodDisplayInfo, new Dictionary<string, object?>
            {
                ["input_bytes"] = MimeEncoderBenchmarks.Size,
                ["mean_us"] = Math.Round(ns / 1000, 1),
                ["mb_per_s"] = Math.Round(MimeEncoderBenchmarks.Size / 1048576.0 / (ns / 1e9), 1),
                ["allocated_bytes"] = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase),
            });
        }
        return summary.HasCriticalValidationErrors ? 1 : 0;
    }
}
