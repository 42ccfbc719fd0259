using M365SmtpTools.Engine.Exchange;

namespace M365SmtpTools.Engine.Tests.Exchange;

public sealed class SpfRecordPlannerTests
{
    private const string Ip = "52.160.10.25";

    private static (SpfChange Change, List<PlanFinding> Findings) Plan(string? sender, params string[] txt)
    {
        var findings = new List<PlanFinding>();
        var change = SpfRecordPlanner.Plan("contoso.com", txt, sender == null ? null : SenderAddressRange.Parse(sender), findings);
        return (change, findings);
    }

    [Theory]
    // the sender goes before the first include/all; Microsoft's include is kept
    [InlineData("v=spf1 include:spf.protection.outlook.com -all", "v=spf1 ip4:52.160.10.25 include:spf.protection.outlook.com -all")]
    // other terms kept in order; the include added before all
    [InlineData("v=spf1 mx a:mail.contoso.com include:_spf.google.com ~all",
        "v=spf1 mx a:mail.contoso.com ip4:52.160.10.25 include:_spf.google.com include:spf.protection.outlook.com ~all")]
    // redirect (a modifier) stays last; no all needed then
    [InlineData("v=spf1 a mx redirect=_spf.contoso.com",
        "v=spf1 a mx ip4:52.160.10.25 include:spf.protection.outlook.com redirect=_spf.contoso.com")]
    // no all: terms appended at the end
    [InlineData("v=spf1 mx", "v=spf1 mx ip4:52.160.10.25 include:spf.protection.outlook.com")]
    // the all qualifier is kept as it is, even +all
    [InlineData("v=spf1 +all", "v=spf1 ip4:52.160.10.25 include:spf.protection.outlook.com +all")]
    [InlineData("v=spf1 ip4:40.1.2.3 ?all", "v=spf1 ip4:40.1.2.3 ip4:52.160.10.25 include:spf.protection.outlook.com ?all")]
    // unknown modifiers (exp=) and spacing: terms kept, single spaces
    [InlineData("v=spf1  ip6:2001:db8::/32   include:spf.protection.outlook.com -all exp=explain._spf.contoso.com",
        "v=spf1 ip6:2001:db8::/32 ip4:52.160.10.25 include:spf.protection.outlook.com -all exp=explain._spf.contoso.com")]
    // mechanisms are case-insensitive; the version is written as v=spf1
    [InlineData("V=SPF1 INCLUDE:SPF.PROTECTION.OUTLOOK.COM -ALL", "v=spf1 ip4:52.160.10.25 INCLUDE:SPF.PROTECTION.OUTLOOK.COM -ALL")]
    public void MergesTheSenderIntoTheExistingRecord(string current, string proposed)
    {
        var (change, findings) = Plan(Ip, "google-site-verification=abc", current);
        Assert.True(change.Checked);
        Assert.Equal(current.Trim(), change.Current);
        Assert.False(change.AuthorizesSender);
        Assert.True(change.ChangeNeeded);
        Assert.Equal(proposed, change.Proposed);
        Assert.Equal(new[] { proposed }, change.ProposedStrings);
        var f = Assert.Single(findings, x => x.Id == "SpfNotAuthorized");
        Assert.Equal(FindingSeverity.Warning, f.Severity);
        Assert.Contains("Test-M365MailDomain", f.Message);     // includes are not evaluated here: say where they are
        Assert.EndsWith(proposed, f.Remediation);
    }

    [Theory]
    [InlineData("v=spf1 ip4:52.160.10.25 include:spf.protection.outlook.com -all", "52.160.10.25")]
    [InlineData("v=spf1 ip4:52.160.10.0/24 include:spf.protection.outlook.com -all", "52.160.10.25")]
    [InlineData("v=spf1 +ip4:52.160.0.0/16 include:spf.protection.outlook.com ~all", "52.160.10.16/28")]
    public void NoChangeWhenAnIp4TermCoversTheSenderAndMicrosoftIsIncluded(string current, string sender)
    {
        var (change, findings) = Plan(sender, current);
        Assert.True(change.AuthorizesSender);
        Assert.False(change.ChangeNeeded);
        Assert.Null(change.Proposed);
        Assert.Equal(1, change.DnsLookupTerms);
        Assert.Contains(findings, f => f.Id == "SpfAuthorizesSender" && f.Severity == FindingSeverity.Information);
        Assert.DoesNotContain(findings, f => f.Severity != FindingSeverity.Information);
    }

    [Fact]
    public void ANarrowerIp4TermDoesNotCoverAWiderSenderRange()
    {
        var (change, _) = Plan("52.160.10.0/24", "v=spf1 ip4:52.160.10.0/28 include:spf.protection.outlook.com -all");
        Assert.False(change.AuthorizesSender);
        Assert.Equal("v=spf1 ip4:52.160.10.0/28 ip4:52.160.10.0/24 include:spf.protection.outlook.com -all", change.Proposed);
    }

    [Fact]
    public void AuthorizedSenderWithoutMicrosoftsIncludeGetsOnlyTheInclude()
    {
        var (change, findings) = Plan(Ip, "v=spf1 ip4:52.160.10.0/24 -all");
        Assert.True(change.AuthorizesSender);
        Assert.Equal("v=spf1 ip4:52.160.10.0/24 include:spf.protection.outlook.com -all", change.Proposed);
        Assert.Contains(findings, f => f.Id == "SpfMissingMicrosoftInclude" && f.Severity == FindingSeverity.Warning);
        Assert.DoesNotContain(findings, f => f.Id == "SpfNotAuthorized");
    }

    [Fact]
    public void NoRecordGivesANewOneWithSoftfail()
    {
        var (change, findings) = Plan(Ip, "MS=ms123", "v=DMARC1; p=none");
        Assert.Empty(change.CurrentRecords);
        Assert.Null(change.Current);
        Assert.Equal("v=spf1 ip4:52.160.10.25 include:spf.protection.outlook.com ~all", change.Proposed);
        var f = Assert.Single(findings);
        Assert.Equal("SpfMissing", f.Id);
        Assert.Contains("-all", f.Remediation);   // says when to tighten
    }

    [Fact]
    public void CertificatePlansOnlyNeedMicrosoftsInclude()
    {
        var (none, _) = Plan(null);
        Assert.Equal("v=spf1 include:spf.protection.outlook.com ~all", none.Proposed);
        Assert.Null(none.AuthorizesSender);

        var (merged, findings) = Plan(null, "v=spf1 ip4:40.1.2.3 -all");
        Assert.Equal("v=spf1 ip4:40.1.2.3 include:spf.protection.outlook.com -all", merged.Proposed);
        Assert.Contains(findings, f => f.Id == "SpfMissingMicrosoftInclude");

        var (fine, ok) = Plan(null, "v=spf1 include:spf.protection.outlook.com -all");
        Assert.False(fine.ChangeNeeded);
        Assert.Contains(ok, f => f.Id == "SpfIncludesMicrosoft365");
    }

    [Fact]
    public void SeveralSpfRecordsAreAnErrorAndNothingIsProposed()
    {
        var (change, findings) = Plan(Ip, "v=spf1 include:spf.protection.outlook.com -all", "v=spf1 ip4:40.1.2.3 ~all");
        Assert.Equal(2, change.CurrentRecords.Length);
        Assert.Null(change.Current);
        Assert.Null(change.Proposed);
        var f = Assert.Single(findings);
        Assert.Equal("SpfMultipleRecords", f.Id);
        Assert.Equal(FindingSeverity.Error, f.Severity);
        Assert.Contains("ip4:52.160.10.25", f.Remediation);
    }

    [Theory]
    [InlineData("v=spf1 +all", true)]
    [InlineData("v=spf1 all", true)]
    [InlineData("v=spf1 ?all", true)]
    [InlineData("v=spf1 ~all", false)]
    [InlineData("v=spf1 -all", false)]
    public void WarnsOnPermissiveAll(string record, bool warns)
    {
        var (_, findings) = Plan(Ip, record);
        Assert.Equal(warns, findings.Any(f => f.Id == "SpfPermissiveAll" && f.Severity == FindingSeverity.Warning));
    }

    [Fact]
    public void WarnsWhenNothingEndsTheRecord()
    {
        Assert.Contains(Plan(Ip, "v=spf1 mx").Findings, f => f.Id == "SpfNoAll");
        Assert.DoesNotContain(Plan(Ip, "v=spf1 mx redirect=_spf.contoso.com").Findings, f => f.Id == "SpfNoAll");
    }

    [Fact]
    public void CountsDnsQueryingTermsAndWarnsPastTen()
    {
        string nine = "v=spf1 a mx ptr exists:%{i}.x.contoso.com "
            + string.Join(" ", Enumerable.Range(1, 5).Select(i => $"include:s{i}.example.net")) + " ip4:40.1.2.3 ~all";
        var (c9, f9) = Plan(Ip, nine);
        Assert.Equal(10, c9.DnsLookupTerms);   // nine + Microsoft's include
        Assert.DoesNotContain(f9, f => f.Id == "SpfTooManyLookups");

        var (c10, f10) = Plan(Ip, nine.Replace(" ~all", " include:s6.example.net ~all"));
        Assert.Equal(11, c10.DnsLookupTerms);
        var w = Assert.Single(f10, f => f.Id == "SpfTooManyLookups");
        Assert.Contains("11", w.Message);

        var (c, _) = Plan(Ip, "v=spf1 include:a.example.net redirect=_spf.example.net");
        Assert.Equal(3, c.DnsLookupTerms);     // include, Microsoft's include, redirect
    }

    [Fact]
    public void ARecordLongerThan255CharactersIsSplitIntoStrings()
    {
        string current = "v=spf1 " + string.Join(" ", Enumerable.Range(1, 20).Select(i => $"ip4:40.{i}.200.0/24"))
            + " include:spf.protection.outlook.com -all";
        var (change, findings) = Plan(Ip, current);
        Assert.True(change.Proposed!.Length > 255);
        Assert.True(change.ProposedStrings.Length >= 2);
        Assert.All(change.ProposedStrings, s => Assert.True(s.Length <= 255, s));
        Assert.Equal(change.Proposed, string.Concat(change.ProposedStrings));
        Assert.StartsWith(" ", change.ProposedStrings[1]);   // cut before a space, so no term is split
        var f = Assert.Single(findings, x => x.Id == "SpfRecordSplit");
        Assert.Contains("255", f.Message);
        Assert.Contains("\"" + change.ProposedStrings[0] + "\"", f.Remediation);
    }

    [Fact]
    public void SplitCutsAnywhereWhenThereIsNoSpace()
    {
        string text = new string('x', 600);
        var parts = SpfRecordPlanner.Split(text);
        Assert.Equal(new[] { 255, 255, 90 }, parts.Select(p => p.Length));
        Assert.Equal(text, string.Concat(parts));
    }

    [Fact]
    public void AnIp4TermThatFailsTheSenderIsAnError()
    {
        var (change, findings) = Plan(Ip, "v=spf1 -ip4:52.160.10.0/24 include:spf.protection.outlook.com ~all");
        Assert.False(change.AuthorizesSender);
        var f = Assert.Single(findings, x => x.Id == "SpfDeniesSender");
        Assert.Equal(FindingSeverity.Error, f.Severity);
        Assert.Contains("-ip4:52.160.10.0/24", f.Message);
        Assert.Null(change.Proposed);
    }

    [Fact]
    public void UnreadableDnsLeavesSpfUnchecked()
    {
        var findings = new List<PlanFinding>();
        var change = SpfRecordPlanner.Plan("contoso.com", null, SenderAddressRange.Parse(Ip), findings);
        Assert.False(change.Checked);
        Assert.Null(change.Proposed);
        Assert.Empty(findings);
    }
}
