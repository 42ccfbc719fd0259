using M365SmtpTools.Engine.Dns;
using M365SmtpTools.Engine.Dns.Dkim;
using M365SmtpTools.Engine.Dns.Dmarc;

namespace M365SmtpTools.Engine.Tests.Dns;

/// <summary>DMARC records and Microsoft 365 DKIM selectors, parsed offline and read from nsd.</summary>
public class DmarcDkimNsdTests
{
    [Fact]
    public void Parses_a_full_DMARC_record()
    {
        DmarcRecord r = DmarcRecord.Parse("v=DMARC1; p=quarantine; sp=reject; pct=50; rua=mailto:a@contoso.com,mailto:b@example.net!10m; "
            + "ruf=mailto:f@contoso.com; adkim=s; aspf=r; fo=1:d");
        Assert.True(r.IsValid, string.Join("; ", r.Errors));
        Assert.Equal(DmarcPolicy.Quarantine, r.Policy);
        Assert.Equal(DmarcPolicy.Reject, r.SubdomainPolicy);
        Assert.Equal(50, r.Percent);
        Assert.Equal(DmarcAlignment.Strict, r.DkimAlignment);
        Assert.Equal(DmarcAlignment.Relaxed, r.SpfAlignment);
        Assert.Equal(new[] { "mailto:a@contoso.com", "mailto:b@example.net" }, r.AggregateReportUris);
        Assert.Equal(new[] { "mailto:f@contoso.com" }, r.FailureReportUris);
        Assert.Equal("1:d", r.FailureOptions);
        Assert.Contains(r.Warnings, w => w.Contains("pct=50"));
    }

    [Theory]
    [InlineData("v=DMARC1; p=maybe", "'p=maybe'")]
    [InlineData("v=DMARC1", "'p' is missing")]
    [InlineData("v=DMARC1; p=reject; pct=150", "pct=150")]
    [InlineData("v=DMARC1; p=reject; adkim=x", "adkim=x")]
    [InlineData("v=DMARC1; p=reject; rua=dmarc@contoso.com", "not a URI")]
    [InlineData("v=DMARC1; p=reject; p=none", "twice")]
    [InlineData("p=reject; v=DMARC1", "begin with 'v=DMARC1'")]
    public void Reports_DMARC_errors(string text, string expected)
    {
        DmarcRecord r = DmarcRecord.Parse(text);
        Assert.False(r.IsValid);
        Assert.Contains(r.Errors, e => e.Contains(expected));
    }

    [Fact]
    public async Task Reads_DMARC_variants_from_DNS()
    {
        DnsClient dns = DnsClientNsdTests.Client(out _);
        var ct = TestContext.Current.CancellationToken;

        DmarcLookupResult contoso = await DmarcLookup.GetAsync(dns, "contoso.test", ct);
        Assert.Null(contoso.Problem);
        Assert.Equal("_dmarc.contoso.test", contoso.RecordName);
        Assert.Equal(DmarcPolicy.Reject, contoso.Record!.Policy);
        Assert.Equal(DmarcPolicy.Quarantine, contoso.Record.SubdomainPolicy);
        Assert.Equal(new[] { "mailto:dmarc-reports@contoso.test" }, contoso.Record.AggregateReportUris);
        Assert.Empty(contoso.Record.Warnings);

        DmarcLookupResult fabrikam = await DmarcLookup.GetAsync(dns, "fabrikam.test", ct);
        Assert.Equal(DmarcPolicy.None, fabrikam.Record!.Policy);
        Assert.Contains(fabrikam.Record.Warnings, w => w.Contains("p=none only monitors"));

        DmarcLookupResult broken = await DmarcLookup.GetAsync(dns, "broken.fabrikam.test", ct);
        Assert.False(broken.Record!.IsValid);
        Assert.Contains(broken.Record.Errors, e => e.Contains("p=maybe"));
        Assert.Contains(broken.Record.Errors, e => e.Contains("pct=150"));

        DmarcLookupResult quarantine = await DmarcLookup.GetAsync(dns, "quarantine.fabrikam.test", ct);
        Assert.Equal(DmarcPolicy.Quarantine, quarantine.Record!.Policy);
        Assert.Equal(2, quarantine.Record.AggregateReportUris.Count);

        DmarcLookupResult nov = await DmarcLookup.GetAsync(dns, "nov.fabrikam.test", ct);
        Assert.Null(nov.Record);
        Assert.Contains("none starts with 'v=DMARC1'", nov.Problem);

        DmarcLookupResult two = await DmarcLookup.GetAsync(dns, "two.fabrikam.test", ct);
        Assert.Null(two.Record);
        Assert.Contains("2 DMARC records", two.Problem);

        DmarcLookupResult none = await DmarcLookup.GetAsync(dns, "nomx.contoso.test", ct);
        Assert.Null(none.Record);
        Assert.Contains("has no DMARC record", none.Problem);
    }

    [Fact]
    public async Task Reads_DKIM_selectors_in_both_Microsoft_365_forms()
    {
        DnsClient dns = DnsClientNsdTests.Client(out _);
        var ct = TestContext.Current.CancellationToken;

        var contoso = await DkimSelectorCheck.CheckAsync(dns, "contoso.test", ct);
        Assert.Equal(new[] { "selector1", "selector2" }, contoso.Select(s => s.Selector));
        Assert.All(contoso, s => Assert.Equal(DkimSelectorState.Microsoft365OnMicrosoft, s.State));
        Assert.All(contoso, s => Assert.Equal("contoso", s.Tenant));
        Assert.All(contoso, s => Assert.True(s.TargetLabelMatchesDomain));
        Assert.Equal("selector2-contoso-test._domainkey.contoso.onmicrosoft.com", contoso[1].Target);

        var fabrikam = await DkimSelectorCheck.CheckAsync(dns, "fabrikam.test", ct);
        Assert.All(fabrikam, s => Assert.Equal(DkimSelectorState.Microsoft365DkimMailMicrosoft, s.State));
        Assert.All(fabrikam, s => Assert.Equal("fabrikam", s.Tenant));
        Assert.Equal("selector1-fabrikam-test._domainkey.fabrikam.e-v1.dkim.mail.microsoft", fabrikam[0].Target);

        var half = await DkimSelectorCheck.CheckAsync(dns, "dkimhalf.fabrikam.test", ct);
        Assert.Equal(DkimSelectorState.Microsoft365OnMicrosoft, half[0].State);
        Assert.True(half[0].TargetLabelMatchesDomain);
        Assert.Equal(DkimSelectorState.Missing, half[1].State);
        Assert.Contains("not published", half[1].Finding);

        var other = await DkimSelectorCheck.CheckAsync(dns, "dkimother.fabrikam.test", ct);
        Assert.Equal(DkimSelectorState.OtherCname, other[0].State);
        Assert.Equal("s1.dkim.other-provider.example", other[0].Target);
        Assert.Equal(DkimSelectorState.TxtKey, other[1].State);
    }
}
