using System.Text;
using M365SmtpTools.Engine.Operations;
using M365SmtpTools.Engine.Tests.Doubles;
using M365SmtpTools.Engine.Tests.Infrastructure;

namespace M365SmtpTools.Engine.Tests.Send;

/// <summary>Headers stay 7-bit (RFC 2047) when the server offers SMTPUTF8 but no address needs it (issue 14, item 11).</summary>
public sealed class SevenBitHeaderTests
{
    private static string Headers(DoubleMessage m)
    {
        string text = Encoding.UTF8.GetString(m.Content);
        return text[..text.IndexOf("\r\n\r\n", StringComparison.Ordinal)];
    }

    [Fact]
    public async Task Ascii_addresses_get_encoded_words_even_when_smtputf8_is_offered()
    {
        await using var exo = ExchangeOnlineDouble.Start(new ExchangeOnlineDoubleOptions { OfferSmtpUtf8 = true });
        var request = SendKit.TokenRequest(subject: "Grüße aus Zürich – Bericht");
        request.From = "Jürgen Müller <alice@contoso.com>";
        SendMailResult r = await new SendMailOperation(SendKit.For(exo)).RunAsync(request, new RecordingHost(), TestContext.Current.CancellationToken);
        Assert.Equal(SendMailStatus.Sent, r.Status);
        DoubleMessage m = Assert.Single(exo.Messages);
        string headers = Headers(m);
        Assert.True(headers.All(c => c < 0x80), headers);
        Assert.Contains("Subject: =?utf-8?", headers, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("SMTPUTF8", m.MailFrom);
    }

    [Fact]
    public async Task A_non_ascii_address_keeps_raw_utf8_headers_with_smtputf8()
    {
        await using var exo = ExchangeOnlineDouble.Start(new ExchangeOnlineDoubleOptions { OfferSmtpUtf8 = true });
        var request = SendKit.TokenRequest(to: "jürgen@contoso.com", subject: "Grüße");
        SendMailResult r = await new SendMailOperation(SendKit.For(exo)).RunAsync(request, new RecordingHost(), TestContext.Current.CancellationToken);
        Assert.Equal(SendMailStatus.Sent, r.Status);
        DoubleMessage m = Assert.Single(exo.Messages);
        Assert.Contains("Subject: Grüße", Headers(m));
    }
}
