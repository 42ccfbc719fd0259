using M365SmtpTools.Engine.Dns;
using M365SmtpTools.Engine.Exchange;

namespace M365SmtpTools.Engine.Tests.Exchange;

public class MxEndpointClassifierTests
{
    [Theory]
    [InlineData("contoso-com.mail.protection.outlook.com", MxEndpointForm.Legacy, "contoso-com", null)]
    [InlineData("Contoso-COM.Mail.Protection.Outlook.com.", MxEndpointForm.Legacy, "contoso-com", null)]
    [InlineData("contoso-com.e-v1.mx.microsoft", MxEndpointForm.Dnssec, "contoso-com", "e")]
    [InlineData("contoso01i.b-v1.mx.microsoft.", MxEndpointForm.Dnssec, "contoso01i", "b")]
    [InlineData("contoso-com.mail.protection.partner.outlook.cn", MxEndpointForm.China, "contoso-com", null)]
    [InlineData("contoso-com.mail.protection.office365.us", MxEndpointForm.GccHigh, "contoso-com", null)]
    [InlineData("mx1.filter.example", MxEndpointForm.Other, null, null)]
    [InlineData("mail.protection.outlook.com", MxEndpointForm.Other, null, null)]
    [InlineData("a.b.mail.protection.outlook.com", MxEndpointForm.Other, null, null)]
    [InlineData("contoso-com.ee-v1.mx.microsoft", MxEndpointForm.Other, null, null)]
    [InlineData("contoso-com.e-v2.mx.microsoft", MxEndpointForm.Other, null, null)]
    [InlineData("x.contoso-com.e-v1.mx.microsoft", MxEndpointForm.Other, null, null)]
    [InlineData("contoso-com.mail.protection.outlook.com.evil.example", MxEndpointForm.Other, null, null)]
    public void Classifies_MX_hosts(string host, MxEndpointForm form, string? label, string? letter)
    {
        MxEndpointClassification c = MxEndpointClassifier.Classify(host);
        Assert.Equal(form, c.Form);
        Assert.Equal(form != MxEndpointForm.Other, c.IsMicrosoft365);
        Assert.Equal(label, c.TenantLabel);
        Assert.Equal(letter, c.RegionLetter);
        Assert.Equal(host.TrimEnd('.').ToLowerInvariant(), c.Host);
    }

    [Theory]
    [InlineData("contoso.com", "contoso-com.mail.protection.outlook.com", true)]
    [InlineData("Mail.Contoso.co.uk.", "mail-contoso-co-uk.mail.protection.outlook.com", true)]
    [InlineData("my-domain.com", "my-domain-com.mail.protection.outlook.com", false)]
    public void Derives_the_legacy_endpoint_as_a_guess(string domain, string expected, bool reliable)
    {
        Assert.Equal(expected, MxEndpointClassifier.DeriveLegacyEndpoint(domain));
        Assert.Equal(reliable, MxEndpointClassifier.IsDerivationReliable(domain));
        Assert.Equal(MxEndpointForm.Legacy, MxEndpointClassifier.Classify(expected).Form);
    }

    [Fact]
    public void Deriving_from_an_invalid_domain_fails_clearly()
    {
        var e = Assert.Throws<DnsException>(() => MxEndpointClassifier.DeriveLegacyEndpoint("not a domain"));
        Assert.Equal(DnsErrorIds.InvalidDomainName, e.ErrorId);
    }
}
