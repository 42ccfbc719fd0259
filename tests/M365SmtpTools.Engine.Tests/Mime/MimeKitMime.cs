using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using M365SmtpTools.Engine.Tests.Infrastructure;
using MimeKit;
using MimeKit.Utils;
using EngineMessage = M365SmtpTools.Engine.Mime.MimeMessage;
using KitMessage = MimeKit.MimeMessage;

namespace M365SmtpTools.Engine.Tests.Mime;

/// <summary>
/// MimeKit 4.18 (a second independent parser, beside Python's email package) reads what the MIME writer produced, in
/// its strict modes (RFC 2047 encoded words, RFC 2231 parameters and addresses as the RFCs write them, not as broken
/// mailers do). It answers in the JSON shape of python_mime.py's message mode, so each test checks both readings with one set of
/// assertions (<see cref="MimeReaders"/>).
/// </summary>
internal static class MimeKitMime
{
    private static readonly HashSet<string> AddressFields =
        new(StringComparer.OrdinalIgnoreCase) { "From", "Sender", "Reply-To", "To", "Cc", "Bcc" };

    /// <summary>Strict everywhere it has a choice: a message that only a lenient parser reads is a defect of the writer.</summary>
    public static ParserOptions Strict { get; } = new()
    {
        AddressParserComplianceMode = RfcComplianceMode.Strict,
        ParameterComplianceMode = RfcComplianceMode.Strict,
        Rfc2047ComplianceMode = RfcComplianceMode.Strict,
        AllowAddressesWithoutDomain = false,
        CharsetEncoding = Encoding.UTF8, // RFC 6532: raw header bytes are UTF-8
    };

    /// <summary>Parses a whole message (the bytes the writer produced) into python_mime.py's message shape.</summary>
    public static JsonElement Parse(byte[] data)
    {
        KitMessage message;
        using (var stream = new MemoryStream(data, writable: false))
            message = KitMessage.Load(Strict, stream);

        var headers = new JsonObject();
        foreach (Header h in message.Headers)
        {
            if (headers[h.Field] is not JsonArray list) headers[h.Field] = list = new JsonArray();
            list.Add(HeaderValue(h));
        }
        var parts = new JsonArray();
        Walk(message.Body ?? throw new InvalidOperationException("MimeKit found no body."), parts);
        string[] lines = Encoding.Latin1.GetString(data).Split("\r\n");
        string head = Encoding.Latin1.GetString(data).Split("\r\n\r\n", 2)[0];
        var root = new JsonObject
        {
            ["headers"] = headers,
            // MimeKit reports no defects list; its strict modes fail or mis-read instead, which the assertions see
            ["defects"] = new JsonArray(),
            ["parts"] = parts,
            ["max_line"] = lines.Max(l => l.Length),
            ["max_header_line"] = head.Split("\r\n").Max(l => l.Length),
            ["bare_lf"] = Encoding.Latin1.GetString(data).Replace("\r\n", "").Count(c => c == '\n'),
            ["bare_cr"] = Encoding.Latin1.GetString(data).Replace("\r\n", "").Count(c => c == '\r'),
            ["header_names"] = new JsonArray(message.Headers.Select(h => (JsonNode?)JsonValue.Create(h.Field)).ToArray()),
            ["subject"] = message.Subject,
        };
        return JsonDocument.Parse(root.ToJsonString()).RootElement.Clone();
    }

    /// <summary>Decodes raw header fields ("Name: value" with folding) as python_mime.py's headers mode does.</summary>
    public static JsonElement DecodeHeaders(IReadOnlyList<string> fields)
    {
        var result = new JsonArray();
        foreach (string field in fields)
        {
            HeaderList list;
            using (var stream = new MemoryStream(Encoding.UTF8.GetBytes(field + "\r\n\r\n")))
                list = HeaderList.Load(Strict, stream);
            result.Add(list.Count == 0 ? null : HeaderValue(list[0]));
        }
        return JsonDocument.Parse(result.ToJsonString()).RootElement.Clone();
    }

    /// <summary>
    /// Asserts that MimeKit reads <paramref name="data"/> as Python did in <paramref name="python"/> (the interop tests'
    /// parser): decoded subject, every address header, and each leaf part's type, charset, transfer encoding,
    /// disposition, file name (RFC 2231), Content-ID, decoded bytes and text.
    /// </summary>
    public static void AssertAgrees(ParsedMessage python, byte[] data)
    {
        JsonElement kit = Parse(data);
        JsonElement headers = kit.GetProperty("headers");
        Assert.Equal(python.Subject, kit.GetProperty("subject").GetString());
        foreach ((string field, List<ParsedAddress>? expected) in
            new[] { ("From", python.From), ("To", python.To), ("Cc", python.Cc), ("Reply-To", python.ReplyTo), ("Sender", python.Sender) })
        {
            var read = headers.TryGetProperty(field, out JsonElement values)
                ? values.EnumerateArray().SelectMany(v => v.EnumerateArray()).Select(a => (a[0].GetString(), a[1].GetString())).ToList()
                : null;
            Assert.Equal(expected?.Select(a => ((string?)a.DisplayName, (string?)a.AddrSpec)).ToList(), read);
        }
        var leaves = kit.GetProperty("parts").EnumerateArray().Where(p => !p.GetProperty("multipart").GetBoolean()).ToList();
        var pyLeaves = python.Leaves().ToList();
        Assert.Equal(pyLeaves.Count, leaves.Count);
        for (int i = 0; i < leaves.Count; i++)
        {
            ParsedMimePart py = pyLeaves[i];
            JsonElement k = leaves[i];
            string? S(string name) => k.GetProperty(name).ValueKind == JsonValueKind.String ? k.GetProperty(name).GetString() : null;
            Assert.Equal((py.ContentType, py.Charset, py.ContentTransferEncoding, py.Disposition, py.Filename, py.ContentId),
                (S("content_type"), S("charset"), S("cte")?.ToLowerInvariant(), S("disposition"), S("filename"), S("content_id")));
            Assert.Equal((py.Size, py.Sha256), ((long?)k.GetProperty("size").GetInt64(), S("sha256")));
            // A text/* attachment without a charset parameter is US-ASCII by RFC 2046 section 4.1.2; the engine sends a file's
            // bytes unchanged (it can't know their charset), so for a non-ASCII file Python decodes ASCII with U+FFFD and
            // MimeKit guesses UTF-8. They agree on the bytes (SHA-256 above); the text is compared where a charset is declared.
            if (py.Text != null && py.Charset != null) Assert.Equal(py.Text, S("text"));
        }
    }

    private static JsonNode? HeaderValue(Header h)
    {
        if (!AddressFields.Contains(h.Field))
        {
            // MimeKit's own RFC 2047 decoder, then unfolding as RFC 5322 section 2.2.3 defines it (drop the CRLF). Not
            // Header.Value: that also trims every Unicode white space at the ends, so a value ending in an encoded U+00A0
            // would read shorter than what was written (MimeKit's presentation, not a disagreement about the bytes).
            string decoded = Rfc2047.DecodeText(Strict, h.RawValue);
            return JsonValue.Create(decoded.Replace("\r\n", "").Replace("\n", "").Trim(' ', '\t'));
        }
        string raw = Encoding.UTF8.GetString(h.RawValue);
        var list = new JsonArray();
        foreach (InternetAddress a in InternetAddressList.Parse(Strict, h.RawValue))
            foreach (MailboxAddress m in a is GroupAddress g ? g.Members.Mailboxes : new[] { (MailboxAddress)a })
            {
                // MailboxAddress.Address shows an IDNA A-label domain (xn--...) as its U-label; RFC 5890 makes them the same
                // name. Compared as written: the A-label form where the field carries it.
                string aLabel = m.GetAddress(idnEncode: true);
                list.Add(new JsonArray(m.Name ?? "", raw.Contains(aLabel, StringComparison.OrdinalIgnoreCase) ? aLabel : m.Address));
            }
        return list;
    }

    private static void Walk(MimeEntity entity, JsonArray parts)
    {
        if (entity is Multipart multipart)
        {
            parts.Add(new JsonObject
            {
                ["content_type"] = multipart.ContentType.MimeType.ToLowerInvariant(),
                ["multipart"] = true,
                ["params"] = new JsonObject(multipart.ContentType.Parameters
                    .Select(p => KeyValuePair.Create(p.Name.ToLowerInvariant(), (JsonNode?)p.Value))),
            });
            foreach (MimeEntity child in multipart) Walk(child, parts);
            return;
        }
        if (entity is not MimePart part)
            throw new InvalidOperationException(
                $"The writer produced a {entity.ContentType.MimeType} entity that is neither a multipart nor a leaf.");
        byte[] payload;
        using (var decoded = new MemoryStream())
        {
            part.Content?.DecodeTo(decoded);
            payload = decoded.ToArray();
        }
        string? cte = part.Headers[HeaderId.ContentTransferEncoding];
        var entry = new JsonObject
        {
            ["content_type"] = part.ContentType.MimeType.ToLowerInvariant(),
            ["multipart"] = false,
            ["charset"] = part.ContentType.Charset?.ToLowerInvariant(),
            ["cte"] = cte?.Trim(),
            ["disposition"] = part.ContentDisposition?.Disposition.ToLowerInvariant(),
            ["filename"] = part.FileName,
            ["name_param"] = part.ContentType.Name,
            ["content_id"] = part.ContentId == null ? null : "<" + part.ContentId + ">",
            ["size"] = payload.Length,
            ["sha256"] = Convert.ToHexString(SHA256.HashData(payload)).ToLowerInvariant(),
        };
        if (part is TextPart text)
            entry["text"] = text.GetText(out _).Replace("\r\n", "\n");
        parts.Add(entry);
    }
}

/// <summary>Both independent readings of one message: Python's email package and MimeKit.</summary>
internal static class MimeReaders
{
    /// <summary>Writes the message once and returns each parser's reading with its name (for assertion messages).</summary>
    public static IReadOnlyList<(string Reader, JsonElement Parsed)> Read(EngineMessage message, string dir)
    {
        JsonElement python = PythonMime.ParseMessage(message, dir, out string file);
        return new[] { ("python", python), ("mimekit", MimeKitMime.Parse(File.ReadAllBytes(file))) };
    }

    /// <summary>Runs the same assertions on each reading; a failure names the parser that read it differently.</summary>
    public static void Check(IReadOnlyList<(string Reader, JsonElement Parsed)> readings, Action<JsonElement> assertions)
    {
        foreach ((string reader, JsonElement parsed) in readings)
        {
            try { assertions(parsed); }
            catch (Exception e)
            {
                throw new Xunit.Sdk.XunitException($"As {reader} reads it: {e.Message}");
            }
        }
    }

    /// <summary>Each parser's decoding of raw header fields.</summary>
    public static IReadOnlyList<(string Reader, JsonElement Decoded)> DecodeHeaders(IReadOnlyList<string> fields) =>
        new[] { ("python", PythonMime.DecodeHeaders(fields)), ("mimekit", MimeKitMime.DecodeHeaders(fields)) };
}
