using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;

namespace M365SmtpTools.Cli.Batch;

/// <summary>What a batch field holds; decides how a CSV cell or a JSON value is read.</summary>
internal enum BatchFieldKind
{
    /// <summary>A string, kept exactly (no trimming).</summary>
    Text,
    /// <summary>Several strings: a JSON array (or one string), or in CSV one cell with the values separated by ';'.</summary>
    List,
    /// <summary>A whole number.</summary>
    Number,
    /// <summary>true/false (CSV also: yes/no, 1/0).</summary>
    Boolean,
}

/// <summary>
/// The fields a batch file may have, named like the request's properties (the cmdlet's parameter names). Headers and
/// JSON keys match case-insensitively and ignoring '-' and '_', so <c>To</c>, <c>to</c>, <c>reply-to</c> and
/// <c>Reply_To</c> all work.
/// </summary>
internal sealed class BatchSchema
{
    private readonly Dictionary<string, (string Name, BatchFieldKind Kind)> _fields = new(StringComparer.Ordinal);

    /// <summary>A schema of the given fields.</summary>
    public BatchSchema(IEnumerable<(string Name, BatchFieldKind Kind)> fields)
    {
        foreach (var f in fields) _fields.Add(Key(f.Name), f);
    }

    /// <summary>
    /// A schema of a request type's settable properties: string and enum → Text, string[] → List, int/int? → Number,
    /// bool → Boolean. Other property types and the <paramref name="excluded"/> names are not batch fields.
    /// </summary>
    public static BatchSchema FromRequestType(Type requestType, params string[] excluded) =>
        new(requestType.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && p.SetMethod!.IsPublic && !excluded.Contains(p.Name))
            .Select(p => (p.Name, Kind: KindOf(p.PropertyType)))
            .Where(f => f.Kind.HasValue)
            .Select(f => (f.Name, f.Kind!.Value)));

    /// <summary>The accepted field names, in declaration order.</summary>
    public IEnumerable<string> Names => _fields.Values.Select(f => f.Name);

    /// <summary>Finds a field by a header or key as written in the file.</summary>
    public bool TryFind(string written, out string name, out BatchFieldKind kind)
    {
        if (_fields.TryGetValue(Key(written), out var f)) { name = f.Name; kind = f.Kind; return true; }
        name = ""; kind = default; return false;
    }

    private static string Key(string name) => name.Trim().Replace("-", "").Replace("_", "").ToLowerInvariant();

    private static BatchFieldKind? KindOf(Type t)
    {
        Type u = Nullable.GetUnderlyingType(t) ?? t;
        if (u == typeof(string) || u.IsEnum) return BatchFieldKind.Text;
        if (u == typeof(string[])) return BatchFieldKind.List;
        if (u == typeof(int)) return BatchFieldKind.Number;
        if (u == typeof(bool)) return BatchFieldKind.Boolean;
        return null;
    }
}

/// <summary>One message of a batch: the fields given for it (empty CSV cells and JSON nulls are absent, so the command
/// line's value applies).</summary>
internal sealed class BatchRow
{
    /// <summary>Creates a row.</summary>
    public BatchRow(int rowNumber, int lineNumber, IReadOnlyDictionary<string, object> fields)
    {
        RowNumber = rowNumber;
        LineNumber = lineNumber;
        Fields = fields;
    }

    /// <summary>1 for the first data row (the CSV header is not a row).</summary>
    public int RowNumber { get; }

    /// <summary>The line of the file the row starts on (1-based).</summary>
    public int LineNumber { get; }

    /// <summary>Field name (the schema's spelling) → string, string[], int or bool.</summary>
    public IReadOnlyDictionary<string, object> Fields { get; }
}

/// <summary>A batch file that can't be used; the message names the file, the line and the row.</summary>
internal sealed class BatchFileException : Exception
{
    /// <summary>Creates the exception.</summary>
    public BatchFileException(string path, int line, int? row, string message, Exception? inner = null)
        : base($"{Path.GetFileName(path)}: line {line}{(row.HasValue ? $" (row {row})" : "")}: {message}", inner)
    {
        FilePath = path;
        Line = line;
        Row = row;
    }

    /// <summary>The file.</summary>
    public string FilePath { get; }

    /// <summary>The line (1-based).</summary>
    public int Line { get; }

    /// <summary>The data row (1-based), when the problem is in one.</summary>
    public int? Row { get; }
}

/// <summary>
/// Reads <c>--batch FILE.csv|FILE.jsonl</c>: one row per message, fields named like the request's properties.
/// CSV (RFC 4180): a header row, comma-separated, fields in double quotes when they hold commas, quotes (doubled) or
/// line breaks; UTF-8 with or without BOM; CRLF or LF. JSONL: one JSON object per line; blank lines are skipped.
/// Rows are streamed, so a large file is never held whole.
/// </summary>
internal static class BatchFileReader
{
    /// <summary>Reads a file, picking the format from its extension (.csv, or .jsonl/.ndjson).</summary>
    public static IEnumerable<BatchRow> Read(string path, BatchSchema schema)
    {
        string ext = Path.GetExtension(path).ToLowerInvariant();
        if (ext != ".csv" && ext != ".jsonl" && ext != ".ndjson")
            throw new BatchFileException(path, 0, null, $"'{ext}' is not a batch format; use a .csv file (header row) or a .jsonl file " +
                "(one JSON object per line).");
        return ReadIterator(path, ext == ".csv", schema);
    }

    private static IEnumerable<BatchRow> ReadIterator(string path, bool csv, BatchSchema schema)
    {
        using var reader = new StreamReader(path, new UTF8Encoding(false, true), detectEncodingFromByteOrderMarks: true);
        foreach (BatchRow row in csv ? ReadCsv(reader, path, schema) : ReadJsonLines(reader, path, schema))
            yield return row;
    }

    /// <summary>Reads CSV from a reader (<paramref name="path"/> is for messages).</summary>
    public static IEnumerable<BatchRow> ReadCsv(TextReader reader, string path, BatchSchema schema)
    {
        var records = CsvRecords(reader, path).GetEnumerator();
        if (!records.MoveNext())
            throw new BatchFileException(path, 1, null, "the file is empty; the first line must be a header naming the fields, e.g. " +
                "To,Subject,Body.");
        var (headerLine, header) = records.Current;
        var columns = new List<(string Name, BatchFieldKind Kind)>();
        for (int i = 0; i < header.Count; i++)
        {
            string written = header[i].Trim();
            if (written.Length == 0)
                throw new BatchFileException(path, headerLine, null, $"header column {i + 1} is empty; every column needs a field name.");
            if (!schema.TryFind(written, out string name, out BatchFieldKind kind))
                throw new BatchFileException(path, headerLine, null, $"unknown field '{written}' in the header; accepted fields: " +
                    $"{string.Join(", ", schema.Names)}.");
            if (columns.Any(c => c.Name == name))
                throw new BatchFileException(path, headerLine, null, $"the field {name} appears twice in the header.");
            columns.Add((name, kind));
        }

        int row = 0;
        while (records.MoveNext())
        {
            var (line, cells) = records.Current;
            if (cells.Count == 1 && cells[0].Length == 0) continue; // blank line
            row++;
            if (cells.Count != columns.Count)
                throw new BatchFileException(path, line, row, $"{cells.Count} field(s), but the header has {columns.Count}; quote values " +
                    "that contain commas.");
            var fields = new Dictionary<string, object>(StringComparer.Ordinal);
            for (int i = 0; i < cells.Count; i++)
            {
                if (cells[i].Length == 0) continue;
                fields[columns[i].Name] = FromText(cells[i], columns[i].Name, columns[i].Kind, path, line, row);
            }
            yield return new BatchRow(row, line, fields);
        }
    }

    /// <summary>Reads JSON lines from a reader (<paramref name="path"/> is for messages).</summary>
    public static IEnumerable<BatchRow> ReadJsonLines(TextReader reader, string path, BatchSchema schema)
    {
        int lineNumber = 0, row = 0;
        string? text;
        while ((text = reader.ReadLine()) != null)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            row++;
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(text);
            }
            catch (JsonException e)
            {
                throw new BatchFileException(path, lineNumber, row,
                    $"not valid JSON (at character {e.BytePositionInLine + 1}): each line must be one JSON object.", e);
            }
            using (document)
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                    throw new BatchFileException(path, lineNumber, row,
                        $"a JSON {document.RootElement.ValueKind.ToString().ToLowerInvariant()}, not an object; each line must be one " +
                        $"JSON object such as {{\"To\":\"a@contoso.com\",\"Subject\":\"Hi\"}}.");
                var fields = new Dictionary<string, object>(StringComparer.Ordinal);
                foreach (JsonProperty p in document.RootElement.EnumerateObject())
                {
                    if (!schema.TryFind(p.Name, out string name, out BatchFieldKind kind))
                        throw new BatchFileException(path, lineNumber, row, $"unknown field '{p.Name}'; accepted fields: " +
                            $"{string.Join(", ", schema.Names)}.");
                    if (fields.ContainsKey(name))
                        throw new BatchFileException(path, lineNumber, row, $"the field {name} appears twice.");
                    if (p.Value.ValueKind == JsonValueKind.Null) continue;
                    fields[name] = FromJson(p.Value, name, kind, path, lineNumber, row);
                }
                yield return new BatchRow(row, lineNumber, fields);
            }
        }
    }

    private static object FromText(string cell, string name, BatchFieldKind kind, string path, int line, int row)
    {
        switch (kind)
        {
            case BatchFieldKind.List:
                return cell.Split(';').Select(v => v.Trim()).Where(v => v.Length > 0).ToArray();
            case BatchFieldKind.Number:
                if (int.TryParse(cell.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int n)) return n;
                throw new BatchFileException(path, line, row, $"{name} '{cell}' is not a whole number.");
            case BatchFieldKind.Boolean:
                switch (cell.Trim().ToLowerInvariant())
                {
                    case "true": case "yes": case "1": return true;
                    case "false": case "no": case "0": return false;
                }
                throw new BatchFileException(path, line, row, $"{name} '{cell}' is not one of true, false, yes, no, 1, 0.");
            default:
                return cell;
        }
    }

    private static object FromJson(JsonElement value, string name, BatchFieldKind kind, string path, int line, int row)
    {
        string Got() => value.ValueKind.ToString().ToLowerInvariant();
        switch (kind)
        {
            case BatchFieldKind.List:
                if (value.ValueKind == JsonValueKind.String) return new[] { value.GetString()! };
                if (value.ValueKind == JsonValueKind.Array && value.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String))
                    return value.EnumerateArray().Select(e => e.GetString()!).ToArray();
                throw new BatchFileException(path, line, row, $"{name} must be a string or an array of strings, not " +
                    $"a{(Got() == "array" ? "n array with other values" : " " + Got())}.");
            case BatchFieldKind.Number:
                if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int n)) return n;
                throw new BatchFileException(path, line, row, $"{name} must be a whole number, not " +
                    $"{(value.ValueKind == JsonValueKind.Number ? value.GetRawText() : "a " + Got())}.");
            case BatchFieldKind.Boolean:
                if (value.ValueKind is JsonValueKind.True or JsonValueKind.False) return value.GetBoolean();
                throw new BatchFileException(path, line, row, $"{name} must be true or false, not a {Got()}.");
            default:
                if (value.ValueKind == JsonValueKind.String) return value.GetString()!;
                throw new BatchFileException(path, line, row, $"{name} must be a string, not a {Got()}.");
        }
    }

    /// <summary>The CSV records with the line each starts on. A record is a list of fields.</summary>
    private static IEnumerable<(int Line, List<string> Fields)> CsvRecords(TextReader reader, string path)
    {
        int line = 1;
        var fields = new List<string>();
        var field = new StringBuilder();
        int recordLine = 1, quoteLine = 0;
        bool inQuotes = false, wasQuoted = false, any = false;
        int c;
        while ((c = reader.Read()) != -1)
        {
            any = true;
            char ch = (char)c;
            if (inQuotes)
            {
                if (ch == '"')
                {
                    if (reader.Peek() == '"') { reader.Read(); field.Append('"'); }
                    else { inQuotes = false; }
                }
                else
                {
                    if (ch == '\n') line++;
                    field.Append(ch);
                }
                continue;
            }
            switch (ch)
            {
                case '"':
                    if (field.Length > 0 || wasQuoted)
                        throw new BatchFileException(path, line, null, "a double quote inside a field that doesn't start with one; quote " +
                            "the whole field and double the quotes inside it (\"say \"\"hi\"\"\").");
                    inQuotes = true;
                    wasQuoted = true;
                    quoteLine = line;
                    break;
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    wasQuoted = false;
                    break;
                case '\r':
                    if (reader.Peek() == '\n') break;
                    goto case '\n';
                case '\n':
                    fields.Add(field.ToString());
                    yield return (recordLine, fields);
                    fields = new List<string>();
                    field.Clear();
                    wasQuoted = false;
                    line++;
                    recordLine = line;
                    break;
                default:
                    if (wasQuoted)
                        throw new BatchFileException(path, line, null, $"text after the closing quote of a field ('{ch}'); a quoted " +
                            "field must end at a comma or the end of the line.");
                    field.Append(ch);
                    break;
            }
        }
        if (inQuotes)
            throw new BatchFileException(path, quoteLine, null, "a quoted field is never closed (missing \" before the end of the file).");
        if (any && (fields.Count > 0 || field.Length > 0 || wasQuoted))
        {
            fields.Add(field.ToString());
            yield return (recordLine, fields);
        }
    }
}
