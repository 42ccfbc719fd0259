using System.CommandLine;
using M365SmtpTools.Cli.Binding;

namespace M365SmtpTools.Cli.Commands;

/// <summary>A subcommand of m365smtp as the app and the tests see it, whatever its request type.</summary>
internal interface ICliCommand
{
    /// <summary>The subcommand's name (mx, send, …).</summary>
    string Name { get; }

    /// <summary>The cmdlet it mirrors (Get-M365MxEndpoint, …).</summary>
    string Cmdlet { get; }

    /// <summary>The mapping onto the engine request.</summary>
    IRequestBinding Binding { get; }

    /// <summary>Example command lines with one-line explanations, shown in --help.</summary>
    IReadOnlyList<(string CommandLine, string Explanation)> Examples { get; }

    /// <summary>Creates the System.CommandLine command, its options and its action.</summary>
    Command Build(CliApp app);
}

/// <summary>
/// A subcommand that builds a <typeparamref name="TRequest"/> from its options through one declarative
/// <see cref="RequestBinding{TRequest}"/> and runs the engine operation. Adding a command for an engine request means:
/// write the binding (one line per option), <see cref="RunAsync"/> (call the operation, write results), register it in
/// <see cref="CliApp.CreateCommands"/>.
/// </summary>
internal abstract class CliCommand<TRequest> : ICliCommand where TRequest : new()
{
    private RequestBinding<TRequest>? _binding;

    /// <inheritdoc />
    public abstract string Name { get; }

    /// <inheritdoc />
    public abstract string Cmdlet { get; }

    /// <summary>What the command does, first line of its --help.</summary>
    public abstract string Description { get; }

    /// <inheritdoc />
    public abstract IReadOnlyList<(string CommandLine, string Explanation)> Examples { get; }

    /// <summary>The mapping (created once, on first use).</summary>
    public RequestBinding<TRequest> Binding => _binding ??= CreateBinding();

    IRequestBinding ICliCommand.Binding => Binding;

    /// <summary>The mapping: options and arguments to request properties, and documented exclusions.</summary>
    protected abstract RequestBinding<TRequest> CreateBinding();

    /// <summary>Runs the operation with the bound request; returns the exit code (see <see cref="ExitCodes"/>).</summary>
    public abstract Task<int> RunAsync(TRequest request, CliSession session, CancellationToken cancellationToken);

    /// <inheritdoc />
    public Command Build(CliApp app)
    {
        var command = new Command(Name, $"{Description} (The command-line form of {Cmdlet}.)");
        Binding.AddTo(command);
        command.SetAction((parseResult, cancellationToken) => app.InvokeAsync(this, parseResult, cancellationToken));
        return command;
    }
}
