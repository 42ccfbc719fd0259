using System.Text;
using M365SmtpTools.Cli.Batch;
using M365SmtpTools.Engine.Tests.Infrastructure;

namespace M365SmtpTools.Cli.Tests;

/// <summary>--batch FILE.csv|FILE.jsonl: per-row dictionaries of parameter-named fields, row and line numbers in errors.</summary>
public sealed class BatchFileReaderTests
{
    public enum Importance { Low, Normal, High }

    // Shaped like the expected send request's per-message fields.
    private sealed class MessageRequest
    {
        public string[] To { get; set; } = new string[0];
        public string[]? Cc { get; set; }
        public string? Subject { get; set; }
        public string? Body { get; set; }
        public bool BodyAsHtml { get; set; }
        public int? MaxRetries { get; set; }
        public Importance Priority { get; set; } = Importance.Normal;
        public string[]? ReplyTo { get; set; }
        public System.Net.NetworkCredential? Credential { get; set; }
    }

    private static readonly BatchSchema Schema = BatchSchema.FromRequestType(typeof(MessageRequest));

    private static List<BatchRow> Csv(string text) => BatchFileReader.ReadCsv(new StringReader(text), "batch.csv", Schema).ToList();
    private static List<BatchRow> Jsonl(string text) =>
        BatchFileReader.ReadJsonLines(new StringReader(text), "batch.jsonl", Schema).ToList();

    [Fact]
    public void The_schema_comes_from_the_request_type()
    {
        Assert.Equal(new[] { "To", "Cc", "Subject", "Body", "BodyAsHtml", "MaxRetries", "Priority", "ReplyTo" }, Schema.Names);
        Assert.True(Schema.TryFind("reply-to", out string name, out BatchFieldKind kind));
        Assert.Equal(("ReplyTo", BatchFieldKind.List), (name, kind));
        Assert.True(Schema.TryFind(" BODY_AS_HTML ", out name, out kind));
        Assert.Equal(("BodyAsHtml", BatchFieldKind.Boolean), (name, kind));
        Assert.False(Schema.TryFind("Credential", out _, out _));
    }

    [Fact]
    public void Csv_reads_quotes_commas_line_breaks_lists_and_leaves_empty_cells_out()
    {
        var rows = Csv("to,Subject,body,body-as-html,MaxRetries,cc\r\n"
            + "a@contoso.com; b@contoso.com ,\"Hello, world\",\"Line 1\nLine \"\"2\"\"\",yes,3,\r\n"
            + "\r\n"
            + "c@contoso.com,,plain,false,,d@contoso.com\n");
        Assert.Equal(2, rows.Count);
        Assert.Equal((1, 2), (rows[0].RowNumber, rows[0].LineNumber));
        Assert.Equal(new[] { "a@contoso.com", "b@contoso.com" }, rows[0].Fields["To"]);
        Assert.Equal("Hello, world", rows[0].Fields["Subject"]);
        Assert.Equal("Line 1\nLine \"2\"", rows[0].Fields["Body"]);
        Assert.Equal(true, rows[0].Fields["BodyAsHtml"]);
        Assert.Equal(3, rows[0].Fields["MaxRetries"]);
        Assert.False(rows[0].Fields.ContainsKey("Cc"));
        Assert.Equal((2, 5), (rows[1].RowNumber, rows[1].LineNumber)); // the quoted line break and the blank line count
        Assert.False(rows[1].Fields.ContainsKey("Subject"));
        Assert.Equal(new[] { "d@contoso.com" }, rows[1].Fields["Cc"]);
    }

    [Fact]
    public void Csv_last_line_without_a_line_break_is_read()
    {
        var rows = Csv("To,Subject\na@contoso.com,Last");
        Assert.Equal("Last", Assert.Single(rows).Fields["Subject"]);
    }

    [Theory]
    [InlineData("Too,Subject\na@x,b\n", "batch.csv: line 1: unknown field 'Too' in the header; accepted fields: To, Cc, Subject, Body, "
        + "BodyAsHtml, MaxRetries, Priority, ReplyTo.")]
    [InlineData("To,to\na@x,b\n", "batch.csv: line 1: the field To appears twice in the header.")]
    [InlineData("To,,Subject\n", "batch.csv: line 1: header column 2 is empty; every column needs a field name.")]
    [InlineData("", "batch.csv: line 1: the file is empty; the first line must be a header naming the fields, e.g. To,Subject,Body.")]
    [InlineData("To,Subject\na@x,b\nc@x,d,e\n",
        "batch.csv: line 3 (row 2): 3 field(s), but the header has 2; quote values that contain commas.")]
    [InlineData("To,MaxRetries\na@x,1\nc@x,three\n", "batch.csv: line 3 (row 2): MaxRetries 'three' is not a whole number.")]
    [InlineData("To,BodyAsHtml\na@x,maybe\n", "batch.csv: line 2 (row 1): BodyAsHtml 'maybe' is not one of true, false, yes, no, 1, 0.")]
    [InlineData("To,Subject\na@x,\"never closed\nb@x,c\n",
        "batch.csv: line 2: a quoted field is never closed (missing \" before the end of the file).")]
    [InlineData("To,Subject\na@x,say \"hi\"\n", "batch.csv: line 2: a double quote inside a field that doesn't start with one; quote the "
        + "whole field and double the quotes inside it (\"say \"\"hi\"\"\").")]
    [InlineData("To,Subject\na@x,\"hi\" there\n",
        "batch.csv: line 2: text after the closing quote of a field (' '); a quoted field must end at a comma or the end of the line.")]
    public void Csv_errors_name_the_line_and_row(string text, string expected) =>
        Assert.Equal(expected, Assert.Throws<BatchFileException>(() => Csv(text)).Message);

    [Fact]
    public void Jsonl_reads_strings_arrays_numbers_booleans_and_skips_nulls_and_blank_lines()
    {
        var rows = Jsonl("{\"To\":[\"a@contoso.com\",\"b@contoso.com\"],\"subject\":\"Hi \\u00e9\","
            + "\"BodyAsHtml\":true,\"MaxRetries\":2,\"Cc\":null}\n"
            + "   \n"
            + "{\"to\":\"c@contoso.com\",\"priority\":\"high\"}\n");
        Assert.Equal(2, rows.Count);
        Assert.Equal(new[] { "a@contoso.com", "b@contoso.com" }, rows[0].Fields["To"]);
        Assert.Equal("Hi é", rows[0].Fields["Subject"]);
        Assert.Equal(true, rows[0].Fields["BodyAsHtml"]);
        Assert.Equal(2, rows[0].Fields["MaxRetries"]);
        Assert.False(rows[0].Fields.ContainsKey("Cc"));
        Assert.Equal((2, 3), (rows[1].RowNumber, rows[1].LineNumber));
        Assert.Equal(new[] { "c@contoso.com" }, rows[1].Fields["To"]);
    }

    [Theory]
    [InlineData("{\"To\":\"a@x\"}\n{\"To\": \"b@x\",\n",
        "batch.jsonl: line 2 (row 2): not valid JSON (at character 13): each line must be one JSON object.")]
    [InlineData("[1,2]\n", "batch.jsonl: line 1 (row 1): a JSON array, not an object; each line must be one JSON object such as "
        + "{\"To\":\"a@contoso.com\",\"Subject\":\"Hi\"}.")]
    [InlineData("\n{\"Tu\":\"a@x\"}\n", "batch.jsonl: line 2 (row 1): unknown field 'Tu'; accepted fields: To, Cc, Subject, Body, "
        + "BodyAsHtml, MaxRetries, Priority, ReplyTo.")]
    [InlineData("{\"To\":\"a@x\",\"to\":\"b@x\"}\n", "batch.jsonl: line 1 (row 1): the field To appears twice.")]
    [InlineData("{\"To\":[\"a@x\",1]}\n",
        "batch.jsonl: line 1 (row 1): To must be a string or an array of strings, not an array with other values.")]
    [InlineData("{\"Subject\":5}\n", "batch.jsonl: line 1 (row 1): Subject must be a string, not a number.")]
    [InlineData("{\"MaxRetries\":1.5}\n", "batch.jsonl: line 1 (row 1): MaxRetries must be a whole number, not 1.5.")]
    [InlineData("{\"BodyAsHtml\":\"yes\"}\n", "batch.jsonl: line 1 (row 1): BodyAsHtml must be true or false, not a string.")]
    public void Jsonl_errors_name_the_line_and_row(string text, string expected) =>
        Assert.Equal(expected, Assert.Throws<BatchFileException>(() => Jsonl(text)).Message);

    [Fact]
    public void Files_are_read_by_extension_with_or_without_a_bom()
    {
        string dir = TestPaths.NewTempDir();
        try
        {
            string csv = Path.Combine(dir, "mail.CSV");
            File.WriteAllText(csv, "To,Subject\na@contoso.com,Grüße\n", new UTF8Encoding(true));
            Assert.Equal("Grüße", BatchFileReader.Read(csv, Schema).Single().Fields["Subject"]);
            string jsonl = Path.Combine(dir, "mail.jsonl");
            File.WriteAllText(jsonl, "{\"To\":\"a@contoso.com\"}\n{\"To\":\"b@contoso.com\"}\n", new UTF8Encoding(false));
            Assert.Equal(2, BatchFileReader.Read(jsonl, Schema).Count());
            var e = Assert.Throws<BatchFileException>(() => BatchFileReader.Read(Path.Combine(dir, "mail.txt"), Schema));
            Assert.Contains("'.txt' is not a batch format", e.Message);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Random_rows_written_as_csv_read_back_the_same()
    {
        var random = new Random(20261122);
        const string alphabet = "abc XYZ,\"\n\r;é€\t'";
        string Cell() => new string(Enumerable.Range(0, random.Next(1, 12)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
        string Quote(string s) => "\"" + s.Replace("\"", "\"\"") + "\"";
        for (int round = 0; round < 200; round++)
        {
            var subjects = Enumerable.Range(0, random.Next(1, 6)).Select(_ => Cell()).ToList();
            var bodies = subjects.Select(_ => Cell()).ToList();
            var text = new StringBuilder("Subject,Body\r\n");
            for (int i = 0; i < subjects.Count; i++)
                text.Append(Quote(subjects[i])).Append(',').Append(Quote(bodies[i])).Append(random.Next(2) == 0 ? "\r\n" : "\n");
            var rows = Csv(text.ToString());
            Assert.Equal(subjects, rows.Select(r => (string)r.Fields["Subject"]));
            Assert.Equal(bodies, rows.Select(r => (string)r.Fields["Body"]));
            Assert.Equal(Enumerable.Range(1, subjects.Count), rows.Select(r => r.RowNumber));
        }
    }
}
