using System.Security.Cryptography.X509Certificates;
using System.Text;
using M365SmtpTools.Engine.Auth;
using M365SmtpTools.Engine.Operations;
using M365SmtpTools.Engine.Smtp;
using M365SmtpTools.Engine.Tests.Infrastructure;
using MimeKit;
using KitMessage = MimeKit.MimeMessage;

namespace M365SmtpTools.Engine.Tests.Operations.SendMail;

/// <summary>
/// Headers stay 7-bit (RFC 2047) when the server offers SMTPUTF8 but no address needs it (issue 14, item 11): bytes as
/// the Exchange Online double and Postfix received them, read back by MimeKit in its strict modes.
/// </summary>
public sealed class SevenBitHeaderTests
{
    private const string Subject = "Grüße aus Zürich – Bericht 東京 🎉";
    private const string SenderName = "Jürgen Müller";
    private const string RecipientName = "Zoë Ångström, «Finance»";

    // The header block; a Maildir file (Postfix's local delivery) has LF line ends.
    private static string Headers(byte[] content)
    {
        string text = Encoding.UTF8.GetString(content).Replace("\r\n", "\n");
        return text[..text.IndexOf("\n\n", StringComparison.Ordinal)];
    }

    private static IEnumerable<string> MailFromParameters(ExchangeOnlineDouble exo) => exo.Sessions.SelectMany(s => s.MailFromParameters);

    private static KitMessage ReadWithMimeKit(byte[] content)
    {
        using var stream = new MemoryStream(content, writable: false);
        return KitMessage.Load(Mime.MimeKitMime.Strict, stream);
    }

    [Fact]
    public async Task Ascii_addresses_get_encoded_words_even_when_smtputf8_is_offered()
    {
        await using var exo = ExchangeOnlineDouble.Start(new ExchangeOnlineDoubleOptions { OfferSmtpUtf8 = true });
        var request = SendKit.TokenRequest(to: $"\"{RecipientName}\" <bob@contoso.com>", subject: Subject);
        request.Message.From = $"{SenderName} <alice@contoso.com>";
        SendMailResult r = await new SendMailOperation(SendKit.For(exo)).RunForResultAsync(request, new RecordingHost(),
            TestContext.Current.CancellationToken);
        Assert.Equal(SendMailStatus.Sent, r.Status);
        DoubleMessage m = Assert.Single(exo.Messages);
        string headers = Headers(m.Content);
        Assert.True(headers.All(c => c < 0x80), headers);
        Assert.Contains("Subject: =?utf-8?", headers, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(MailFromParameters(exo), p => p.Contains("SMTPUTF8", StringComparison.OrdinalIgnoreCase));

        KitMessage read = ReadWithMimeKit(m.Content);
        Assert.Equal(Subject, read.Subject);
        MailboxAddress from = Assert.Single(read.From.Mailboxes);
        Assert.Equal((SenderName, "alice@contoso.com"), (from.Name, from.Address));
        MailboxAddress to = Assert.Single(read.To.Mailboxes);
        Assert.Equal((RecipientName, "bob@contoso.com"), (to.Name, to.Address));
    }

    [Fact]
    public async Task A_non_ascii_address_keeps_raw_utf8_headers_with_smtputf8()
    {
        await using var exo = ExchangeOnlineDouble.Start(new ExchangeOnlineDoubleOptions { OfferSmtpUtf8 = true });
        var request = SendKit.TokenRequest(to: "jürgen@contoso.com", subject: "Grüße");
        SendMailResult r = await new SendMailOperation(SendKit.For(exo)).RunForResultAsync(request, new RecordingHost(),
            TestContext.Current.CancellationToken);
        Assert.Equal(SendMailStatus.Sent, r.Status);
        DoubleMessage m = Assert.Single(exo.Messages);
        Assert.Contains("Subject: Grüße", Headers(m.Content));
        Assert.Contains(MailFromParameters(exo), p => p.Contains("SMTPUTF8", StringComparison.OrdinalIgnoreCase));

        KitMessage read = ReadWithMimeKit(m.Content);
        Assert.Equal("Grüße", read.Subject);
        Assert.Equal("jürgen@contoso.com", Assert.Single(read.To.Mailboxes).Address);
    }

    [Fact]
    public async Task Postfix_offering_smtputf8_receives_7bit_headers_that_mimekit_decodes()
    {
        PostfixServer pf = PostfixServer.Require();
        string to = pf.NewRecipient("seven-bit");
        var transcript = new InMemorySmtpTranscriptLogger();
        var settings = new SendMailOperationSettings
        {
            Clock = new FakeClock(),
            Registry = new SmtpConnectionRegistry(),
            ConfigureConnection = o =>
            {
                o.TlsPolicy.ServerName = "localhost";
                o.TlsPolicy.TrustedRootCertificates = new X509Certificate2Collection(pf.CaCertificate);
                o.LocalDomain = "client.contoso.test";
                o.TranscriptLogger = transcript;
            },
        };
        var request = new SendMailRequest
        {
            SmtpServer = "localhost",
            Port = pf.SubmissionPort,
            Credential = new System.Net.NetworkCredential(pf.User, pf.Password),
            Message = new()
            {
                From = $"{SenderName} <{pf.User}>", To = new[] { $"\"{RecipientName}\" <{to}>" }, Subject = Subject,
                Body = "Grüße, 東京"
            },
        };
        SendMailResult r = await new SendMailOperation(settings).RunForResultAsync(request, new RecordingHost(),
            TestContext.Current.CancellationToken);
        Assert.True(r.Status == SendMailStatus.Sent, r.ErrorMessage);

        string log = transcript.ToString();
        Assert.Contains("SMTPUTF8", log.Split('\n').Where(l => l.Contains(" S Ehlo: 250", StringComparison.Ordinal))
            .Aggregate("", (a, l) => a + l)); // offered
        string mailFrom = log.Split('\n').Single(l => l.Contains("MAIL FROM:", StringComparison.Ordinal));
        Assert.DoesNotContain("SMTPUTF8", mailFrom); // not asked for

        byte[] delivered = File.ReadAllBytes(Assert.Single(pf.WaitForDelivery(to, TimeSpan.FromSeconds(30))));
        string headers = Headers(delivered);
        Assert.True(headers.All(c => c < 0x80), headers); // Postfix's own Received/Return-Path lines included
        Assert.Contains("Subject: =?utf-8?", headers, StringComparison.OrdinalIgnoreCase);

        KitMessage read = ReadWithMimeKit(delivered);
        Assert.Equal(Subject, read.Subject);
        MailboxAddress from = Assert.Single(read.From.Mailboxes);
        Assert.Equal((SenderName, pf.User), (from.Name, from.Address));
        MailboxAddress rcpt = Assert.Single(read.To.Mailboxes);
        Assert.Equal((RecipientName, to), (rcpt.Name, rcpt.Address));
        Assert.Equal("Grüße, 東京", ((TextPart)read.BodyParts.Single()).Text.TrimEnd('\r', '\n'));
    }
}
