using M365SmtpTools.Engine.Exchange;
using M365SmtpTools.Engine.Operations;
using M365SmtpTools.Engine.Tests.Infrastructure;

namespace M365SmtpTools.Engine.Tests.Operations.SendMail;

/// <summary>
/// Relay and Direct Send to a Microsoft 365 endpoint require TLS by default, and -SkipCertificateValidation is refused
/// there; other hosts keep opportunistic TLS (issue 14, item 8).
/// </summary>
public sealed class Microsoft365TlsDefaultTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static SendMailRequest Request(SendMethod method, string? server = null, bool skip = false) => new()
    {
        Method = method, Message = new() { From = "noreply@contoso.com", To = new[] { "staff@contoso.com" }, Subject = "x", Body = "y" },
        SmtpServer = server, SkipCertificateValidation = skip, MaxRetry = 0,
    };

    [Theory]
    [InlineData(SendMethod.Relay)]
    [InlineData(SendMethod.DirectSend)]
    public async Task Without_starttls_a_Microsoft_365_endpoint_gets_no_mail(SendMethod method)
    {
        await using var exo = ExchangeOnlineDouble.Start(new ExchangeOnlineDoubleOptions
        {
            Role = DoubleRole.Mx, OfferStartTls = false, AcceptedDomains = new[] { "contoso.com" }
        });
        var host = new RecordingHost();
        SendMailResult r = await new SendMailOperation(SendKit.For(exo)).RunForResultAsync(Request(method), host, Ct);
        Assert.Equal(SendMailStatus.Failed, r.Status);
        Assert.Equal("SmtpStartTlsNotOffered", r.ErrorId);
        Assert.Empty(exo.Messages);
    }

    [Fact]
    public async Task Another_host_keeps_opportunistic_tls_with_a_warning()
    {
        await using var exo = ExchangeOnlineDouble.Start(new ExchangeOnlineDoubleOptions
        {
            Role = DoubleRole.Mx, OfferStartTls = false, AcceptedDomains = new[] { "contoso.com" }
        });
        var host = new RecordingHost();
        SendMailResult r = await new SendMailOperation(SendKit.For(exo))
            .RunForResultAsync(Request(SendMethod.Relay, server: "relay.fabrikam.test"), host, Ct);
        Assert.Equal(SendMailStatus.Sent, r.Status);
        Assert.False(Assert.Single(exo.Messages).OverTls);
        Assert.Contains(host.Warnings, w => w.Contains("STARTTLS"));
    }

    [Fact]
    public async Task Skipping_certificate_validation_is_refused_for_Microsoft_365()
    {
        await using var exo = ExchangeOnlineDouble.Start(new ExchangeOnlineDoubleOptions
        {
            Role = DoubleRole.Mx, AcceptedDomains = new[] { "contoso.com" }
        });
        SendMailResult r = await new SendMailOperation(SendKit.For(exo))
            .RunForResultAsync(Request(SendMethod.Relay, skip: true), new RecordingHost(), Ct);
        Assert.Equal(SendMailStatus.Failed, r.Status);
        Assert.Equal("SkipCertificateValidationNotAllowed", r.ErrorId);
        Assert.Empty(exo.Messages);
    }
}
