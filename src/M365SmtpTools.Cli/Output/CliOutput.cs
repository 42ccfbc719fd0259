using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using M365SmtpTools.Cli.Binding;

namespace M365SmtpTools.Cli.Output;

/// <summary>
/// Results on stdout: a human table (suppressed by --quiet), or with --json one JSON object per line (JSON lines:
/// camelCase property names, enums as strings, nulls kept so every line of a kind has the same keys).
/// </summary>
internal sealed class CliOutput
{
    /// <summary>The serializer settings of --json.</summary>
    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter() },
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = false,
    };

    private readonly TextWriter _stdout;
    private readonly SecretRedactor _secrets;
    private readonly object _gate = new();

    /// <summary>Creates the output.</summary>
    public CliOutput(TextWriter stdout, SecretRedactor secrets, bool json, bool quiet)
    {
        _stdout = stdout;
        _secrets = secrets;
        Json = json;
        Quiet = quiet;
    }

    /// <summary>--json was given.</summary>
    public bool Json { get; }

    /// <summary>--quiet was given: no human output (JSON lines, when asked for, are still written).</summary>
    public bool Quiet { get; }

    /// <summary>True when human output should be written.</summary>
    public bool Human => !Json && !Quiet;

    /// <summary>Writes one JSON line.</summary>
    public void WriteJson<T>(T value)
    {
        string line = JsonSerializer.Serialize(value, JsonOptions);
        lock (_gate)
        {
            _stdout.WriteLine(_secrets.Redact(line));
            _stdout.Flush();
        }
    }

    /// <summary>Writes a line of human output (nothing with --quiet or --json).</summary>
    public void WriteLine(string text = "")
    {
        if (!Human) return;
        lock (_gate) _stdout.WriteLine(_secrets.Redact(text));
    }

    /// <summary>Writes a table of human output (nothing with --quiet or --json).</summary>
    public void WriteTable(TextTable table)
    {
        if (!Human) return;
        lock (_gate)
        {
            foreach (string line in table.Render()) _stdout.WriteLine(_secrets.Redact(line));
            _stdout.Flush();
        }
    }
}
