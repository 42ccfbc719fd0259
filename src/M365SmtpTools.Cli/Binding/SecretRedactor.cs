namespace M365SmtpTools.Cli.Binding;

/// <summary>
/// Every secret the tool read (from an environment variable or stdin) is registered here, and every line the tool
/// writes (stdout, stderr) passes through <see cref="Redact"/>. The engine already keeps secrets out of its messages;
/// this is the second guard, so a secret can't reach the terminal or a log even through an engine bug.
/// </summary>
internal sealed class SecretRedactor
{
    private readonly List<string> _secrets = new();
    private readonly object _gate = new();

    /// <summary>Registers a secret (values shorter than 4 characters are not registered: they would mask ordinary text).</summary>
    public void Add(string? secret)
    {
        if (string.IsNullOrEmpty(secret) || secret.Length < 4) return;
        lock (_gate) { if (!_secrets.Contains(secret)) _secrets.Add(secret); }
    }

    /// <summary>The text with every registered secret replaced by <c>***</c>.</summary>
    public string Redact(string text)
    {
        lock (_gate)
        {
            foreach (string s in _secrets.OrderByDescending(s => s.Length))
                text = text.Replace(s, "***", StringComparison.Ordinal);
        }
        return text;
    }
}
