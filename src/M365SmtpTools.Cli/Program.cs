namespace M365SmtpTools.Cli;

/// <summary>The entry point of m365smtp.</summary>
internal static class Program
{
    /// <summary>Runs the tool over the real console; the return value is the process exit code (see <see cref="ExitCodes"/>).</summary>
    public static Task<int> Main(string[] args)
    {
        var app = new CliApp(Console.Out, Console.Error, Console.In, Environment.GetEnvironmentVariable,
            stderrIsTerminal: !Console.IsErrorRedirected, stdinIsTerminal: !Console.IsInputRedirected);
        return app.RunAsync(args);
    }
}
