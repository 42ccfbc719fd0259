using System.Text;
using M365SmtpTools.Engine.Mime;
using M365SmtpTools.Engine.Smtp;
using M365SmtpTools.Engine.Tests.Infrastructure;

namespace M365SmtpTools.Engine.Tests.Reliability;

/// <summary>Hostile and odd input to the message builder: each gives its documented engine error, or a correct message.</summary>
public class BadInputTests
{
    private const string Injection = "x\r\nBcc: evil@attacker.test";

    private static MessageBuilder Valid()
    {
        var b = new MessageBuilder { From = EmailAddress.Parse("alice@contoso.com"), Subject = "s", TextBody = "t" };
        b.To.Add(EmailAddress.Parse("bob@contoso.com"));
        return b;
    }

    public static TheoryData<string, string> InjectionPoints() => new()
    {
        { "subject", "HeaderInjection" }, { "header value", "HeaderInjection" }, { "header name", "HeaderInjection" },
        { "display name", "HeaderInjection" }, { "address", "HeaderInjection" }, { "parsed address", "HeaderInjection" },
        { "address list", "HeaderInjection" }, { "attachment name", "HeaderInjection" }, { "message id", "InvalidMessageId" },
        { "content id", "InvalidContentId" }, { "bare lf subject", "HeaderInjection" }, { "bare cr header", "HeaderInjection" },
    };

    [Theory]
    [MemberData(nameof(InjectionPoints))]
    public void Line_breaks_in_any_header_or_address_field_are_refused(string where, string errorId)
    {
        Exception? e = Record.Exception(() =>
        {
            MessageBuilder b = Valid();
            switch (where)
            {
                case "subject": b.Subject = Injection; break;
                case "bare lf subject": b.Subject = "x\nBcc: evil@attacker.test"; break;
                case "header value": b.AddHeader("X-Test", Injection); break;
                case "bare cr header": b.AddHeader("X-Test", "x\rBcc: evil@attacker.test"); break;
                case "header name": b.AddHeader("X-Test\r\nBcc", "v"); break;
                case "display name": b.To.Add(new EmailAddress("bob@contoso.com", Injection)); break;
                case "address": b.To.Add(new EmailAddress("bob@contoso.com\r\nBcc: evil@attacker.test")); break;
                case "parsed address": b.Cc.Add(EmailAddress.Parse("\"Bob\r\nBcc: evil@attacker.test\" <bob@contoso.com>")); break;
                case "address list": b.ReplyTo.AddRange(EmailAddress.ParseList("a@contoso.com,\r\nBcc: evil@attacker.test")); break;
                case "attachment name": b.Attachments.Add(MimeAttachment.FromBytes("a.txt\r\nBcc: evil@attacker.test", new byte[1])); break;
                case "message id": b.MessageId = "<id@contoso.com>\r\nBcc: evil@attacker.test"; break;
                case "content id": b.InlineImages.Add(MimeAttachment.FromBytes("i.png", new byte[1])
                    .WithContentId("logo\r\nBcc: x")); break;
            }
            b.Build().ToBytes();
        });
        var m = Assert.IsType<M365SmtpException>(e, exactMatch: false);
        Assert.Equal(errorId, m.ErrorId);
        Assert.DoesNotContain("\r", m.Message);
        Assert.DoesNotContain("\n", m.Message);
    }

    [Theory]
    [InlineData("\"john doe\"@contoso.com", "\"john doe\"@contoso.com", false)]
    [InlineData("\"a\\\"b\"@contoso.com", "\"a\\\"b\"@contoso.com", false)]
    [InlineData("user@bücher.example", "user@xn--bcher-kva.example", false)]
    [InlineData("jörg@contoso.com", "jörg@contoso.com", true)]
    [InlineData("\"Doe, John\" <john@contoso.com>", "john@contoso.com", false)]
    public void Quoted_idn_and_utf8_addresses_have_the_documented_envelope_form(string input, string envelope, bool needsSmtpUtf8)
    {
        EmailAddress a = EmailAddress.Parse(input);
        Assert.Equal(envelope, a.EnvelopeAddress);
        Assert.Equal(needsSmtpUtf8, a.RequiresSmtpUtf8);
        MessageBuilder b = Valid();
        b.To.Add(a);
        MimeMessage m = b.Build();
        if (needsSmtpUtf8)
        {
            var e = Assert.IsType<M365SmtpException>(Record.Exception(() => m.ToBytes()), exactMatch: false);
            Assert.Equal("SmtpUtf8Required", e.ErrorId);
            m.Options = MimeWriterOptions.FromCapabilities(true, true);
            Assert.True(m.RequiresSmtpUtf8);
        }
        Assert.Equal(m.ComputeSize(), m.ToBytes().Length);
    }

    [Theory]
    [InlineData("john(comment)@contoso.com")]
    [InlineData("john@contoso.com (comment)")]
    [InlineData("john..doe@contoso.com")]
    [InlineData("john@-contoso.com")]
    [InlineData("<john@contoso.com")]
    public void Comments_and_malformed_addresses_are_invalid_addresses(string input)
    {
        var e = Assert.IsType<M365SmtpException>(Record.Exception(() => EmailAddress.Parse(input)), exactMatch: false);
        Assert.Equal("InvalidEmailAddress", e.ErrorId);
    }

    [Fact]
    public async Task Ten_thousand_recipients_fold_into_valid_header_lines_and_all_reach_the_envelope()
    {
        MessageBuilder b = Valid();
        b.To.Clear();
        for (int i = 0; i < 10_000; i++) b.To.Add(new EmailAddress($"user{i}@contoso.com", i % 3 == 0 ? $"User, Number {i}" : null));
        MimeMessage m = b.Build();
        byte[] bytes = m.ToBytes();
        string text = Encoding.UTF8.GetString(bytes);
        string headers = text[..text.IndexOf("\r\n\r\n", StringComparison.Ordinal)];
        Assert.All(headers.Split("\r\n"), line => Assert.True(Encoding.UTF8.GetByteCount(line) <= 998, "header line over 998 octets"));
        string to = headers.Split("\r\n").SkipWhile(l => !l.StartsWith("To:", StringComparison.Ordinal))
            .TakeWhile((l, i) => i == 0 || l.StartsWith(' ') || l.StartsWith('\t')).Aggregate((x, y) => x + y);
        Assert.Equal(10_000, to.Count(c => c == '@'));
        Assert.Equal(10_000, m.EnvelopeRecipients.Count);

        await using var sink = new CountingSink();
        using var client = new SmtpClient();
        CancellationToken ct = TestContext.Current.CancellationToken;
        await client.ConnectAsync("127.0.0.1", sink.Port,
            new SmtpConnectOptions { TlsMode = SmtpTlsMode.None, LocalDomain = "client.test" }, ct);
        SmtpSendResult r = await client.SendAsync(new SmtpEnvelope(m.EnvelopeSender.EnvelopeAddress,
            m.EnvelopeRecipients.Select(a => a.EnvelopeAddress)), m, ct);
        Assert.Equal(10_000, r.Recipients.Count(x => x.Accepted));
        Assert.Equal(10_000, sink.Recipients);
    }

    [Fact]
    public void Attachment_paths_that_are_folders_or_missing_give_their_documented_errors()
    {
        string dir = Directory.CreateTempSubdirectory("m365smtp-badinput-").FullName;
        try
        {
            MessageBuilder b = Valid();
            b.Attachments.Add(MimeAttachment.FromFile(dir));
            Assert.Equal("AttachmentIsDirectory",
                Assert.IsType<M365SmtpException>(Record.Exception(() => b.Build()), exactMatch: false).ErrorId);
            b = Valid();
            b.Attachments.Add(MimeAttachment.FromFile(Path.Combine(dir, "missing.pdf")));
            Assert.Equal("AttachmentNotFound",
                Assert.IsType<M365SmtpException>(Record.Exception(() => b.Build()), exactMatch: false).ErrorId);
            // A file deleted after Build but before the message is written: the write refuses before the first byte.
            string gone = Path.Combine(dir, "gone.txt");
            File.WriteAllText(gone, "x");
            b = Valid();
            b.Attachments.Add(MimeAttachment.FromFile(gone));
            MimeMessage m = b.Build();
            File.Delete(gone);
            var ms = new MemoryStream();
            var e = Assert.IsType<M365SmtpException>(
                Record.Exception(() => m.WriteToAsync(ms, CancellationToken.None).GetAwaiter().GetResult()), exactMatch: false);
            Assert.Equal("AttachmentNotFound", e.ErrorId);
            Assert.Equal(0, ms.Length);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Empty_files_and_names_with_every_reserved_character_round_trip_through_an_independent_parser()
    {
        string dir = Directory.CreateTempSubdirectory("m365smtp-names-").FullName;
        try
        {
            string[] names =
            {
                "empty.txt", "quote\"d.txt", "back\\slash.txt", "semi;colon=eq.txt", "star*ques?.txt", "angle<>pipe|.txt",
                "colon:percent%25.txt", "apos'tick`.txt", "spaces  and\ttab.txt", "ümlaut-日本語.txt", "(parens)[brackets]{braces}.txt",
                new string('l', 200) + ".txt", "comma,at@hash#.txt",
            };
            MessageBuilder b = Valid();
            foreach (string name in names)
            {
                string path = Path.Combine(dir, name);
                File.WriteAllBytes(path, name == "empty.txt" ? Array.Empty<byte>() : Encoding.UTF8.GetBytes(name));
                b.Attachments.Add(MimeAttachment.FromFile(path));
            }
            MimeMessage m = b.Build();
            byte[] bytes = m.ToBytes();
            Assert.Equal(m.ComputeSize(), bytes.Length);
            ParsedMessage parsed = PythonMime.Parse(bytes);
            Mime.MimeKitMime.AssertAgrees(parsed, bytes); // and MimeKit reads every file name the same
            var files = parsed.Leaves().Where(p => p.Disposition == "attachment").ToList();
            Assert.Equal(names, files.Select(f => f.Filename));
            Assert.Equal(0, files[0].Size);
        }
        finally { Directory.Delete(dir, true); }
    }
}
