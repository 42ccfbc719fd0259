using M365SmtpTools.Engine.Auth;

namespace M365SmtpTools.Cli.Binding;

/// <summary>
/// Every secret the tool read (from an environment variable or stdin) is registered here, and every line the tool
/// writes (stdout, stderr) passes through <see cref="Redact"/>. The engine already keeps secrets out of its messages;
/// this is the second guard, so a secret can't reach the terminal or a log even through an engine bug. The secret's
/// base64 and base64url forms (also inside a longer base64 blob such as a SASL response) are masked too.
/// </summary>
internal sealed class SecretRedactor
{
    private readonly SecretForms _secrets = new();

    /// <summary>Registers a secret (values shorter than 4 characters are not registered: they would mask ordinary text).</summary>
    public void Add(string? secret) => _secrets.Add(secret);

    private static readonly System.Text.RegularExpressions.Regex Jwt =
        new(@"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    /// <summary>The text with every registered secret, in any of its forms, and anything that looks like a JWT replaced by
    /// <c>***</c>.</summary>
    public string Redact(string text) => Jwt.Replace(_secrets.Redact(text, "***"), "***");

    /// <summary>True for a value that is a JWT or a long run of base64 characters: a secret, not a name.</summary>
    public static bool LooksLikeSecret(string value)
    {
        string v = value.Trim();
        if (Jwt.IsMatch(v)) return true;
        if (System.Text.RegularExpressions.Regex.IsMatch(v, "^[A-Za-z_][A-Za-z0-9_]*$")) return false; // a variable name
        return v.Length >= 40 && v.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '/' or '=' or '-' or '_' or '.' or '~');
    }
}
