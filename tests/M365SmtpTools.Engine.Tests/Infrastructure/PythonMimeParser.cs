using System.Text.Json;
using System.Text.Json.Serialization;

namespace M365SmtpTools.Engine.Tests.Infrastructure;

/// <summary>
/// An independent reading of a message: Python's <c>email</c> package (policy=default) through
/// tests/M365SmtpTools.Engine.Tests/Interop/parse_message.py. Used by the interop tests to check what a real server
/// delivered. Skips the calling test when no python3 is installed.
/// </summary>
public static class PythonMimeParser
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        PropertyNameCaseInsensitive = true,
    };

    /// <summary>The parser script.</summary>
    public static string ScriptPath => Path.Combine(TestPaths.RepoRoot, "tests", "M365SmtpTools.Engine.Tests", "Interop", "parse_message.py");

    /// <summary>Debian's /usr/bin/python3 (its email package is the reference), else python3 on PATH, else null.</summary>
    public static string? PythonPath => ExternalTool.Find("/usr/bin/python3") ?? ExternalTool.Find("python3");

    /// <summary>Parses the message file at <paramref name="path"/>.</summary>
    public static ParsedMessage ParseFile(string path)
    {
        string? python = PythonPath;
        if (python == null) Assert.Skip("python3 is not installed (apt-get install python3): the independent MIME parser can't run.");
        ExternalTool.Result r = ExternalTool.Run(python!, [ScriptPath, path], timeout: TimeSpan.FromSeconds(60));
        if (r.ExitCode != 0)
            throw new InvalidOperationException($"parse_message.py failed ({r.ExitCode}) on {path}: {r.StdErr}");
        ParsedMessage parsed = JsonSerializer.Deserialize<ParsedMessage>(r.StdOut, Json)
            ?? throw new InvalidOperationException("parse_message.py printed no JSON");
        parsed.Json = r.StdOut;
        return parsed;
    }

    /// <summary>Parses <paramref name="message"/> (written to a temporary file first).</summary>
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
    public string? Header(string name) => Headers.FirstOrDefault(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase))?.Value;

    /// <summary>The decoded values of every header named <paramref name="name"/>.</summary>
    public IEnumerable<string?> HeaderValues(string name) => Headers.Where(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value);

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
