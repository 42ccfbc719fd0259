using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace M365SmtpTools.Bench;

/// <summary>
/// One executable, several subcommands. Parent commands print one line per measurement, "RESULT {json}", that
/// bench/run.sh collects and bench/report.py turns into the table of bench/RESULTS.md.
///
///   batch      --env FILE [--text-count 1000] [--attach-count 200] [--swaks-count 100] [--reconnect-count 200] [--repeat 3]
///   large      [--size-mb 100] [--work DIR]          (engine and MailKit vs raw copy into a C# sink; each sender is its own process)
///   mime       [--size-kb 1024]                      (BenchmarkDotNet, short job, in-process)
///   coldstart  --env FILE [--runs 5]                 (process start to first accepted message, engine and MailKit; child processes)
///   graph      [--count 200] [--attach-kb 200] [--size-mb 100] [--repeat 3]  (Send-M365Mail -Method Graph to the loopback Graph double)
///
/// Child modes (started by the parents): large-send, mailkit-large-send, raw-send, first-send, mailkit-first-send, graph-send.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 0)
        {
            Console.Error.WriteLine("usage: M365SmtpTools.Bench batch|large|mime|coldstart [options]  (see Program.cs)");
            return 2;
        }
        var o = Options.Parse(args.Skip(1));
        switch (args[0])
        {
            case "batch": return await BatchBench.RunAsync(o);
            case "large": return await LargeMessageBench.RunAsync(o);
            case "large-send": return await LargeMessageBench.EngineChildAsync(o);
            case "raw-send": return await LargeMessageBench.RawChildAsync(o);
            case "mailkit-large-send": return await LargeMessageBench.MailKitChildAsync(o);
            case "mime": return MimeBenchRunner.Run(o);
            case "coldstart": return await ColdStartBench.RunAsync(o);
            case "probe": return await Probe.RunAsync(o);
            case "first-send": return await ColdStartBench.ChildAsync(o);
            case "mailkit-first-send": return await ColdStartBench.MailKitChildAsync(o);
            case "graph": return await GraphBench.RunAsync(o);
            case "graph-send": return await GraphBench.ChildAsync(o);
            default:
                Console.Error.WriteLine("unknown command " + args[0]);
                return 2;
        }
    }
}

/// <summary>--name value pairs.</summary>
public sealed class Options
{
    private readonly Dictionary<string, string> _values = new(StringComparer.OrdinalIgnoreCase);

    public static Options Parse(IEnumerable<string> args)
    {
        var o = new Options();
        string? key = null;
        foreach (string a in args)
        {
            if (a.StartsWith("--", StringComparison.Ordinal))
            {
                if (key != null) o._values[key] = "true";
                key = a[2..];
            }
            else if (key != null)
            {
                o._values[key] = a;
                key = null;
            }
        }
        if (key != null) o._values[key] = "true";
        return o;
    }

    public string? Get(string name) => _values.TryGetValue(name, out string? v) ? v : null;
    public string Require(string name) => Get(name) ?? throw new ArgumentException("--" + name + " is required");
    public int Int(string name, int fallback) => Get(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
    public bool Flag(string name) => Get(name) == "true";
}

/// <summary>Helpers shared by the benchmarks.</summary>
public static class BenchUtil
{
    /// <summary>Prints one measurement for report.py.</summary>
    public static void Result(string bench, string name, IDictionary<string, object?> values)
    {
        var all = new Dictionary<string, object?> { ["bench"] = bench, ["name"] = name };
        foreach (var kv in values) all[kv.Key] = kv.Value;
        Console.WriteLine("RESULT " + System.Text.Json.JsonSerializer.Serialize(all));
    }

    /// <summary>KEY=VALUE lines of an interop env file.</summary>
    public static Dictionary<string, string> ReadEnv(string path) =>
        File.ReadAllLines(path).Where(l => l.Contains('='))
            .ToDictionary(l => l[..l.IndexOf('=')], l => l[(l.IndexOf('=') + 1)..]);

    /// <summary>A value of /proc/self/status in kB (VmHWM, VmRSS), or -1 off Linux.</summary>
    public static long ProcStatusKb(string key)
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith(key + ":", StringComparison.Ordinal))
                    return long.Parse(line[(key.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (IOException) { }
        return -1;
    }

    /// <summary>Resets VmHWM to the current RSS (Linux 4.0+: write 5 to clear_refs).</summary>
    public static bool ResetPeak()
    {
        try { File.WriteAllText("/proc/self/clear_refs", "5"); return true; }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException) { return false; }
    }

    /// <summary>Runs a child process of this executable and returns its RESULT lines (throws with its stderr on failure).</summary>
    public static async Task<(List<string> Results, TimeSpan Wall)> RunChildAsync(string command, params string[] args)
    {
        var psi = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true,
            UseShellExecute = false };
        // When started as "dotnet M365SmtpTools.Bench.dll", re-run the same way.
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet") psi.ArgumentList.Add(typeof(Program).Assembly.Location);
        psi.ArgumentList.Add(command);
        foreach (string a in args) psi.ArgumentList.Add(a);
        var sw = Stopwatch.StartNew();
        using Process p = Process.Start(psi)!;
        Task<string> err = p.StandardError.ReadToEndAsync();
        var results = new List<string>();
        string? line;
        TimeSpan firstResult = TimeSpan.Zero;
        while ((line = await p.StandardOutput.ReadLineAsync()) != null)
        {
            if (line.StartsWith("RESULT ", StringComparison.Ordinal))
            {
                if (results.Count == 0) firstResult = sw.Elapsed;
                results.Add(line[7..]);
            }
            else Console.Error.WriteLine("  [" + command + "] " + line);
        }
        await p.WaitForExitAsync();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{command} exited with {p.ExitCode}: {await err}");
        return (results, firstResult);
    }

    public static double Median(IEnumerable<double> values)
    {
        double[] v = values.OrderBy(x => x).ToArray();
        return v.Length == 0 ? double.NaN : v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }
}
