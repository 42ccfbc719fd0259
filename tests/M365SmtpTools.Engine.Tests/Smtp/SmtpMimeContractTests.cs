using M365SmtpTools.Engine.Mime;
using M365SmtpTools.Engine.Smtp;
using M365SmtpTools.Engine.Tests.Infrastructure;

namespace M365SmtpTools.Engine.Tests.Smtp;

/// <summary>The contract between the MIME writer and the SMTP client: what the server stores is exactly what the message writes.</summary>
public class SmtpMimeContractTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_mime_message_arrives_byte_for_byte_over_bdat_and_data(bool chunking)
    {
        var b = new MessageBuilder
        {
            From = EmailAddress.Parse("Alice <alice@contoso.com>"),
            Subject = "Grüße – contract test",
            TextBody = ".a line starting with a dot\r\n.\r\nand a lone dot above\r\n",
            HtmlBody = "<p>hi</p>",
            Clock = () => new DateTimeOffset(2026, 11, 22, 8, 0, 0, TimeSpan.Zero),
        };
        b.To.Add(EmailAddress.Parse("bob@fabrikam.com"));
        b.Bcc.Add(EmailAddress.Parse("carol@fabrikam.com"));
        var random = new Random(7);
        byte[] attachment = new byte[300_000];
        random.NextBytes(attachment);
        b.Attachments.Add(MimeAttachment.FromBytes("data.bin", attachment));
        MimeMessage message = b.Build();
        byte[] expected = message.ToBytes();

        await using var exo = ExchangeOnlineDouble.Start();
        SmtpConnectOptions options = exo.ClientOptions();
        options.UseChunking = chunking;
        using var client = new SmtpClient();
        await client.ConnectAsync(exo.Host, exo.Port, options, Ct);
        await client.AuthenticateAsync(Replay.Token(token: "good-token"), cancellationToken: Ct);
        var envelope = new SmtpEnvelope(message.EnvelopeSender.EnvelopeAddress, message.EnvelopeRecipients.Select(a => a.EnvelopeAddress));
        SmtpSendResult result = await client.SendAsync(envelope, message, Ct);
        await client.QuitAsync(Ct);

        DoubleMessage received = Assert.Single(exo.Messages);
        Assert.Equal(expected, received.Content);
        Assert.Equal(new[] { "bob@fabrikam.com", "carol@fabrikam.com" }, received.Recipients);
        Assert.Equal(chunking, received.UsedBdat);
        Assert.Equal($"SIZE={message.ComputeSize()}", exo.Sessions.Single().MailFromParameters.Single());
        // DATA adds one dot per line that starts with a dot; BDAT sends the bytes as they are.
        int dotLines = System.Text.Encoding.ASCII.GetString(expected).Split("\r\n").Count(l => l.StartsWith('.'));
        Assert.Equal(expected.Length + (chunking ? 0 : dotLines), result.BytesSent);
    }
}
