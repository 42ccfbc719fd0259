using System.Text;
using M365SmtpTools.Engine.Mime;
using M365SmtpTools.Engine.Tests.Infrastructure;

namespace M365SmtpTools.Engine.Tests.Mime;

public class MimeMessageTests
{
    [Fact]
    public void Text_only_message_has_the_expected_headers_and_ends_with_crlf()
    {
        var b = TestMessages.Basic();
        b.TextBody = "Hi Bob";
        b.MessageId = "fixed@contoso.com";
        string s = b.Build().Text();
        Assert.Equal(
            "Date: Tue, 4 Mar 2025 05:06:07 +0200\r\n" +
            "From: Alice Example <alice@contoso.com>\r\n" +
            "To: bob@contoso.com\r\n" +
            "Subject: Hello\r\n" +
            "Message-ID: <fixed@contoso.com>\r\n" +
            "MIME-Version: 1.0\r\n" +
            "Content-Type: text/plain; charset=\"utf-8\"\r\n" +
            "Content-Transfer-Encoding: 7bit\r\n" +
            "\r\n" +
            "Hi Bob\r\n", s);
    }

    [Fact]
    public void Bcc_goes_to_the_envelope_only()
    {
        var b = TestMessages.Basic();
        b.Cc.Add(EmailAddress.Parse("carol@contoso.com"));
        b.Bcc.Add(EmailAddress.Parse("Secret Person <secret@hidden.example>"));
        b.Bcc.Add(EmailAddress.Parse("bob@contoso.com"));
        b.TextBody = "x";
        MimeMessage m = b.Build();
        string s = m.Text();
        Assert.DoesNotContain("secret", s, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("hidden.example", s);
        Assert.DoesNotContain("Bcc", s);
        Assert.Equal(new[] { "bob@contoso.com", "carol@contoso.com", "secret@hidden.example" },
            m.EnvelopeRecipients.Select(a => a.EnvelopeAddress));
        Assert.Equal("alice@contoso.com", m.EnvelopeSender.EnvelopeAddress);
    }

    [Fact]
    public void Sender_is_the_envelope_sender_and_sets_the_message_id_domain()
    {
        var b = TestMessages.Basic();
        b.Sender = EmailAddress.Parse("robot@bücher.example");
        MimeMessage m = b.Build();
        Assert.Equal("robot@xn--bcher-kva.example", m.EnvelopeSender.EnvelopeAddress);
        Assert.Matches("^<[0-9a-f]{32}@xn--bcher-kva\\.example>$", m.MessageId);
        string headers = m.HeaderBlock();
        Assert.Equal("robot@xn--bcher-kva.example", TestMessages.Header(headers, "Sender"));
        Assert.Equal(m.MessageId, TestMessages.Header(headers, "Message-ID"));
    }

    [Fact]
    public void Message_id_is_generated_from_the_from_domain_and_unique()
    {
        var b = TestMessages.Basic();
        Assert.Matches("^<[0-9a-f]{32}@contoso\\.com>$", b.Build().MessageId);
        Assert.NotEqual(b.Build().MessageId, b.Build().MessageId);
    }

    [Fact]
    public void Date_comes_from_the_injected_clock()
    {
        var b = TestMessages.Basic();
        b.Clock = () => new DateTimeOffset(2024, 12, 31, 23, 59, 58, TimeSpan.FromMinutes(-330));
        Assert.Equal("Tue, 31 Dec 2024 23:59:58 -0530", TestMessages.Header(b.Build().HeaderBlock(), "Date"));
    }

    [Theory]
    [InlineData(MessagePriority.High, "1", "High", "urgent")]
    [InlineData(MessagePriority.Normal, "3", "Normal", "normal")]
    [InlineData(MessagePriority.Low, "5", "Low", "non-urgent")]
    public void Priority_headers(MessagePriority priority, string x, string importance, string prio)
    {
        var b = TestMessages.Basic();
        b.Priority = priority;
        string h = b.Build().HeaderBlock();
        Assert.Equal(x, TestMessages.Header(h, "X-Priority"));
        Assert.Equal(importance, TestMessages.Header(h, "Importance"));
        Assert.Equal(prio, TestMessages.Header(h, "Priority"));
    }

    [Fact]
    public void No_priority_headers_unless_set()
        => Assert.Null(TestMessages.Header(TestMessages.Basic().Build().HeaderBlock(), "X-Priority"));

    [Fact]
    public void Custom_headers_are_written_in_order_and_encoded()
    {
        var b = TestMessages.Basic();
        b.AddHeader("X-Mailer", "M365SmtpTools").AddHeader("X-Note", "Grüße aus Köln and the rest");
        string h = b.Build().HeaderBlock();
        Assert.Contains("X-Mailer: M365SmtpTools\r\nX-Note: =?UTF-8?", h);
        Assert.True(h.All(c => c < 0x80));
    }

    [Fact]
    public void Structure_is_mixed_related_alternative()
    {
        var b = TestMessages.Basic();
        b.TextBody = "text";
        b.HtmlBody = "<img src=\"cid:logo\">";
        b.InlineImages.Add(MimeAttachment.FromBytes("logo.png", new byte[] { 1, 2, 3 }).WithContentId("logo"));
        b.Attachments.Add(MimeAttachment.FromBytes("a.pdf", new byte[] { 4 }));
        string s = b.Build().Text();
        int mixed = s.IndexOf("multipart/mixed", StringComparison.Ordinal);
        int related = s.IndexOf("multipart/related", StringComparison.Ordinal);
        int alternative = s.IndexOf("Content-Type: multipart/alternative", StringComparison.Ordinal);
        int plain = s.IndexOf("text/plain", StringComparison.Ordinal);
        int html = s.IndexOf("text/html", StringComparison.Ordinal);
        int png = s.IndexOf("image/png", StringComparison.Ordinal);
        int pdf = s.IndexOf("application/pdf", StringComparison.Ordinal);
        Assert.True(mixed < related && related < alternative && alternative < plain && plain < html && html < png && png < pdf, s);
        Assert.Contains("Content-ID: <logo>", s);
        Assert.Contains("Content-Disposition: inline; filename=\"logo.png\"", s);
        Assert.Contains("type=\"multipart/alternative\"", s);
    }

    [Fact]
    public void Html_only_with_images_is_related_with_html_root()
    {
        var b = TestMessages.Basic();
        b.HtmlBody = "<p>hi</p>";
        b.InlineImages.Add(MimeAttachment.FromBytes("logo.png", new byte[] { 1 }).WithContentId("logo@contoso.com"));
        string s = b.Build().Text();
        Assert.StartsWith("multipart/related", TestMessages.Header(s, "Content-Type"));
        Assert.Contains("type=\"text/html\"", s);
        Assert.DoesNotContain("multipart/alternative", s);
    }

    [Fact]
    public void Inline_images_need_html_and_content_ids()
    {
        var b = TestMessages.Basic();
        b.TextBody = "x";
        b.InlineImages.Add(MimeAttachment.FromBytes("logo.png", new byte[] { 1 }).WithContentId("logo"));
        Assert.Equal("InlineImageWithoutHtml", Assert.Throws<M365SmtpException>(() => b.Build()).ErrorId);
        b.HtmlBody = "<p/>";
        b.InlineImages.Add(MimeAttachment.FromBytes("logo2.png", new byte[] { 1 }).WithContentId("LOGO"));
        Assert.Equal("DuplicateContentId", Assert.Throws<M365SmtpException>(() => b.Build()).ErrorId);
        b.InlineImages.RemoveAt(1);
        b.InlineImages.Add(MimeAttachment.FromBytes("x.png", new byte[] { 1 }));
        Assert.Equal("InlineImageWithoutContentId", Assert.Throws<M365SmtpException>(() => b.Build()).ErrorId);
        Assert.Equal("InvalidContentId",
            Assert.Throws<M365SmtpException>(() => MimeAttachment.FromBytes("x.png", new byte[1]).WithContentId("a b")).ErrorId);
    }

    [Fact]
    public void Builder_requires_sender_and_recipients()
    {
        Assert.Equal("MessageHasNoSender", Assert.Throws<M365SmtpException>(() => new MessageBuilder { Subject = "x" }.Build()).ErrorId);
        var b = new MessageBuilder { From = EmailAddress.Parse("a@contoso.com") };
        Assert.Equal("MessageHasNoRecipients", Assert.Throws<M365SmtpException>(() => b.Build()).ErrorId);
        b.Bcc.Add(EmailAddress.Parse("b@contoso.com"));
        Assert.Null(TestMessages.Header(b.Build().HeaderBlock(), "To"));
    }

    [Fact]
    public void Missing_attachment_file_is_a_clear_error_at_build_and_before_writing()
    {
        string dir = TestPaths.NewTempDir();
        string path = Path.Combine(dir, "report.pdf");
        File.WriteAllText(path, "x");
        var b = TestMessages.Basic();
        b.Attachments.Add(MimeAttachment.FromFile(path));
        MimeMessage m = b.Build();
        File.Delete(path);
        var output = new MemoryStream();
        var e = Assert.Throws<M365SmtpException>(() => m.WriteToAsync(output, CancellationToken.None).GetAwaiter().GetResult());
        Assert.Equal("AttachmentNotFound", e.ErrorId);
        Assert.Equal(ErrorKind.ObjectNotFound, e.Kind);
        Assert.Equal(path, e.TargetObject);
        Assert.Equal(0, output.Length);
        Assert.Equal("AttachmentNotFound", Assert.Throws<M365SmtpException>(() => b.Build()).ErrorId);
        Assert.Equal("AttachmentNotFound", Assert.Throws<M365SmtpException>(() => m.ComputeSize()).ErrorId);
    }

    [Fact]
    public void Directory_as_attachment_is_a_clear_error()
    {
        string dir = TestPaths.NewTempDir();
        var b = TestMessages.Basic();
        b.Attachments.Add(MimeAttachment.FromFile(dir));
        var e = Assert.Throws<M365SmtpException>(() => b.Build());
        Assert.Equal("AttachmentIsDirectory", e.ErrorId);
        Assert.Contains("folder", e.Message);
    }

    [Fact]
    public void Zero_byte_file_attachment_works()
    {
        string dir = TestPaths.NewTempDir();
        string path = Path.Combine(dir, "empty.bin");
        File.WriteAllBytes(path, Array.Empty<byte>());
        var b = TestMessages.Basic();
        b.TextBody = "see attached";
        b.Attachments.Add(MimeAttachment.FromFile(path));
        MimeMessage m = b.Build();
        byte[] bytes = m.ToBytes();
        Assert.Equal(m.ComputeSize(), bytes.Length);
        Assert.Contains("filename=\"empty.bin\"", Encoding.ASCII.GetString(bytes));
    }

    [Fact]
    public void Attachment_stream_that_fails_is_reported_as_unreadable()
    {
        var b = TestMessages.Basic();
        b.Attachments.Add(MimeAttachment.FromStream("data.bin", () => throw new IOException("disk gone"), 10));
        var e = Assert.Throws<M365SmtpException>(() => b.Build().ToBytes());
        Assert.Equal("AttachmentUnreadable", e.ErrorId);
        Assert.IsType<IOException>(e.InnerException);
    }

    [Fact]
    public void Attachment_shorter_or_longer_than_declared_is_detected()
    {
        var shorter = TestMessages.Basic();
        shorter.Attachments.Add(MimeAttachment.FromStream("a.bin", () => new MemoryStream(new byte[5]), 10));
        Assert.Equal("AttachmentChanged", Assert.Throws<M365SmtpException>(() => shorter.Build().ToBytes()).ErrorId);
        var longer = TestMessages.Basic();
        longer.Attachments.Add(MimeAttachment.FromStream("a.bin", () => new MemoryStream(new byte[15]), 10));
        Assert.Equal("AttachmentChanged", Assert.Throws<M365SmtpException>(() => longer.Build().ToBytes()).ErrorId);
    }

    [Fact]
    public void Invalid_content_types_are_rejected()
    {
        Assert.Equal("InvalidContentType",
            Assert.Throws<M365SmtpException>(() => MimeAttachment.FromBytes("a", new byte[1], "multipart/mixed")).ErrorId);
        Assert.Equal("InvalidContentType",
            Assert.Throws<M365SmtpException>(() => MimeAttachment.FromBytes("a", new byte[1], "text/plain; charset=x")).ErrorId);
        Assert.Equal("InvalidFileName", Assert.Throws<M365SmtpException>(() => MimeAttachment.FromBytes(" ", new byte[1])).ErrorId);
        Assert.Equal("HeaderInjection", Assert.Throws<M365SmtpException>(() => MimeAttachment.FromBytes("a\r\nb", new byte[1])).ErrorId);
    }

    /// <summary>A stream that fails if asked for more than 1 MB in one read, and counts reads.</summary>
    private sealed class ChunkCheckingStream : Stream
    {
        private readonly long _length;
        private long _position;
        public int Reads;
        public int LargestRequest;
        public ChunkCheckingStream(long length) { _length = length; }
        public override int Read(byte[] buffer, int offset, int count)
        {
            if (count > 1024 * 1024) throw new InvalidOperationException($"asked for {count} bytes in one read");
            Reads++;
            LargestRequest = Math.Max(LargestRequest, count);
            int n = (int)Math.Min(count, _length - _position);
            for (int i = 0; i < n; i++) buffer[offset + i] = (byte)((_position + i) * 31 % 251);
            _position += n;
            return n;
        }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>Counts what is written without keeping it (so the test itself doesn't hold the message).</summary>
    private sealed class CountingStream : Stream
    {
        public long Count;
        public int LargestWrite;
        public override void Write(byte[] buffer, int offset, int count) { Count += count; LargestWrite = Math.Max(LargestWrite, count); }
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => Count;
        public override long Position { get => Count; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }

    [Fact]
    public async Task Attachments_are_read_in_chunks_and_written_in_bounded_writes()
    {
        const long length = 30L * 1024 * 1024;
        ChunkCheckingStream? source = null;
        var b = TestMessages.Basic();
        b.Attachments.Add(MimeAttachment.FromStream("big.bin", () => source = new ChunkCheckingStream(length), length));
        MimeMessage m = b.Build();
        var sink = new CountingStream();
        await m.WriteToAsync(sink, CancellationToken.None);
        Assert.Equal(m.ComputeSize(), sink.Count);
        Assert.NotNull(source);
        Assert.True(source!.Reads >= length / (1024 * 1024), $"only {source.Reads} reads");
        Assert.True(source.LargestRequest <= 1024 * 1024);
        Assert.True(sink.LargestWrite <= 128 * 1024, $"a write of {sink.LargestWrite} bytes");
    }

    public static TheoryData<string> Shapes() => new()
    {
        "empty", "text", "html", "text+html", "html+inline", "text+html+inline+attachments", "attachments-only",
        "cyrillic-text", "long-lines", "utf8-headers", "8bit", "utf8-local-part", "many-recipients", "bare-cr-lf",
    };

    internal static MimeMessage Shape(string shape, string dir)
    {
        var b = TestMessages.Basic("Shape " + shape + " — größe");
        var rng = new Random(shape.Length);
        string Blob(string name, int size)
        {
            string p = Path.Combine(dir, name);
            File.WriteAllBytes(p, TestMessages.RandomBytes(size, size));
            return p;
        }
        switch (shape)
        {
            case "empty": break;
            case "text": b.TextBody = "Hello\nWorld\n.\n"; break;
            case "html": b.HtmlBody = "<p>Hello</p>"; break;
            case "text+html": b.TextBody = "Hello"; b.HtmlBody = "<p>Hello</p>\r\n"; break;
            case "html+inline":
                b.HtmlBody = "<img src=\"cid:logo\">";
                b.InlineImages.Add(MimeAttachment.FromFile(Blob("logo.png", 1234)).WithContentId("logo"));
                break;
            case "text+html+inline+attachments":
                b.TextBody = "Héllo"; b.HtmlBody = "<p>Héllo <img src=\"cid:i1\"></p>";
                b.InlineImages.Add(MimeAttachment.FromFile(Blob("i1.gif", 100)).WithContentId("i1"));
                b.Attachments.Add(MimeAttachment.FromFile(Blob("zero.bin", 0)));
                b.Attachments.Add(MimeAttachment.FromFile(Blob("one.pdf", 1)));
                b.Attachments.Add(
                    MimeAttachment.FromFile(Blob("Отчёт за квартал, «итоги» (финал) — очень длинное имя файла.xlsx", 57 * 3)));
                b.Attachments.Add(MimeAttachment.FromBytes("a \"quoted\"; name (1).txt", Encoding.UTF8.GetBytes("x")));
                break;
            case "attachments-only": b.Attachments.Add(MimeAttachment.FromFile(Blob("only.zip", 58))); break;
            case "cyrillic-text": b.TextBody = "Привет, мир!\nЭто письмо."; break;
            case "long-lines": b.TextBody = new string('a', 2000) + "\n" + new string(' ', 100); break;
            case "utf8-headers":
                b.To.Add(EmailAddress.Parse("Jörg Müller <joerg@bücher.example>"));
                b.Attachments.Add(MimeAttachment.FromBytes("naïve résumé.pdf", new byte[] { 1, 2 }));
                b.TextBody = "ok";
                break;
            case "8bit": b.TextBody = "Grüße"; b.HtmlBody = "<p>日本語</p>"; break;
            case "utf8-local-part": b.To.Add(EmailAddress.Parse("用户@例子.广告")); b.TextBody = "x"; break;
            case "many-recipients":
                for (int i = 0; i < 30; i++)
                    b.Cc.Add(new EmailAddress($"user{i}@contoso.com", i % 2 == 0 ? $"Üser Nümber {i}" : $"User {i}"));
                break;
            case "bare-cr-lf": b.TextBody = "a\rb\nc\r\n\r\rd"; b.HtmlBody = "x\n"; break;
        }
        return b.Build();
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ComputeSize_equals_bytes_written_for_every_option(string shape)
    {
        string dir = TestPaths.NewTempDir();
        MimeMessage m = Shape(shape, dir);
        foreach (var options in new[]
                 {
                     MimeWriterOptions.SevenBit, new MimeWriterOptions { Allow8Bit = true },
                     new MimeWriterOptions { AllowUtf8Headers = true }, MimeWriterOptions.FromCapabilities(true, true),
                 })
        {
            m.Options = options;
            if (shape == "utf8-local-part" && !options.AllowUtf8Headers)
            {
                Assert.True(m.RequiresSmtpUtf8);
                Assert.Equal("SmtpUtf8Required", Assert.Throws<M365SmtpException>(() => m.ComputeSize()).ErrorId);
                continue;
            }
            long size = m.ComputeSize();
            byte[] bytes = m.ToBytes();
            Assert.Equal(size, bytes.Length);
            Assert.Equal(bytes, m.ToBytes()); // every write gives the same bytes
            string text = Encoding.UTF8.GetString(bytes);
            Assert.EndsWith("\r\n", text);
            Assert.Equal(0, text.Replace("\r\n", "").Count(c => c == '\r' || c == '\n'));
            Assert.All(text.Split("\r\n"), l => Assert.True(Encoding.UTF8.GetByteCount(l) <= 998));
            bool anyNonAscii = bytes.Any(x => x >= 0x80);
            if (!options.Allow8Bit && !options.AllowUtf8Headers) Assert.False(anyNonAscii, shape);
            if (!options.Allow8Bit) Assert.False(m.Requires8BitMime);
            if (anyNonAscii && !m.Requires8BitMime) Assert.True(m.RequiresSmtpUtf8, shape);
        }
    }

    [Fact]
    public void Eight_bit_is_used_only_when_allowed_and_flagged()
    {
        var b = TestMessages.Basic();
        b.TextBody = "Grüße aus Köln and the rest";
        MimeMessage m = b.Build();
        Assert.False(m.Requires8BitMime);
        Assert.Contains("Content-Transfer-Encoding: quoted-printable", m.Text());
        m.Options = new MimeWriterOptions { Allow8Bit = true };
        Assert.True(m.Requires8BitMime);
        Assert.Contains("Content-Transfer-Encoding: 8bit\r\n\r\nGrüße aus Köln and the rest\r\n", m.Text());
    }

    [Fact]
    public void Utf8_headers_are_used_only_when_allowed_and_flagged()
    {
        var b = TestMessages.Basic("Grüße aus Köln and the rest");
        MimeMessage m = b.Build();
        Assert.False(m.RequiresSmtpUtf8);
        Assert.StartsWith("=?UTF-8?", TestMessages.Header(m.HeaderBlock(), "Subject"));
        m.Options = new MimeWriterOptions { AllowUtf8Headers = true };
        Assert.True(m.RequiresSmtpUtf8);
        Assert.Contains("Subject: Grüße aus Köln and the rest\r\n", m.Text());
        var ascii = TestMessages.Basic("plain").Build();
        ascii.Options = new MimeWriterOptions { AllowUtf8Headers = true };
        Assert.False(ascii.RequiresSmtpUtf8);
    }

    [Fact]
    public void Utf8_local_part_in_bcc_needs_smtputf8_too()
    {
        var b = TestMessages.Basic();
        b.Bcc.Add(EmailAddress.Parse("josé@contoso.com"));
        MimeMessage m = b.Build();
        Assert.True(m.RequiresSmtpUtf8);
        Assert.Equal("SmtpUtf8Required", Assert.Throws<M365SmtpException>(() => m.Validate()).ErrorId);
        m.Options = new MimeWriterOptions { AllowUtf8Headers = true };
        m.Validate();
        Assert.DoesNotContain("josé", m.Text());
    }

    [Fact]
    public void Boundaries_cannot_be_produced_by_the_encodings_and_are_unique()
    {
        var b = TestMessages.Basic();
        b.TextBody = "t"; b.HtmlBody = "h";
        b.InlineImages.Add(MimeAttachment.FromBytes("i.png", new byte[1]).WithContentId("i"));
        b.Attachments.Add(MimeAttachment.FromBytes("a.bin", new byte[1]));
        string s = b.Build().Text();
        var boundaries = System.Text.RegularExpressions.Regex.Matches(s, "boundary=\"([^\"]+)\"").Select(x => x.Groups[1].Value).ToList();
        Assert.Equal(3, boundaries.Count);
        Assert.Equal(3, boundaries.Distinct().Count());
        Assert.All(boundaries, x => Assert.StartsWith("=_", x));
    }
}
