using System.CommandLine;

namespace M365SmtpTools.Cli.Binding;

/// <summary>What a converter may use besides its option's value: the whole parse result, the environment, stdin.</summary>
internal sealed class BindContext
{
    private readonly Func<string, string?> _environment;
    private readonly TextReader _stdin;
    private string? _stdinLine;

    /// <summary>Creates the context.</summary>
    public BindContext(ParseResult parseResult, Func<string, string?> environment, TextReader stdin, SecretRedactor secrets)
    {
        ParseResult = parseResult;
        _environment = environment;
        _stdin = stdin;
        Secrets = secrets;
    }

    /// <summary>The parsed command line.</summary>
    public ParseResult ParseResult { get; }

    /// <summary>Where secrets read by converters are registered for redaction.</summary>
    public SecretRedactor Secrets { get; }

    /// <summary>An environment variable's value, or null.</summary>
    public string? GetEnvironmentVariable(string name) => _environment(name);

    /// <summary>
    /// A secret from the environment variable named by <paramref name="option"/>'s value: fails naming the option when
    /// the variable is unset or empty. The value is registered for redaction.
    /// </summary>
    public string SecretFromEnvironment(string option, string variable)
    {
        if (string.IsNullOrWhiteSpace(variable))
            throw new CliUsageException(option, "give the NAME of an environment variable that holds the secret (the secret itself never " +
                "goes on the command line).");
        if (SecretRedactor.LooksLikeSecret(variable))
        {
            // A token pasted where the variable's name goes: never echo it (and mask it in anything else printed).
            Secrets.Add(variable);
            throw new CliUsageException(option, "the value looks like a token or secret, not the NAME of an environment variable, so it " +
                "isn't shown; put the secret in an environment variable and give that variable's name.");
        }
        string? value = _environment(variable);
        if (string.IsNullOrEmpty(value))
            throw new CliUsageException(option, $"the environment variable '{variable}' is not set or is empty.");
        Secrets.Add(value);
        return value;
    }

    /// <summary>The first line of stdin (without the line break), read once; fails naming the option when stdin is empty.</summary>
    public string SecretFromStdin(string option)
    {
        if (_stdinLine == null)
        {
            string? line = _stdin.ReadLine();
            if (string.IsNullOrEmpty(line))
                throw new CliUsageException(option, "nothing was read from stdin; pipe the secret in, e.g. printf '%s\\n' \"$PASSWORD\" " +
                    "| m365smtp ... " + option + ".");
            _stdinLine = line;
            Secrets.Add(line);
        }
        return _stdinLine;
    }
}
