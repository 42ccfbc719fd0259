using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using M365SmtpTools.Cli.Binding;
using M365SmtpTools.Engine;

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
        // Exceptions become their error id, kind, phase and message: System.Text.Json can't serialize an exception
        // (TargetSite), and its stack trace and inner objects are no output for scripts.
        Converters = { new JsonStringEnumConverter(), new ExceptionJsonConverterFactory() },
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
        lock (_gate) _stdout.WriteLine(TerminalText.Escape(_secrets.Redact(text), keepLineBreaks: true));
    }

    /// <summary>Writes a table of human output (nothing with --quiet or --json).</summary>
    public void WriteTable(TextTable table)
    {
        if (!Human) return;
        lock (_gate)
        {
            foreach (string line in table.Render()) _stdout.WriteLine(TerminalText.Escape(_secrets.Redact(line), keepLineBreaks: true));
            _stdout.Flush();
        }
    }
}

/// <summary>Writes any exception as <c>{"errorId","kind","phase","message"}</c>; never reads one.</summary>
internal sealed class ExceptionJsonConverterFactory : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) => typeof(Exception).IsAssignableFrom(typeToConvert);

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(Converter<>).MakeGenericType(typeToConvert))!;

    private sealed class Converter<T> : JsonConverter<T> where T : Exception
    {
        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException("Exceptions are only written.");

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
        {
            writer.WriteStartObject();
            var m = value as M365SmtpTools.Engine.M365SmtpException;
            writer.WriteString("errorId", m?.ErrorId ?? value.GetType().Name);
            writer.WriteString("kind", m?.Kind.ToString());
            writer.WriteString("phase", value is M365SmtpTools.Engine.Smtp.SmtpException se ? se.Phase.ToString() : null);
            writer.WriteString("message", value.Message);
            writer.WriteEndObject();
        }
    }
}
