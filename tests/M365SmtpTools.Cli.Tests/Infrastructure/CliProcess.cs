using System.Diagnostics;
using System.Reflection;

namespace M365SmtpTools.Cli.Tests.Infrastructure;

/// <summary>What one run of the tool produced.</summary>
public sealed record CliRun(int ExitCode, string Stdout, string Stderr, IReadOnlyList<string> Arguments, string? ObservedCommandLine)
{
    public string[] StdoutLines => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
    public string[] StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>Runs the built tool as a separate process: <c>dotnet m365smtp.dll args</c>, with chosen environment and stdin.</summary>
public static class CliProcess
{
    /// <summary>The built m365smtp.dll (stamped in at build time).</summary>
    public static string Dll { get; } =
        typeof(CliProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().First(a => a.Key == "CliDll").Value!;

    public static async Task<CliRun> RunAsync(IEnumerable<string> args, IDictionary<string, string>? environment = null,
        string? stdin = null)
    {
        Assert.True(File.Exists(Dll), $"the tool is not built: {Dll}");
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(Dll);
        foreach (string a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_NOLOGO"] = "1";
        if (environment != null) foreach (var (k, v) in environment) psi.Environment[k] = v;

        // The command line as the system shows it to other users (ps, /proc/<pid>/cmdline). Reading it from here raced
        // the child (an exited process shows an empty one), so the child reports it: the StartupHook of this assembly
        // copies /proc/self/cmdline to a file before the tool's Main runs.
        string cmdlineFile = Path.Combine(Path.GetTempPath(), $"m365smtp-cmdline-{Guid.NewGuid():N}");
        psi.Environment["DOTNET_STARTUP_HOOKS"] = typeof(CliProcess).Assembly.Location;
        psi.Environment["M365SMTP_TEST_CMDLINE_FILE"] = cmdlineFile;

        using var process = Process.Start(psi)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (stdin != null) await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"m365smtp {string.Join(' ', args)} did not finish in 90 s");
        }
        string? observed = null;
        if (File.Exists(cmdlineFile))
        {
            observed = File.ReadAllText(cmdlineFile).Replace('\0', ' ');
            File.Delete(cmdlineFile);
        }
        return new CliRun(process.ExitCode, await stdout, await stderr, psi.ArgumentList.ToList(), observed);
    }

    public static Task<CliRun> RunAsync(params string[] args) => RunAsync(args, null, null);
}
