namespace M365SmtpTools.Cli.Binding;

/// <summary>A bad command line found while binding (after parsing): it names the option and, when it helps, the accepted
/// values. Exit code 2.</summary>
internal sealed class CliUsageException : Exception
{
    /// <summary>Creates the exception; <paramref name="option"/> is the option's name as typed on the command line (e.g.
    /// <c>--client-secret-env</c>).</summary>
    public CliUsageException(string? option, string message) : base(option == null ? message : $"{option}: {message}")
    {
        Option = option;
    }

    /// <summary>The option concerned, or null when the problem is the combination.</summary>
    public string? Option { get; }
}
