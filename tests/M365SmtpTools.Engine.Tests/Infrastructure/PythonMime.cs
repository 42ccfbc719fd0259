using System.Text.Json;
using System.Text.Json.Serialization;

namespace M365SmtpTools.Engine.Tests.Infrastructure;

/// <summary>
/// The independent MIME reader of the tests: Python's <c>email</c> package (policy=default) through
/// Infrastructure/python_mime.py. <see cref="ParseMessage(M365SmtpTools.Engine.Mime.MimeMessage, string)"/> and
/// <see cref="DecodeHeaders"/> check what the MIME writer produced (line lengths, encodings, decoded headers);
/// <see cref="ParseFile"/> reads a delivered message as a tree (<see cref="ParsedMessage"/>) for the interop tests.
/// Skips the calling test when no python3 is installed.
/// </summary>
public static class PythonMime
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        PropertyNameCaseInsensitive = true,
    };

    /// <summary>The script.</summary>
    public static string ScriptPath =>
        Path.Combine(TestPaths.RepoRoot, "tests", "M365SmtpTools.Engine.Tests", "Infrastructure", "python_mime.py");

    /// <summary>
    /// python3 on PATH, else Debian's /usr/bin/python3, else null. The MIME round-trip and fuzz expectations are checked
    /// against the one on PATH; Debian 12's 3.11.2 reads some encoded display names of fuzzed addresses as empty.
    /// </summary>
    public static string? PythonPath => ExternalTool.Find("python3") ?? ExternalTool.Find("/usr/bin/python3");

    /// <summary>The Python to run; skips the calling test when there is none.</summary>
    public static string Require()
    {
        string? python = PythonPath;
        if (python == null) Assert.Skip("python3 is not installed (apt-get install python3): the independent MIME parser can't run.");
        return python!;
    }

    private static string RunScript(string mode, string file)
    {
        ExternalTool.Result r = ExternalTool.Run(Require(), [ScriptPath, mode, file], timeout: TimeSpan.FromSeconds(60));
        if (r.ExitCode != 0)
            throw new InvalidOperationException($"python_mime.py {mode} failed ({r.ExitCode}) on {file}: {r.StdErr}");
        return r.StdOut;
    }

    /// <summary>Runs one mode of the script on a file and returns its JSON.</summary>
    public static JsonElement Run(string mode, string file) => JsonDocument.Parse(RunScript(mode, file)).RootElement.Clone();

    /// <summary>Writes the message to a file and reads what the writer produced.</summary>
    public static JsonElement ParseMessage(M365SmtpTools.Engine.Mime.MimeMessage message, string dir) => ParseMessage(message, dir, out _);

    /// <summary>Writes the message to a file (returned, for the other parser) and reads what the writer produced.</summary>
    public static JsonElement ParseMessage(M365SmtpTools.Engine.Mime.MimeMessage message, string dir, out string file)
    {
        Require();
        file = Path.Combine(dir, Guid.NewGuid().ToString("N") + ".eml");
        using (var fs = File.Create(file)) message.WriteToAsync(fs, CancellationToken.None).GetAwaiter().GetResult();
        Assert.Equal(message.ComputeSize(), new FileInfo(file).Length);
        return Run("message", file);
    }

    /// <summary>Decodes many raw header fields in one Python call.</summary>
    public static JsonElement DecodeHeaders(IReadOnlyList<string> fields)
    {
        Require();
        string dir = TestPaths.NewTempDir();
        string file = Path.Combine(dir, "headers.json");
        File.WriteAllText(file, JsonSerializer.Serialize(fields));
        try { return Run("headers", file); }
        finally { Directory.Delete(dir, true); }
    }

    /// <summary>Reads the delivered message file at <paramref name="path"/> as a tree.</summary>
    public static ParsedMessage ParseFile(string path)
    {
        string json = RunScript("tree", path);
        ParsedMessage parsed = JsonSerializer.Deserialize<ParsedMessage>(json, Json)
            ?? throw new InvalidOperationException("python_mime.py tree printed no JSON");
        parsed.Json = json;
        return parsed;
    }

    /// <summary>Reads <paramref name="message"/> (written to a temporary file first) as a tree.</summary>
    public static ParsedMessage Parse(byte[] message)
    {
        string file = Path.Combine(TestPaths.NewTempDir(), "message.eml");
        File.WriteAllBytes(file, message);
        try { return ParseFile(file); }
        finally { try { Directory.Delete(Path.GetDirectoryName(file)!, true); } catch (IOException) { } }
    }
}

/// <summary>A message as Python's email package read it.</summary>
public sealed class ParsedMessage
{
    /// <summary>Every header in order (decoded value and raw text).</summary>
    public List<ParsedHeader> Headers { get; init; } = new();
    /// <summary>The decoded Subject.</summary>
    public string? Subject { get; init; }
    /// <summary>The Message-ID header.</summary>
    public string? MessageId { get; init; }
    /// <summary>The Date header as ISO 8601 (null when unparsable or missing).</summary>
    public string? Date { get; init; }
    /// <summary>From addresses (null when the header is missing).</summary>
    public List<ParsedAddress>? From { get; init; }
    /// <summary>To addresses.</summary>
    public List<ParsedAddress>? To { get; init; }
    /// <summary>Cc addresses.</summary>
    public List<ParsedAddress>? Cc { get; init; }
    /// <summary>Bcc addresses.</summary>
    public List<ParsedAddress>? Bcc { get; init; }
    /// <summary>Reply-To addresses.</summary>
    public List<ParsedAddress>? ReplyTo { get; init; }
    /// <summary>Sender address.</summary>
    public List<ParsedAddress>? Sender { get; init; }
    /// <summary>Message-level parser defects (empty for a well-formed message).</summary>
    public List<string> Defects { get; init; } = new();
    /// <summary>The MIME tree.</summary>
    public ParsedMimePart Root { get; init; } = new();
    /// <summary>The raw JSON the script printed (for failure messages).</summary>
    [JsonIgnore] public string Json { get; internal set; } = "";

    /// <summary>The decoded value of the first header named <paramref name="name"/>, or null.</summary>
    public string? Header(string name) =>
        Headers.FirstOrDefault(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase))?.Value;

    /// <summary>The decoded values of every header named <paramref name="name"/>.</summary>
    public IEnumerable<string?> HeaderValues(string name) =>
        Headers.Where(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value);

    /// <summary>Every part of the tree, depth first, the root first.</summary>
    public IEnumerable<ParsedMimePart> AllParts() => Root.Descendants();

    /// <summary>Every non-multipart part.</summary>
    public IEnumerable<ParsedMimePart> Leaves() => AllParts().Where(p => !p.IsMultipart);
}

/// <summary>One header.</summary>
public sealed class ParsedHeader
{
    /// <summary>The field name as written.</summary>
    public string Name { get; init; } = "";
    /// <summary>The decoded, unfolded value (null if Python could not decode it).</summary>
    public string? Value { get; init; }
    /// <summary>The value as it was in the file (folded, encoded words intact; line ends read as LF).</summary>
    public string? Raw { get; init; }
    /// <summary>Parser defects for this header.</summary>
    public List<string> Defects { get; init; } = new();
}

/// <summary>A mailbox from an address header.</summary>
public sealed class ParsedAddress
{
    /// <summary>The decoded display name ("" when none).</summary>
    public string DisplayName { get; init; } = "";
    /// <summary>local@domain.</summary>
    public string AddrSpec { get; init; } = "";
}

/// <summary>One MIME part.</summary>
public sealed class ParsedMimePart
{
    /// <summary>type/subtype, lower case.</summary>
    public string ContentType { get; init; } = "";
    /// <summary>Content-Type parameters other than the type (decoded, RFC 2231 joined).</summary>
    public Dictionary<string, string> Params { get; init; } = new();
    /// <summary>The charset parameter, lower case.</summary>
    public string? Charset { get; init; }
    /// <summary>inline, attachment or null.</summary>
    public string? Disposition { get; init; }
    /// <summary>The decoded filename (Content-Disposition filename or Content-Type name).</summary>
    public string? Filename { get; init; }
    /// <summary>The Content-ID header.</summary>
    public string? ContentId { get; init; }
    /// <summary>The Content-Transfer-Encoding, lower case.</summary>
    public string? ContentTransferEncoding { get; init; }
    /// <summary>This part's own headers.</summary>
    public List<ParsedHeader> Headers { get; init; } = new();
    /// <summary>Whether this is a multipart.</summary>
    public bool IsMultipart { get; init; }
    /// <summary>Decoded payload size (null for multiparts).</summary>
    public long? Size { get; init; }
    /// <summary>SHA-256 of the decoded payload, lower-case hex (null for multiparts).</summary>
    public string? Sha256 { get; init; }
    /// <summary>Decoded text of a text/* part.</summary>
    public string? Text { get; init; }
    /// <summary>A multipart's preamble.</summary>
    public string? Preamble { get; init; }
    /// <summary>A multipart's epilogue.</summary>
    public string? Epilogue { get; init; }
    /// <summary>Parser defects for this part.</summary>
    public List<string> Defects { get; init; } = new();
    /// <summary>Children (a message/rfc822 part has the embedded message as its only child).</summary>
    public List<ParsedMimePart> Parts { get; init; } = new();

    /// <summary>This part and everything under it, depth first.</summary>
    public IEnumerable<ParsedMimePart> Descendants()
    {
        yield return this;
        foreach (ParsedMimePart child in Parts)
            foreach (ParsedMimePart d in child.Descendants())
                yield return d;
    }
}
