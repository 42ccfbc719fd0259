using System.Security.Cryptography.X509Certificates;
using M365SmtpTools.Engine.Exchange;
using static M365SmtpTools.Engine.Tests.Operations.Plans.TestCertificates;

namespace M365SmtpTools.Engine.Tests.Exchange;

/// <summary>The certificate checks of the relay plan, with certificates made here.</summary>
public sealed class RelayCertificateTests
{
    private static (string TlsName, List<PlanFinding> Findings, RelayCertificateInfo Info) Check(X509Certificate2 cert,
        string domain = "contoso.com")
    {
        var findings = new List<PlanFinding>();
        var info = CertificateInspector.Describe(cert, "test");
        string name = CertificateInspector.Check(cert, info, domain, Now, findings);
        return (name, findings, info);
    }

    [Fact]
    public void ReadsTheCommonNameAndTheSanDnsNames()
    {
        using var cert = Make("CN=scanner.contoso.com, O=Contoso, C=US",
            new[] { "scanner.contoso.com", "contoso.com", "printer.fabrikam.com" });
        var info = CertificateInspector.Describe(cert, "test");
        Assert.Equal("scanner.contoso.com", info.CommonName);
        Assert.Equal(new[] { "scanner.contoso.com", "contoso.com", "printer.fabrikam.com" }, info.DnsNames);
        Assert.Equal(cert.Thumbprint, info.Thumbprint);
        Assert.True(info.HasPrivateKey);
    }

    [Fact]
    public void ACertificateForExactlyTheDomainUsesTheDomain()
    {
        using var cert = Good("contoso.com");
        var (name, findings, _) = Check(cert);
        Assert.Equal("contoso.com", name);
        Assert.Contains(findings, f => f.Id == "CertificateNameMatches");
        Assert.DoesNotContain(findings, f => f.Severity != FindingSeverity.Information);
    }

    [Fact]
    public void TheCommonNameAloneCoversTheDomainWhenThereIsNoSan()
    {
        using var cert = Make("CN=Contoso.com", null, eku: ClientAndServer, issuer: Ca);
        var (name, findings, info) = Check(cert);
        Assert.Empty(info.DnsNames);
        Assert.Equal("contoso.com", name);
        Assert.DoesNotContain(findings, f => f.Severity != FindingSeverity.Information);
    }

    [Fact]
    public void AWildcardCertificateUsesTheWildcard()
    {
        using var cert = Good("*.contoso.com");
        var (name, findings, _) = Check(cert);
        Assert.Equal("*.contoso.com", name);
        Assert.DoesNotContain(findings, f => f.Severity != FindingSeverity.Information);
    }

    [Fact]
    public void SeveralHostNamesRecommendTheWildcard()
    {
        using var cert = Good("scanner1.contoso.com", "scanner1.contoso.com", "scanner2.contoso.com", "contoso.com");
        var (name, findings, _) = Check(cert);
        Assert.Equal("*.contoso.com", name);
        var f = Assert.Single(findings, x => x.Id == "CertificateSeveralNames");
        Assert.Contains("scanner2.contoso.com", f.Message);
        Assert.Contains("*.contoso.com", f.Remediation);
    }

    [Fact]
    public void OneHostInTheDomainIsMatchedWithTheWildcard()
    {
        using var cert = Good("scanner.contoso.com");
        var (name, findings, _) = Check(cert);
        Assert.Equal("*.contoso.com", name);
        Assert.Contains(findings, f => f.Id == "CertificateNameMatches" && f.Message.Contains("scanner.contoso.com"));
    }

    [Theory]
    [InlineData("fabrikam.com")]
    [InlineData("notcontoso.com")]
    [InlineData("contoso.com.evil.example")]
    public void ACertificateForAnotherDomainIsAnError(string other)
    {
        using var cert = Good(other);
        var (_, findings, _) = Check(cert);
        var f = Assert.Single(findings, x => x.Severity == FindingSeverity.Error);
        Assert.Equal("CertificateNameMismatch", f.Id);
        Assert.Contains(other, f.Message);
    }

    [Fact]
    public void NamesOutsideTheDomainAreMentioned()
    {
        using var cert = Good("contoso.com", "contoso.com", "mail.fabrikam.com");
        var (name, findings, _) = Check(cert);
        Assert.Equal("contoso.com", name);
        Assert.Contains(findings, f => f.Id == "CertificateOtherNames" && f.Message.Contains("mail.fabrikam.com"));
    }

    [Fact]
    public void AnExpiredCertificateIsAnError()
    {
        using var cert = Make("CN=contoso.com", new[] { "contoso.com" }, Now.AddDays(-400), Now.AddDays(-2), ClientAndServer, issuer: Ca);
        var f = Assert.Single(Check(cert).Findings, x => x.Severity == FindingSeverity.Error);
        Assert.Equal("CertificateExpired", f.Id);
        Assert.Contains(cert.NotAfter.ToUniversalTime().ToString("yyyy-MM-dd"), f.Message);
    }

    [Fact]
    public void ANotYetValidCertificateIsAnError()
    {
        using var cert = Make("CN=contoso.com", new[] { "contoso.com" }, Now.AddDays(3), Now.AddDays(400), ClientAndServer, issuer: Ca);
        var f = Assert.Single(Check(cert).Findings, x => x.Severity == FindingSeverity.Error);
        Assert.Equal("CertificateNotYetValid", f.Id);
    }

    [Theory]
    [InlineData(10, true)]
    [InlineData(29, true)]
    [InlineData(31, false)]
    public void ACertificateThatExpiresWithin30DaysIsAWarning(int days, bool warns)
    {
        using var cert = Make("CN=contoso.com", new[] { "contoso.com" }, Now.AddDays(-300), Now.AddDays(days), ClientAndServer, issuer: Ca);
        var findings = Check(cert).Findings;
        Assert.Equal(warns, findings.Any(f => f.Id == "CertificateExpiresSoon" && f.Severity == FindingSeverity.Warning));
        Assert.DoesNotContain(findings, f => f.Severity == FindingSeverity.Error);
    }

    [Fact]
    public void APublicOnlyCertificateIsEnoughForThePlanButWarnsForTheDevice()
    {
        using var full = Good("contoso.com");
        using var cert = PublicOnly(full);
        Assert.False(cert.HasPrivateKey);
        var f = Assert.Single(Check(cert).Findings, x => x.Severity == FindingSeverity.Warning);
        Assert.Equal("CertificateNoPrivateKey", f.Id);
    }

    [Fact]
    public void AServerAuthOnlyCertificateIsAnError()
    {
        using var cert = Make("CN=contoso.com", new[] { "contoso.com" }, eku: new[] { CertificateInspector.ServerAuthOid }, issuer: Ca);
        var f = Assert.Single(Check(cert).Findings, x => x.Severity == FindingSeverity.Error);
        Assert.Equal("CertificateNotForClientAuth", f.Id);
        Assert.Contains("server authentication only", f.Message);
        Assert.Contains("1.3.6.1.5.5.7.3.2", f.Message);
    }

    [Fact]
    public void AnEkuWithoutClientAuthIsAnError()
    {
        using var cert = Make("CN=contoso.com", new[] { "contoso.com" }, eku: new[] { "1.3.6.1.5.5.7.3.4" },
            issuer: Ca); // e-mail protection
        Assert.Contains(Check(cert).Findings, f => f.Id == "CertificateNotForClientAuth");
    }

    [Theory]
    [InlineData(CertificateInspector.ClientAuthOid)]
    [InlineData(CertificateInspector.AnyExtendedKeyUsageOid)]
    public void ClientAuthOrAnyPurposeIsEnough(string oid)
    {
        using var cert = Make("CN=contoso.com", new[] { "contoso.com" }, eku: new[] { oid }, issuer: Ca);
        Assert.DoesNotContain(Check(cert).Findings, f => f.Severity == FindingSeverity.Error);
    }

    [Fact]
    public void AKeyUsageWithoutDigitalSignatureIsAnError()
    {
        using var cert = Make("CN=contoso.com", new[] { "contoso.com" }, eku: ClientAndServer, keyUsage: X509KeyUsageFlags.KeyEncipherment,
            issuer: Ca);
        Assert.Contains(Check(cert).Findings, f => f.Id == "CertificateKeyUsage" && f.Severity == FindingSeverity.Error);
    }

    [Fact]
    public void ASelfSignedCertificateIsAnError()
    {
        // The connector can't accept it (Exchange Online trusts public CAs only), so the plan is not ready (issue 13).
        using var cert = Make("CN=contoso.com", new[] { "contoso.com" }, eku: ClientAndServer);
        var f = Assert.Single(Check(cert).Findings, x => x.Severity == FindingSeverity.Error);
        Assert.Equal("CertificateSelfSigned", f.Id);
    }
}
