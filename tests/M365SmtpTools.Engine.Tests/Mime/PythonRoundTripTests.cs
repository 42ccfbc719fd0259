using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using M365SmtpTools.Engine.Mime;
using M365SmtpTools.Engine.Tests.Infrastructure;

namespace M365SmtpTools.Engine.Tests.Mime;

/// <summary>
/// Messages written to files and read back, field by field, by two independent parsers: Python's email package and
/// MimeKit (strict modes). Every assertion holds for both readings.
/// </summary>
public class PythonRoundTripTests
{
    public static readonly string[] Scripts =
    {
        "Crème brûlée à la façon de Zoë Ångström",
        "Привет из Москвы — тестовое письмо",
        "Καλημέρα από την Αθήνα",
        "東京からのテストメール、件名は長めにして折り返しを確認します",
        "مرحبا من القاهرة",
        "Party time 🎉🎈 with emoji 👩‍💻 and more 🚀",
    };

    public static TheoryData<bool> Utf8Modes() => new() { false, true };

    private static string Sha(byte[] data) => Convert.ToHexString(SHA256.HashData(data)).ToLowerInvariant();

    private static JsonElement Part(JsonElement parsed, Func<JsonElement, bool> match)
        => parsed.GetProperty("parts").EnumerateArray().Single(match);

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    [Theory]
    [MemberData(nameof(Utf8Modes))]
    public void Subjects_and_display_names_in_several_scripts(bool utf8)
    {
        PythonMime.Require();
        string dir = TestPaths.NewTempDir();
        var b = TestMessages.Basic(string.Join(" | ", Scripts));
        b.From = new EmailAddress("alice@contoso.com", Scripts[0]);
        for (int i = 0; i < Scripts.Length; i++) b.To.Add(new EmailAddress($"user{i}@contoso.com", Scripts[i]));
        b.Cc.Add(new EmailAddress("quoted@contoso.com", "Smith, John \"JJ\" (IT)"));
        b.Cc.Add(EmailAddress.Parse("Jörg <joerg@bücher.example>"));
        b.Bcc.Add(EmailAddress.Parse("hidden@contoso.com"));
        b.AddHeader("X-Scripts", Scripts[3]);
        b.TextBody = "body";
        MimeMessage m = b.Build();
        m.Options = new MimeWriterOptions { AllowUtf8Headers = utf8 };

        MimeReaders.Check(MimeReaders.Read(m, dir), parsed =>
        {
        JsonElement headers = parsed.GetProperty("headers");
        Assert.Equal(string.Join(" | ", Scripts), headers.GetProperty("Subject")[0].GetString());
        Assert.Equal(Scripts[3], headers.GetProperty("X-Scripts")[0].GetString());
        JsonElement from = headers.GetProperty("From")[0][0];
        Assert.Equal(Scripts[0], from[0].GetString());
        Assert.Equal("alice@contoso.com", from[1].GetString());
        JsonElement to = headers.GetProperty("To")[0];
        Assert.True(Scripts.Length + 1 == to.GetArrayLength(), to.ToString());
        Assert.Equal("bob@contoso.com", to[0][1].GetString());
        for (int i = 0; i < Scripts.Length; i++)
        {
            Assert.Equal(Scripts[i], to[i + 1][0].GetString());
            Assert.Equal($"user{i}@contoso.com", to[i + 1][1].GetString());
        }
        JsonElement cc = headers.GetProperty("Cc")[0];
        Assert.Equal("Smith, John \"JJ\" (IT)", cc[0][0].GetString());
        Assert.Equal(utf8 ? "joerg@bücher.example" : "joerg@xn--bcher-kva.example", cc[1][1].GetString());
        Assert.False(headers.TryGetProperty("Bcc", out _));
        Assert.Empty(parsed.GetProperty("defects").EnumerateArray());
        Assert.True(parsed.GetProperty("max_header_line").GetInt32() <= (utf8 ? 998 : 76));
        });
    }

    [Theory]
    [MemberData(nameof(Utf8Modes))]
    public void Html_text_three_attachments_and_an_inline_image(bool eightBit)
    {
        PythonMime.Require();
        string dir = TestPaths.NewTempDir();
        byte[] png = TestMessages.RandomBytes(5000, 1), pdf = TestMessages.RandomBytes(70_001, 2),
            csv = Encoding.UTF8.GetBytes("a,b\r\n1,2\r\n");
        string pngPath = Path.Combine(dir, "logo.png"), pdfPath = Path.Combine(dir, "report.pdf");
        File.WriteAllBytes(pngPath, png);
        File.WriteAllBytes(pdfPath, pdf);
        string longName = "Отчёт за первый квартал 2025 года — итоги, «планы» и (очень) длинное имя файла; версия \"2\".csv";
        string text = "Hello Bob,\n.leading dot line\n..two dots\n.\nbare CR\rbare LF\nÜmlaut and 日本語\n"
            + new string('x', 1200) + "\n";
        string html = "<html><body><p>Hello <b>Bob</b> — café</p><img src=\"cid:logo@contoso.com\"></body></html>";

        var b = TestMessages.Basic("Report");
        b.TextBody = text;
        b.HtmlBody = html;
        b.InlineImages.Add(MimeAttachment.FromFile(pngPath).WithContentId("logo@contoso.com"));
        b.Attachments.Add(MimeAttachment.FromFile(pdfPath));
        b.Attachments.Add(MimeAttachment.FromBytes(longName, csv));
        b.Attachments.Add(MimeAttachment.FromStream("a (1) \"quoted\"; semi.bin", () => new MemoryStream(png), png.Length));
        MimeMessage m = b.Build();
        m.Options = new MimeWriterOptions { Allow8Bit = eightBit };

        MimeReaders.Check(MimeReaders.Read(m, dir), parsed =>
        {
        Assert.Empty(parsed.GetProperty("defects").EnumerateArray());
        Assert.Equal(0, parsed.GetProperty("bare_lf").GetInt32());
        Assert.Equal(0, parsed.GetProperty("bare_cr").GetInt32());
        Assert.True(parsed.GetProperty("max_line").GetInt32() <= 998);
        var types = parsed.GetProperty("parts").EnumerateArray().Select(p => p.GetProperty("content_type").GetString()).ToArray();
        Assert.Equal(
            new[]
            {
                "multipart/mixed", "multipart/related", "multipart/alternative", "text/plain", "text/html", "image/png", "application/pdf",
                "text/csv", "application/octet-stream"
            },
            types);

        string expectedText = text.Replace("\r", "\n");
        JsonElement plain = Part(parsed, p => p.GetProperty("content_type").GetString() == "text/plain");
        Assert.Equal(expectedText, plain.GetProperty("text").GetString());
        Assert.Equal("utf-8", Str(plain, "charset"));
        Assert.Equal("quoted-printable", Str(plain, "cte")); // a 1,200-octet line can't be 7bit or 8bit
        JsonElement htmlPart = Part(parsed, p => p.GetProperty("content_type").GetString() == "text/html");
        Assert.Equal(html, htmlPart.GetProperty("text").GetString());
        Assert.Equal(eightBit ? "8bit" : "quoted-printable", Str(htmlPart, "cte"));

        JsonElement image = Part(parsed, p => p.GetProperty("content_type").GetString() == "image/png");
        Assert.Equal("<logo@contoso.com>", Str(image, "content_id"));
        Assert.Equal("inline", Str(image, "disposition"));
        Assert.Equal(Sha(png), Str(image, "sha256"));

        JsonElement report = Part(parsed, p => p.GetProperty("content_type").GetString() == "application/pdf");
        Assert.Equal("report.pdf", Str(report, "filename"));
        Assert.Equal("attachment", Str(report, "disposition"));
        Assert.Equal(Sha(pdf), Str(report, "sha256"));
        JsonElement named = Part(parsed, p => p.GetProperty("content_type").GetString() == "text/csv");
        Assert.Equal(longName, Str(named, "filename"));
        Assert.Equal(Sha(csv), Str(named, "sha256"));
        JsonElement odd = Part(parsed, p => p.GetProperty("content_type").GetString() == "application/octet-stream");
        Assert.Equal("a (1) \"quoted\"; semi.bin", Str(odd, "filename"));
        Assert.Equal("a (1) \"quoted\"; semi.bin", Str(odd, "name_param"));
        Assert.Equal(Sha(png), Str(odd, "sha256"));
        });
    }

    [Fact]
    public void Zero_byte_and_20_MB_attachments()
    {
        PythonMime.Require();
        string dir = TestPaths.NewTempDir();
        try
        {
            string empty = Path.Combine(dir, "empty.txt"), big = Path.Combine(dir, "big.bin");
            File.WriteAllBytes(empty, Array.Empty<byte>());
            string hash;
            using (var fs = File.Create(big))
            using (var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            {
                var rng = new Random(20);
                byte[] chunk = new byte[1024 * 1024];
                for (int i = 0; i < 20; i++) { rng.NextBytes(chunk); fs.Write(chunk); sha.AppendData(chunk); }
                hash = Convert.ToHexString(sha.GetHashAndReset()).ToLowerInvariant();
            }
            var b = TestMessages.Basic("Big one");
            b.TextBody = "two files";
            b.Attachments.Add(MimeAttachment.FromFile(empty));
            b.Attachments.Add(MimeAttachment.FromFile(big));
            MimeMessage m = b.Build();
            MimeReaders.Check(MimeReaders.Read(m, dir), parsed =>
            {
            JsonElement zero = Part(parsed, p => Str(p, "filename") == "empty.txt");
            Assert.Equal(0, zero.GetProperty("size").GetInt32());
            Assert.Equal("text/plain", Str(zero, "content_type"));
            JsonElement large = Part(parsed, p => Str(p, "filename") == "big.bin");
            Assert.Equal(20 * 1024 * 1024, large.GetProperty("size").GetInt32());
            Assert.Equal(hash, Str(large, "sha256"));
            Assert.Equal(78, parsed.GetProperty("max_line").GetInt32() + 2); // base64 lines of 76 characters
            });
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Utf8_local_part_with_smtputf8()
    {
        PythonMime.Require();
        string dir = TestPaths.NewTempDir();
        var b = TestMessages.Basic("Grüße");
        b.To.Add(EmailAddress.Parse("Пользователь <пользователь@почта.рф>"));
        b.TextBody = "Привет";
        MimeMessage m = b.Build();
        m.Options = MimeWriterOptions.FromCapabilities(true, true);
        Assert.True(m.RequiresSmtpUtf8);
        Assert.True(m.Requires8BitMime);
        MimeReaders.Check(MimeReaders.Read(m, dir), parsed =>
        {
        JsonElement to = parsed.GetProperty("headers").GetProperty("To")[0];
        Assert.Equal("Пользователь", to[1][0].GetString());
        Assert.Equal("пользователь@почта.рф", to[1][1].GetString());
        Assert.Equal("Привет\n", Part(parsed, p => Str(p, "content_type") == "text/plain").GetProperty("text").GetString());
        });
    }
}
