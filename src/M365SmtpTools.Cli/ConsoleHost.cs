using M365SmtpTools.Engine;
using M365SmtpTools.Cli.Binding;
using M365SmtpTools.Engine.Operations;

namespace M365SmtpTools.Cli;

/// <summary>
/// How the engine talks back in the command-line tool. Everything goes to stderr, so stdout carries only results:
/// verbose lines only with --verbose; warnings and information unless --quiet (a device-code prompt is always shown,
/// the sign-in can't go on without it); a single rewritten progress line only when stderr is a terminal. ShouldProcess
/// always answers yes: running the command is the confirmation. Every line passes through the secret redactor.
/// </summary>
internal sealed class ConsoleHost : IOperationHost
{
    private readonly TextWriter _stderr;
    private readonly SecretRedactor _secrets;
    private readonly object _gate = new();
    private int _progressWidth;

    /// <summary>Creates the host.</summary>
    public ConsoleHost(TextWriter stderr, SecretRedactor secrets, bool verbose, bool quiet, bool stderrIsTerminal, bool interactive)
    {
        _stderr = stderr;
        _secrets = secrets;
        Verbose = verbose;
        Quiet = quiet;
        StderrIsTerminal = stderrIsTerminal;
        IsInteractive = interactive;
    }

    /// <summary>
    /// Rewrites the engine's PowerShell parameter names (<c>-SmtpServer</c>) in verbose lines and warnings to the
    /// command's option names (<c>--smtp-server</c>); identity until the command's binding is known.
    /// </summary>
    public Func<string, string> TranslateParameterNames { get; set; } = text => text;

    /// <summary>--verbose was given.</summary>
    public bool Verbose { get; }

    /// <summary>--quiet was given.</summary>
    public bool Quiet { get; }

    /// <summary>stderr is a terminal (progress lines are drawn only then).</summary>
    public bool StderrIsTerminal { get; }

    /// <inheritdoc />
    public bool IsInteractive { get; }

    /// <inheritdoc />
    public void WriteVerbose(string message)
    {
        if (Verbose) Line("verbose: " + TranslateParameterNames(message));
    }

    /// <inheritdoc />
    public void WriteWarning(string message)
    {
        if (!Quiet) Line("warning: " + TranslateParameterNames(message));
    }

    /// <inheritdoc />
    public void WriteInformation(string message, params string[] tags)
    {
        if (!Quiet || tags.Contains("DeviceCode")) Line(message);
    }

    /// <inheritdoc />
    public void WriteProgress(OperationProgress progress)
    {
        if (!StderrIsTerminal || Quiet) return;
        lock (_gate)
        {
            if (progress.Completed) { ClearProgress(); return; }
            string text = progress.Activity;
            if (progress.Status.Length > 0) text += ": " + progress.Status;
            if (progress.PercentComplete >= 0) text += $" {progress.PercentComplete}%";
            if (progress.CurrentOperation != null) text += " " + progress.CurrentOperation;
            text = TerminalText.Escape(_secrets.Redact(text));
            int width = Math.Max(20, SafeWindowWidth() - 1);
            if (text.Length > width) text = text[..width];
            _stderr.Write("\r" + text.PadRight(_progressWidth));
            _stderr.Flush();
            _progressWidth = text.Length;
        }
    }

    /// <inheritdoc />
    public bool ShouldProcess(string target, string action)
    {
        WriteVerbose($"{action}: {target}");
        return true;
    }

    /// <summary>Writes one diagnostic line to stderr (clearing a progress line first), redacted.</summary>
    public void Line(string text)
    {
        lock (_gate)
        {
            ClearProgress();
            // Server replies and DNS text reach these lines: control characters (ESC, OSC, BEL, CR) are escaped.
            _stderr.WriteLine(TerminalText.Escape(_secrets.Redact(text), keepLineBreaks: true));
            _stderr.Flush();
        }
    }

    private void ClearProgress()
    {
        if (_progressWidth == 0) return;
        _stderr.Write("\r" + new string(' ', _progressWidth) + "\r");
        _progressWidth = 0;
    }

    private static int SafeWindowWidth()
    {
        try { return Console.WindowWidth > 0 ? Console.WindowWidth : 80; }
        catch (IOException) { return 80; }
    }
}
