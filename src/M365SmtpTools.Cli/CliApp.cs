using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using M365SmtpTools.Cli.Binding;
using M365SmtpTools.Cli.Commands;
using M365SmtpTools.Cli.Output;
using M365SmtpTools.Engine;

namespace M365SmtpTools.Cli;

/// <summary>
/// The m365smtp application: the root command with the global options, every subcommand, the help (with examples and
/// the exit-code table), parsing errors as exit code 2, and engine failures as one line on stderr with the exit code of
/// the failing phase. Never a stack trace.
/// </summary>
internal sealed class CliApp
{
    private readonly TextWriter _stdout;
    private readonly TextWriter _stderr;
    private readonly TextReader _stdin;
    private readonly Func<string, string?> _environment;
    private readonly bool _stderrIsTerminal;
    private readonly bool _stdinIsTerminal;

    /// <summary>--json: results as JSON lines on stdout.</summary>
    public Option<bool> Json { get; } = CliOptions.Flag("--json", "Write results as JSON lines on stdout (one object per line) instead " +
        "of a table.");

    /// <summary>--quiet: no human output, warnings or information.</summary>
    public Option<bool> Quiet { get; } = CliOptions.Flag("--quiet", "Write no table, warnings or information; errors still go to stderr " +
        "and the exit code says what happened. JSON lines are still written with --json.");

    /// <summary>--verbose: the engine's verbose lines on stderr.</summary>
    public Option<bool> Verbose { get; } = CliOptions.Flag("--verbose", "Write what the engine does (DNS servers asked, token claims, " +
        "SMTP phases; secrets redacted) to stderr.");

    /// <summary>Creates the app over the given streams (the real console in <see cref="Program"/>, captured ones in tests).</summary>
    public CliApp(TextWriter stdout, TextWriter stderr, TextReader stdin, Func<string, string?> environment, bool stderrIsTerminal,
        bool stdinIsTerminal)
    {
        _stdout = stdout;
        _stderr = stderr;
        _stdin = stdin;
        _environment = environment;
        _stderrIsTerminal = stderrIsTerminal;
        _stdinIsTerminal = stdinIsTerminal;
        Json.Recursive = Quiet.Recursive = Verbose.Recursive = true;
    }

    /// <summary>Every subcommand, in help order. A new command is registered here.</summary>
    public static IReadOnlyList<ICliCommand> CreateCommands() => new ICliCommand[]
    {
        new SendCommand(),
        new TestCommand(),
        new TestGraphCommand(),
        new MxCommand(),
        new DomainCommand(),
        new RelayPlanCommand(),
        new AppAccessPlanCommand(),
        new ConnectCommand(),
    };

    /// <summary>Builds the root command with its subcommands and customized help.</summary>
    public RootCommand BuildRoot()
    {
        var root = new RootCommand(
            "m365smtp: send mail through Microsoft 365 (OAuth XOAUTH2 client submission, relay connectors, Direct Send) and diagnose " +
                "failures, "
            + "with the same engine as the M365SmtpTools PowerShell module. Secrets are never taken on the command line: give the " +
                "NAME of an "
            + "environment variable (--client-secret-env, --access-token-env, --certificate-password-env) or use --password-stdin.");
        root.Add(Json);
        root.Add(Quiet);
        root.Add(Verbose);
        var examples = new Dictionary<Command, IReadOnlyList<(string, string)>>();
        foreach (ICliCommand c in CreateCommands())
        {
            Command command = c.Build(this);
            examples[command] = c.Examples;
            root.Add(command);
        }

        HelpOption help = root.Options.OfType<HelpOption>().Single();
        if (help.Action is SynchronousCommandLineAction standard) help.Action = new HelpWithExamplesAndExitCodes(standard, examples);
        return root;
    }

    /// <summary>Parses and runs; returns the exit code.</summary>
    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken = default)
    {
        RootCommand root = BuildRoot();
        ParseResult parseResult = root.Parse(args);
        if (parseResult.Errors.Count > 0 && parseResult.Action is not HelpWithExamplesAndExitCodes)
        {
            foreach (var error in parseResult.Errors)
            {
                string message = error.Message;
                if (error.SymbolResult is System.CommandLine.Parsing.ArgumentResult { Argument: var a }
                    && message.StartsWith("Required argument missing", StringComparison.Ordinal))
                    message = $"<{a.Name}> is required: {a.Description}";
                _stderr.WriteLine("m365smtp: " + message);
            }
            string commandPath = string.Join(" ", parseResult.CommandResult.Command == root
                ? new[] { "m365smtp" }
                : new[] { "m365smtp", parseResult.CommandResult.Command.Name });
            _stderr.WriteLine($"Run '{commandPath} --help' for the options, their accepted values and the exit codes.");
            return ExitCodes.Usage;
        }
        // Signals are handled by Program (they cancel the token passed here); System.CommandLine's own handler would end
        // the process 2 s after Ctrl+C, before the operation has reported every message.
        var configuration = new InvocationConfiguration { Output = _stdout, Error = _stderr, EnableDefaultExceptionHandler = false,
            ProcessTerminationTimeout = null };
        try
        {
            return await parseResult.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _stderr.WriteLine("m365smtp: cancelled.");
            return ExitCodes.Cancelled;
        }
    }

    /// <summary>Runs one command: binds its request, runs it, turns failures into a line on stderr and an exit code.</summary>
    public async Task<int> InvokeAsync<TRequest>(CliCommand<TRequest> command, ParseResult parseResult,
        CancellationToken cancellationToken) where TRequest : new()
    {
        var secrets = new SecretRedactor();
        bool quiet = parseResult.GetValue(Quiet);
        bool deviceCode = parseResult.Tokens.Any(t => t.Value == "--device-code");
        var host = new ConsoleHost(_stderr, secrets, parseResult.GetValue(Verbose), quiet, _stderrIsTerminal,
            interactive: deviceCode || (_stderrIsTerminal && _stdinIsTerminal));
        host.TranslateParameterNames = command.Binding.TranslateParameterNames;
        var session = new CliSession(host, new CliOutput(_stdout, secrets, parseResult.GetValue(Json), quiet), command.Binding,
            parseResult);
        try
        {
            TRequest request = command.Binding.Bind(new BindContext(parseResult, _environment, _stdin, secrets));
            return await command.RunAsync(request, session, cancellationToken).ConfigureAwait(false);
        }
        catch (CliUsageException e)
        {
            host.Line("m365smtp: " + e.Message);
            host.Line($"Run 'm365smtp {command.Name} --help' for the options and their accepted values.");
            return ExitCodes.Usage;
        }
        catch (M365SmtpException e)
        {
            return session.ReportError(e);
        }
        catch (OperationCanceledException)
        {
            host.Line("m365smtp: cancelled.");
            return ExitCodes.Cancelled;
        }
        catch (Exception e)
        {
            host.Line(CliSession.OneLine($"m365smtp: unexpected error ({e.GetType().Name}): {e.Message}"));
            return ExitCodes.Other;
        }
        finally
        {
            _stdout.Flush();
            _stderr.Flush();
        }
    }

    /// <summary>The standard help, then the command's examples and the exit-code table.</summary>
    private sealed class HelpWithExamplesAndExitCodes : SynchronousCommandLineAction
    {
        private readonly SynchronousCommandLineAction _standard;
        private readonly Dictionary<Command, IReadOnlyList<(string CommandLine, string Explanation)>> _examples;

        public HelpWithExamplesAndExitCodes(SynchronousCommandLineAction standard,
            Dictionary<Command, IReadOnlyList<(string, string)>> examples)
        {
            _standard = standard;
            _examples = examples;
        }

        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            int result = _standard.Invoke(parseResult);
            TextWriter output = parseResult.InvocationConfiguration.Output;
            if (_examples.TryGetValue(parseResult.CommandResult.Command, out var list) && list.Count > 0)
            {
                output.WriteLine("Examples:");
                foreach (var (commandLine, explanation) in list)
                {
                    output.WriteLine("  " + commandLine);
                    output.WriteLine("      " + explanation);
                }
                output.WriteLine();
            }
            output.Write(ExitCodes.HelpText());
            return result;
        }
    }
}
