using System.Runtime.InteropServices;

namespace M365SmtpTools.Cli;

/// <summary>The entry point of m365smtp.</summary>
internal static class Program
{
    /// <summary>Runs the tool over the real console; the return value is the process exit code (see <see cref="ExitCodes"/>).</summary>
    public static async Task<int> Main(string[] args)
    {
        // Ctrl+C (SIGINT) and SIGTERM cancel the running operation instead of killing the process, so every message
        // still gets its result line (unsent ones NotAttempted, one whose end was sent Unknown) and the exit code is 130.
        // A second signal, while the first one is being handled, terminates at once.
        using var cancel = new CancellationTokenSource();
        void OnSignal(PosixSignalContext context)
        {
            if (cancel.IsCancellationRequested) return;
            context.Cancel = true;
            cancel.Cancel();
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        var app = new CliApp(Console.Out, Console.Error, Console.In, Environment.GetEnvironmentVariable,
            stderrIsTerminal: !Console.IsErrorRedirected, stdinIsTerminal: !Console.IsInputRedirected);
        return await app.RunAsync(args, cancel.Token).ConfigureAwait(false);
    }
}
