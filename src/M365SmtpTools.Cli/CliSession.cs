using M365SmtpTools.Cli.Binding;
using M365SmtpTools.Cli.Output;
using M365SmtpTools.Engine;
using M365SmtpTools.Engine.Operations;

namespace M365SmtpTools.Cli;

/// <summary>One run of a command: where results, diagnostics and errors go.</summary>
internal sealed class CliSession
{
    /// <summary>Creates the session.</summary>
    public CliSession(ConsoleHost host, CliOutput output, IRequestBinding binding, System.CommandLine.ParseResult parseResult)
    {
        ParseResult = parseResult;
        Host = host;
        Output = output;
        Binding = binding;
    }

    /// <summary>The parsed command line (for command-line-only options such as --batch).</summary>
    public System.CommandLine.ParseResult ParseResult { get; }

    /// <summary>The engine's host (stderr).</summary>
    public ConsoleHost Host { get; }

    /// <summary>Results (stdout).</summary>
    public CliOutput Output { get; }

    /// <summary>The command's mapping, used to name options in error messages.</summary>
    public IRequestBinding Binding { get; }

    /// <summary>
    /// The one way every command runs its engine operation: each result goes to <paramref name="onResult"/> as soon as
    /// it is written, each per-item error to stderr as one line. Returns the first per-item error's exit code, or null
    /// when there was none; what the operation throws goes up to <see cref="CliApp"/>, which reports it the same way.
    /// </summary>
    public async Task<int?> RunAsync<TRequest, TResult>(IOperation<TRequest, TResult> operation, TRequest request, Action<TResult> onResult,
        CancellationToken cancellationToken)
    {
        int? exitCode = null;
        var host = new OperationHost<TResult>(Host, onResult, error =>
        {
            int code = ReportError(error);
            exitCode ??= code;
        });
        await operation.RunAsync(request, host, cancellationToken).ConfigureAwait(false);
        return exitCode;
    }

    /// <summary>Runs a diagnostic operation, which writes one report: prints it (JSON, or its text) and returns it.</summary>
    public async Task<TReport> RunReportAsync<TRequest, TReport>(IOperation<TRequest, TReport> operation, TRequest request,
        Func<TReport, string> toText, CancellationToken cancellationToken) where TReport : class
    {
        TReport? report = null;
        await RunAsync(operation, request, r =>
        {
            report = r;
            if (Output.Json) Output.WriteJson(r);
            else Output.WriteLine(toText(r).TrimEnd());
        }, cancellationToken).ConfigureAwait(false);
        return report!;
    }

    /// <summary>Writes an engine failure to stderr as one line and returns its exit code.</summary>
    public int ReportError(M365SmtpException error)
    {
        Host.Line(FormatError(error, Binding));
        return ExitCodes.For(error);
    }

    /// <summary>
    /// One line: <c>m365smtp: error ErrorId (target): message Fix: recommended action</c>; PowerShell parameter names
    /// are rewritten to the command's option names; line breaks become spaces; never a stack trace.
    /// </summary>
    public static string FormatError(M365SmtpException error, IRequestBinding? binding)
    {
        string target = error.TargetObject switch
        {
            null => "",
            string s when binding?.DisplayNameFor(s) is string option => $" ({option})",
            object o => $" ({o})",
        };
        string text = $"m365smtp: error {error.ErrorId}{target}: {error.Message}";
        if (!string.IsNullOrWhiteSpace(error.RecommendedAction)) text += " Fix: " + error.RecommendedAction;
        if (binding != null) text = binding.TranslateParameterNames(text);
        return OneLine(text);
    }

    /// <summary>The text with line breaks and runs of spaces collapsed.</summary>
    public static string OneLine(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"\s*[\r\n]+\s*", " ");
}
