using System.Net;
using M365SmtpTools.Engine.Dns;
using M365SmtpTools.Engine.Dns.Dkim;
using M365SmtpTools.Engine.Dns.Dmarc;
using M365SmtpTools.Engine.Dns.Spf;
using M365SmtpTools.Engine.Exchange;
using M365SmtpTools.Engine.Operations;
using M365SmtpTools.Engine.Tests.Infrastructure;
using static M365SmtpTools.Engine.Tests.Operations.TestMailDomain.MailDomainRun;

namespace M365SmtpTools.Engine.Tests.Operations.TestMailDomain;

/// <summary>
/// Test-M365MailDomain's operation against nsd on loopback (zone tests/interop/zones/maildomain.test.zone). One class,
/// so the tests that write tests/generated/maildomain run one after another.
/// </summary>
public class TestMailDomainOperationTests
{
    // ------------------------------------------------------------------ a complete, correct domain

    [Fact]
    public async Task A_complete_Microsoft_365_setup_passes()
    {
        MailDomainReport r = await One("Good.MailDomain.test.");
        Assert.Equal("good.maildomain.test", r.Domain);
        Assert.True(r.Overall == MailDomainStatus.Passed, Ids(r));
        Assert.All(r.Findings, f => Assert.Equal(FindingSeverity.Information, f.Severity));
        Assert.All(r.Findings, f => Assert.Equal("good.maildomain.test", f.Domain));
        Assert.Equal(MailDomainRun.NsdServer(), r.DnsServer);

        Assert.True(r.IsMicrosoft365);
        MxEndpointResult mx = Assert.Single(r.Mx);
        Assert.Equal(("good-maildomain-test.mail.protection.outlook.com", MxEndpointForm.Legacy, (int?)0),
            (mx.MxHost, mx.EndpointForm, mx.Preference));

        Assert.Equal("v=spf1 ip4:203.0.113.25 include:spf.protection.outlook.com -all", r.Spf.Record);
        Assert.Equal(1, r.Spf.RecordCount);
        Assert.Equal("-all", r.Spf.AllTerm);
        Assert.True(r.Spf.IncludesMicrosoft365);
        Assert.Equal(1, r.Spf.DnsLookups);
        Assert.Equal(0, r.Spf.VoidLookups);
        Assert.Equal(SpfResult.Fail, r.Spf.Result);
        Assert.Null(r.Spf.SenderIPAddress);
        Assert.Null(r.Spf.SenderResult);

        Assert.Equal("_dmarc.good.maildomain.test", r.Dmarc.RecordName);
        Assert.Equal("v=DMARC1; p=reject; rua=mailto:dmarc-reports@good.maildomain.test", r.Dmarc.Record);
        Assert.True(r.Dmarc.IsValid);
        Assert.Equal(DmarcPolicy.Reject, r.Dmarc.Policy);
        Assert.Equal(100, r.Dmarc.Percent);
        Assert.Equal(new[] { "mailto:dmarc-reports@good.maildomain.test" }, r.Dmarc.AggregateReportUris);
        Assert.Null(r.Dmarc.SuggestedRecord);

        Assert.Equal(new[]
            {
                ("selector1", DkimSelectorState.Microsoft365OnMicrosoft), ("selector2", DkimSelectorState.Microsoft365OnMicrosoft)
            },
            r.Dkim.Select(d => (d.Selector, d.State)));
        Assert.All(r.Dkim, d => Assert.Equal("goodtenant", d.Tenant));

        Assert.Equal(new[] { "MxMicrosoft365", "SpfValid", "DmarcEnforced", "DkimCnamesPublished" }, r.Findings.Select(f => f.Id));
        Assert.Contains("p=reject", Finding(r, "DmarcEnforced").Message);
        Assert.Contains(TestMailDomainOperation.DefenderDkimPage, Finding(r, "DkimCnamesPublished").Remediation);
        Assert.Contains("1 of 10 DNS lookups", Finding(r, "SpfValid").Message);
    }

    [Fact]
    public async Task Direct_Send_from_the_listed_IP_passes_SPF()
    {
        MailDomainReport r = await One("good.maildomain.test", "203.0.113.25");
        Assert.True(r.Overall == MailDomainStatus.Passed, Ids(r));
        Assert.Equal("203.0.113.25", r.Spf.SenderIPAddress);
        Assert.Equal(SpfResult.Pass, r.Spf.SenderResult);
        Assert.Equal("ip4:203.0.113.25", r.Spf.SenderMatchedMechanism);
        Assert.Equal(MailDomainCheck.DirectSend, Finding(r, "DirectSendSpfPass").Check);
        Assert.Contains("relaxed alignment", Finding(r, "DirectSendAlignment").Message);
        MailDomainFinding reject = Finding(r, "DirectSendRejectSetting");
        Assert.Equal("(Get-OrganizationConfig).RejectDirectSend", reject.Command);
        Assert.Contains("5.7.68", reject.Message);
    }

    [Fact]
    public async Task Direct_Send_from_a_Microsoft_365_address_passes_through_the_include()
    {
        // 40.107.0.0/16 is in the stand-in of spf.protection.outlook.com served by nsd: the include is really evaluated.
        MailDomainReport r = await One("good.maildomain.test", "40.107.3.4");
        Assert.Equal(SpfResult.Pass, r.Spf.SenderResult);
        Assert.Equal("include:spf.protection.outlook.com", r.Spf.SenderMatchedMechanism);
    }

    [Fact]
    public async Task Direct_Send_from_an_unlisted_IP_fails_with_the_record_to_publish()
    {
        MailDomainReport r = await One("good.maildomain.test", "198.51.100.99");
        Assert.Equal(MailDomainStatus.Failed, r.Overall);
        Assert.Equal(SpfResult.Fail, r.Spf.SenderResult);
        Assert.Equal("-all", r.Spf.SenderMatchedMechanism);
        MailDomainFinding f = Finding(r, "DirectSendSpfFail");
        Assert.Equal(FindingSeverity.Error, f.Severity);
        Assert.Contains("p=reject", f.Message);
        Assert.Contains("Publish this as the only SPF record of good.maildomain.test: "
            + "v=spf1 ip4:198.51.100.99 ip4:203.0.113.25 include:spf.protection.outlook.com -all", f.Remediation);
        Assert.EndsWith("-all", f.Remediation);
        Assert.Null(f.Command);
        Assert.Equal(MailDomainFinding_First(r), f);

        // The proposed record is valid SPF and would authorize the address.
        string proposed = f.Remediation!.Split(": ", 2)[1];
        Assert.True(SpfRecord.TryParse(proposed, out SpfRecord? parsed, out _));
        Assert.Contains(parsed!.Mechanisms, m => m.Kind == SpfMechanismKind.Ip4 && m.Network!.Equals(IPAddress.Parse("198.51.100.99")));
    }

    private static MailDomainFinding MailDomainFinding_First(MailDomainReport r) => r.Findings[0];

    [Fact]
    public async Task An_IPv6_sender_gets_an_ip6_term()
    {
        MailDomainReport r = await One("good.maildomain.test", "2001:db8::25");
        Assert.Equal(SpfResult.Fail, r.Spf.SenderResult);
        Assert.Contains("v=spf1 ip6:2001:db8::25 ip4:203.0.113.25", Finding(r, "DirectSendSpfFail").Remediation);
    }

    [Fact]
    public async Task A_private_sender_address_is_a_warning()
    {
        MailDomainReport r = await One("good.maildomain.test", "192.168.10.20");
        Assert.Equal(FindingSeverity.Warning, Finding(r, "SenderIPAddressNotPublic").Severity);
        Assert.Equal(SpfResult.Fail, r.Spf.SenderResult);
    }

    // ------------------------------------------------------------------ MX

    [Fact]
    public async Task The_DNSSEC_MX_form_and_the_newer_DKIM_form_pass_and_name_the_DNSSEC_command()
    {
        MailDomainReport r = await One("dnssec.maildomain.test", "203.0.113.25");
        Assert.Equal(MxEndpointForm.Dnssec, Assert.Single(r.Mx).EndpointForm);
        MailDomainFinding mx = Finding(r, "MxMicrosoft365");
        Assert.Equal("Get-DnssecStatusForVerifiedDomain -DomainName 'dnssec.maildomain.test'", mx.Command);
        Assert.Contains("DNSSEC-capable", mx.Message);
        Assert.All(r.Dkim, d => Assert.Equal(DkimSelectorState.Microsoft365DkimMailMicrosoft, d.State));
        Assert.Contains("dkim.mail.microsoft", Finding(r, "DkimCnamesPublished").Message);
        Assert.Equal(DmarcPolicy.Quarantine, r.Dmarc.Policy);
        Assert.Equal(DmarcAlignment.Strict, r.Dmarc.SpfAlignment);
        // Direct Send: the sender isn't listed, and DMARC's strict SPF alignment is explained.
        Assert.Contains("exactly dnssec.maildomain.test (the DMARC record has aspf=s)", Finding(r, "DirectSendAlignment").Message);
        Assert.Contains("p=quarantine", Finding(r, "DirectSendSpfFail").Message);
    }

    [Fact]
    public async Task Both_MX_forms_at_once_is_a_warning_with_the_DNSSEC_command()
    {
        MailDomainReport r = await One("mixedforms.maildomain.test");
        Assert.Equal(new[] { MxEndpointForm.Dnssec, MxEndpointForm.Legacy }, r.Mx.Select(m => m.EndpointForm));
        MailDomainFinding f = Finding(r, "MxMixedForms");
        Assert.Equal(FindingSeverity.Warning, f.Severity);
        Assert.Equal("Get-DnssecStatusForVerifiedDomain -DomainName 'mixedforms.maildomain.test'", f.Command);
        Assert.Null(Finding(r, "MxMicrosoft365").Command); // the command once, on the finding that needs it
        Assert.Equal(FindingSeverity.Warning, Finding(r, "DkimNotConfigured").Severity);
        Assert.Equal(MailDomainStatus.Warning, r.Overall);
    }

    [Fact]
    public async Task MX_elsewhere_is_a_warning_and_doesnt_demand_the_Microsoft_include()
    {
        MailDomainReport r = await One("elsewhere.maildomain.test");
        Assert.False(r.IsMicrosoft365);
        Assert.Equal(new[] { "mx1.mail-provider.example", "mx2.mail-provider.example" }, r.Mx.Select(m => m.MxHost));
        Assert.Equal(FindingSeverity.Warning, Finding(r, "MxNotMicrosoft365").Severity);
        Assert.Contains("elsewhere-maildomain-test.mail.protection.outlook.com", Finding(r, "MxNotMicrosoft365").Remediation);
        Assert.False(r.Spf.IncludesMicrosoft365);
        Assert.DoesNotContain(r.Findings, f => f.Id == "SpfMissingMicrosoft365Include");
    }

    [Fact]
    public async Task No_MX_and_null_MX_are_errors()
    {
        MailDomainReport nomx = await One("nomx.maildomain.test");
        MailDomainFinding f = Finding(nomx, "MxMissing");
        Assert.Equal(FindingSeverity.Error, f.Severity);
        Assert.Equal("Get-AcceptedDomain -Identity 'nomx.maildomain.test'", f.Command);
        Assert.Contains("nomx-maildomain-test.mail.protection.outlook.com", f.Remediation);
        Assert.Empty(nomx.Mx);
        Assert.Equal(MailDomainStatus.Failed, nomx.Overall);

        MailDomainReport nullmx = await One("nullmx.maildomain.test");
        Assert.Equal(FindingSeverity.Error, Finding(nullmx, "MxNullMx").Severity);
        Assert.Equal(".", Assert.Single(nullmx.Mx).MxHost);
    }

    // ------------------------------------------------------------------ SPF

    [Fact]
    public async Task Nested_includes_are_followed_for_the_Microsoft_include_the_lookups_and_the_sender()
    {
        MailDomainReport r = await One("nested.maildomain.test", "198.51.100.70");
        Assert.True(r.Spf.IncludesMicrosoft365);
        Assert.Equal(3, r.Spf.DnsLookups);
        Assert.Equal(SpfResult.Fail, r.Spf.Result);
        Assert.Equal(SpfResult.Pass, r.Spf.SenderResult);
        Assert.Equal("include:_spf.nested.maildomain.test", r.Spf.SenderMatchedMechanism);
        Assert.True(r.Overall == MailDomainStatus.Warning, Ids(r)); // no DKIM selectors
        Assert.DoesNotContain(r.Findings, f => f.Check == MailDomainCheck.Spf && f.Severity != FindingSeverity.Information);
    }

    [Fact]
    public async Task A_redirect_is_followed()
    {
        MailDomainReport pass = await One("redirect.maildomain.test", "203.0.113.40");
        Assert.Equal(SpfResult.Pass, pass.Spf.SenderResult);
        Assert.Null(pass.Spf.AllTerm);
        Assert.True(pass.Spf.IncludesMicrosoft365);
        Assert.Equal(2, pass.Spf.DnsLookups);
        Assert.DoesNotContain(pass.Findings, f => f.Id == "SpfNoAll");

        MailDomainReport fail = await One("redirect.maildomain.test", "203.0.113.41");
        Assert.Equal(SpfResult.Fail, fail.Spf.SenderResult);
        Assert.Contains("v=spf1 ip4:203.0.113.41 redirect=_spf.redirect.maildomain.test", Finding(fail, "DirectSendSpfFail").Remediation);
    }

    [Fact]
    public async Task A_record_split_into_several_strings_is_joined()
    {
        var (reports, _, host) = await Run(new TestMailDomainRequest
        {
            Domain = new[] { "split.maildomain.test" }, SenderIPAddress = IPAddress.Parse("203.0.113.50")
        });
        MailDomainReport r = Assert.Single(reports);
        Assert.Equal("v=spf1 ip4:203.0.113.50 include:spf.protection.outlook.com -all", r.Spf.Record);
        Assert.Equal(SpfResult.Pass, r.Spf.SenderResult);
        Assert.True(r.Spf.IncludesMicrosoft365);
        Assert.Contains(host.Verbose, v => v.Contains("published as 3 strings"));
    }

    [Fact]
    public async Task More_than_10_lookups_is_an_error_even_when_the_sender_matches_early()
    {
        MailDomainReport r = await One("toomany.maildomain.test", "198.51.100.1");
        MailDomainFinding f = Finding(r, "SpfTooManyLookups");
        Assert.Equal(FindingSeverity.Error, f.Severity);
        Assert.Contains("include:spf.protection.outlook.com", f.Evidence);
        Assert.Equal(11, r.Spf.DnsLookups);
        Assert.Equal(SpfResult.PermError, r.Spf.Result);
        Assert.Equal(SpfResult.Pass, r.Spf.SenderResult); // t1 matches at the first lookup
        Assert.Equal(MailDomainStatus.Failed, r.Overall);
        Assert.DoesNotContain(r.Findings, x => x.Id == "SpfMissingMicrosoft365Include");
    }

    [Fact]
    public async Task An_include_loop_is_an_error_naming_the_loop()
    {
        MailDomainReport r = await One("loop.maildomain.test");
        MailDomainFinding f = Finding(r, "SpfLoop");
        Assert.Equal(FindingSeverity.Error, f.Severity);
        Assert.Contains("_a.loop.maildomain.test -> _b.loop.maildomain.test -> _a.loop.maildomain.test", f.Evidence);
    }

    [Fact]
    public async Task Three_void_lookups_are_an_error()
    {
        MailDomainReport r = await One("void.maildomain.test");
        Assert.Equal(FindingSeverity.Error, Finding(r, "SpfTooManyVoidLookups").Severity);
        Assert.Equal(3, r.Spf.VoidLookups);
        Assert.Contains("gone3.maildomain.test", Finding(r, "SpfTooManyVoidLookups").Evidence);
    }

    [Fact]
    public async Task Two_SPF_records_are_an_error_and_Direct_Send_cant_pass()
    {
        MailDomainReport r = await One("twospf.maildomain.test", "203.0.113.60");
        MailDomainFinding f = Finding(r, "SpfMultipleRecords");
        Assert.Equal(FindingSeverity.Error, f.Severity);
        Assert.Contains("v=spf1 ip4:203.0.113.60 -all", f.Evidence);
        Assert.Equal(2, r.Spf.RecordCount);
        Assert.Null(r.Spf.Record);
        Assert.Equal(SpfResult.PermError, r.Spf.Result);
        Assert.Equal(SpfResult.PermError, r.Spf.SenderResult);
        Assert.Equal(FindingSeverity.Error, Finding(r, "DirectSendSpfError").Severity);
    }

    [Fact]
    public async Task A_syntax_error_names_the_term()
    {
        MailDomainReport r = await One("syntax.maildomain.test");
        MailDomainFinding f = Finding(r, "SpfSyntaxError");
        Assert.Equal(FindingSeverity.Error, f.Severity);
        Assert.Contains("203.0.113.300", f.Message);
        Assert.Equal(SpfResult.PermError, r.Spf.Result);
    }

    [Theory]
    [InlineData("plusall.maildomain.test", "SpfPlusAll", "+all")]
    [InlineData("neutralall.maildomain.test", "SpfNeutralAll", "?all")]
    [InlineData("noall.maildomain.test", "SpfNoAll", null)]
    public async Task Permissive_endings_are_warnings(string domain, string id, string? allTerm)
    {
        MailDomainReport r = await One(domain);
        Assert.Equal(FindingSeverity.Warning, Finding(r, id).Severity);
        Assert.Equal(allTerm, r.Spf.AllTerm);
        Assert.DoesNotContain(r.Findings, f => f.Id == "SpfAuthorizesEveryone");
        if (domain.StartsWith("noall")) Assert.Equal(FindingSeverity.Warning, Finding(r, "SpfPtrMechanism").Severity);
        if (domain.StartsWith("plusall")) Assert.Equal(SpfResult.Pass, r.Spf.Result);
    }

    [Fact]
    public async Task A_Microsoft_365_domain_without_the_Microsoft_include_gets_the_merged_record()
    {
        MailDomainReport r = await One("noinclude.maildomain.test");
        Assert.False(r.Spf.IncludesMicrosoft365);
        MailDomainFinding f = Finding(r, "SpfMissingMicrosoft365Include");
        Assert.Equal(FindingSeverity.Warning, f.Severity);
        Assert.Contains("v=spf1 ip4:203.0.113.70 include:spf.protection.outlook.com -all", f.Remediation);
    }

    [Fact]
    public async Task A_DNS_failure_inside_the_SPF_tree_is_a_finding_not_an_exception()
    {
        // _spf.not-served.example is outside nsd's zones: it answers REFUSED, a server failure for the client.
        MailDomainReport r = await One("unreachable.maildomain.test");
        Assert.Equal(SpfResult.TempError, r.Spf.Result);
        MailDomainFinding f = Finding(r, "SpfLookupFailed");
        Assert.Equal(FindingSeverity.Warning, f.Severity);
        Assert.Contains("_spf.not-served.example", f.Evidence);
        Assert.Contains("REFUSED", f.Evidence);
    }

    [Fact]
    public async Task Without_the_mirror_the_real_resolver_path_reports_the_refused_Microsoft_include_as_a_finding()
    {
        var (reports, errors, _) = await Run(new TestMailDomainRequest { Domain = new[] { "good.maildomain.test" } }, mirror: false);
        Assert.Empty(errors);
        MailDomainReport r = Assert.Single(reports);
        Assert.Equal(SpfResult.TempError, r.Spf.Result);
        Assert.Contains("spf.protection.outlook.com", Finding(r, "SpfLookupFailed").Evidence);
        Assert.Equal(MailDomainStatus.Warning, r.Overall);
    }

    // ------------------------------------------------------------------ nothing published

    [Fact]
    public async Task A_bare_domain_gets_SPF_DMARC_and_DKIM_findings_with_what_to_publish()
    {
        MailDomainReport r = await One("bare.maildomain.test", "203.0.113.9");
        Assert.Equal(MailDomainStatus.Failed, r.Overall);
        Assert.Equal(0, r.Spf.RecordCount);
        Assert.Equal(SpfResult.None, r.Spf.Result);
        Assert.Contains("v=spf1 include:spf.protection.outlook.com ~all", Finding(r, "SpfMissing").Remediation);

        MailDomainFinding dmarc = Finding(r, "DmarcMissing");
        Assert.Equal(FindingSeverity.Warning, dmarc.Severity);
        Assert.Equal("v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@bare.maildomain.test", r.Dmarc.SuggestedRecord);
        Assert.Contains("_dmarc.bare.maildomain.test: v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@bare.maildomain.test",
            dmarc.Remediation);
        Assert.Equal(0, r.Dmarc.RecordCount);

        MailDomainFinding dkim = Finding(r, "DkimNotConfigured");
        Assert.Contains(TestMailDomainOperation.DefenderDkimPage, dkim.Remediation);
        Assert.All(r.Dkim, d => Assert.Equal(DkimSelectorState.Missing, d.State));

        Assert.Equal(SpfResult.None, r.Spf.SenderResult);
        Assert.Contains("v=spf1 ip4:203.0.113.9 include:spf.protection.outlook.com ~all", Finding(r, "DirectSendSpfFail").Remediation);
        Assert.StartsWith("bare.maildomain.test publishes no SPF record, so Direct Send from 203.0.113.9 fails SPF.",
            Finding(r, "DirectSendSpfFail").Message);
        // Errors first, then warnings, then information.
        Assert.Equal(r.Findings.OrderByDescending(f => f.Severity).Select(f => f.Id), r.Findings.Select(f => f.Id));
    }

    // ------------------------------------------------------------------ DMARC

    [Fact]
    public async Task DMARC_variants()
    {
        MailDomainReport none = await One("dmarcnone.maildomain.test");
        MailDomainFinding f = Finding(none, "DmarcPolicyNone");
        Assert.Equal(FindingSeverity.Warning, f.Severity);
        Assert.Contains("v=DMARC1; p=quarantine; rua=mailto:dmarc@dmarcnone.maildomain.test", f.Remediation);
        Assert.Equal(DmarcPolicy.None, none.Dmarc.Policy);

        MailDomainReport pct = await One("dmarcpct.maildomain.test");
        Assert.Equal(25, pct.Dmarc.Percent);
        Assert.Equal(DmarcPolicy.None, pct.Dmarc.SubdomainPolicy);
        Assert.Equal(new[] { "mailto:a@dmarcpct.maildomain.test", "mailto:b@example.net" }, pct.Dmarc.AggregateReportUris);
        Assert.Equal(new[] { "mailto:f@dmarcpct.maildomain.test" }, pct.Dmarc.FailureReportUris);
        Assert.Equal(FindingSeverity.Warning, Finding(pct, "DmarcPartialPercent").Severity);
        Assert.Equal(FindingSeverity.Information, Finding(pct, "DmarcSubdomainPolicyWeaker").Severity);

        MailDomainReport bad = await One("dmarcbad.maildomain.test");
        MailDomainFinding invalid = Finding(bad, "DmarcInvalid");
        Assert.Equal(FindingSeverity.Error, invalid.Severity);
        Assert.Contains("p=maybe", invalid.Message);
        Assert.Contains("not a URI", invalid.Message);
        Assert.False(bad.Dmarc.IsValid);
        Assert.NotNull(bad.Dmarc.SuggestedRecord);

        MailDomainReport two = await One("dmarctwo.maildomain.test");
        Assert.Equal(FindingSeverity.Error, Finding(two, "DmarcMultipleRecords").Severity);
        Assert.Equal(2, two.Dmarc.RecordCount);
        Assert.Null(two.Dmarc.Record);

        MailDomainReport norua = await One("dmarcnorua.maildomain.test");
        Assert.Equal(FindingSeverity.Information, Finding(norua, "DmarcNoAggregateReports").Severity);
        Assert.Empty(norua.Dmarc.AggregateReportUris);
    }

    // ------------------------------------------------------------------ DKIM

    [Fact]
    public async Task DKIM_selectors_pointing_elsewhere_or_to_the_wrong_label_are_warnings()
    {
        MailDomainReport mixed = await One("dkimmixed.maildomain.test");
        Assert.Equal(new[] { DkimSelectorState.Microsoft365OnMicrosoft, DkimSelectorState.OtherCname }, mixed.Dkim.Select(d => d.State));
        Assert.Contains("selector1-dkimmixed-maildomain-test", Finding(mixed, "DkimSelectorTargetMismatch").Message);
        Assert.Contains("s2.dkim.other-provider.example", Finding(mixed, "DkimSelectorNotMicrosoft365").Message);
        Assert.DoesNotContain(mixed.Findings, f => f.Id == "DkimCnamesPublished");
        Assert.Equal(MailDomainStatus.Warning, mixed.Overall);

        MailDomainReport txt = await One("dkimtxt.maildomain.test");
        Assert.Equal(new[] { DkimSelectorState.TxtKey, DkimSelectorState.Missing }, txt.Dkim.Select(d => d.State));
        Assert.Equal(FindingSeverity.Warning, Finding(txt, "DkimSelectorNotMicrosoft365").Severity);
        Assert.Contains("selector2._domainkey.dkimtxt.maildomain.test", Finding(txt, "DkimSelectorMissing").Message);
    }

    // ------------------------------------------------------------------ errors and failures

    [Fact]
    public async Task Invalid_and_nonexistent_domains_are_errors_and_the_next_domain_goes_on()
    {
        var (reports, errors, _) = await Run(new TestMailDomainRequest
        {
            Domain = new[] { "bad..name", "nothere.maildomain.test", "good.maildomain.test" }
        });
        Assert.Equal(new[] { "good.maildomain.test" }, reports.Select(r => r.Domain));
        Assert.Equal(new[] { DnsErrorIds.InvalidDomainName, DnsErrorIds.NameNotFound }, errors.Select(e => e.ErrorId));
        Assert.Equal(new object[] { "bad..name", "nothere.maildomain.test" }, errors.Select(e => e.TargetObject!));
        Assert.Contains("nothere.maildomain.test", errors[1].Message);
        Assert.Contains("NXDOMAIN", errors[1].Message);
        Assert.Equal(ErrorKind.ObjectNotFound, errors[1].Kind);
    }

    [Fact]
    public async Task DNS_failures_of_one_check_become_findings_and_the_other_checks_still_run()
    {
        var (reports, errors, _) = await Run(
            new TestMailDomainRequest { Domain = new[] { "good.maildomain.test" } },
            wrap: inner => new FailingResolver(inner,
                (name, type) => name.StartsWith("_dmarc.") || (name.StartsWith("selector2.") && type == DnsRecordType.CNAME)));
        Assert.Empty(errors);
        MailDomainReport r = Assert.Single(reports);
        Assert.Equal(FindingSeverity.Warning, Finding(r, "DmarcLookupFailed").Severity);
        Assert.Contains("192.0.2.53", Finding(r, "DmarcLookupFailed").Evidence);
        Assert.Equal(FindingSeverity.Warning, Finding(r, "DkimLookupFailed").Severity);
        Assert.Equal(FindingSeverity.Information, Finding(r, "SpfValid").Severity);
        Assert.Equal(MailDomainStatus.Warning, r.Overall);

        var (mxFailed, _, _) = await Run(
            new TestMailDomainRequest { Domain = new[] { "good.maildomain.test" } },
            wrap: inner => new FailingResolver(inner, (name, type) => type == DnsRecordType.MX));
        MailDomainReport m = Assert.Single(mxFailed);
        Assert.Equal(FindingSeverity.Warning, Finding(m, "MxLookupFailed").Severity);
        Assert.Empty(m.Mx);
        Assert.Equal(FindingSeverity.Information, Finding(m, "DmarcEnforced").Severity);
    }

    [Fact]
    public async Task A_bad_timeout_or_DNS_server_stops_everything()
    {
        var timeout = await Assert.ThrowsAsync<M365SmtpException>(() => new TestMailDomainOperation().CollectAsync(
            new TestMailDomainRequest { Domain = new[] { "contoso.test" }, TimeoutSeconds = 0 }, new RecordingHost(),
            TestContext.Current.CancellationToken));
        Assert.Equal("InvalidTimeout", timeout.ErrorId);
        var server = await Assert.ThrowsAsync<DnsException>(() => new TestMailDomainOperation().CollectAsync(
            new TestMailDomainRequest { Domain = new[] { "contoso.test" }, DnsServer = "not a server:99999" }, new RecordingHost(),
            TestContext.Current.CancellationToken));
        Assert.Equal(DnsErrorIds.InvalidDnsServer, server.ErrorId);
    }

    // ------------------------------------------------------------------ helpers and generated commands

    [Theory]
    [InlineData("v=spf1 ip4:192.0.2.1 -all", "include:x.test", "v=spf1 ip4:192.0.2.1 include:x.test -all")]
    [InlineData("v=spf1 ip4:192.0.2.1 redirect=_spf.y.test", "include:x.test", "v=spf1 ip4:192.0.2.1 include:x.test redirect=_spf.y.test")]
    [InlineData("v=spf1  mx", "include:x.test", "v=spf1 mx include:x.test")]
    [InlineData("v=spf1 mx ~ALL exp=e.test", "include:x.test", "v=spf1 mx include:x.test ~ALL exp=e.test")]
    public void Inserts_a_term_before_all_and_modifiers(string record, string term, string expected) =>
        Assert.Equal(expected, SpfTerm.InsertBeforeAll(record, term));

    [Theory]
    [InlineData("203.0.113.25", true)]
    [InlineData("40.107.3.4", true)]
    [InlineData("10.1.2.3", false)]
    [InlineData("172.20.0.1", false)]
    [InlineData("192.168.0.10", false)]
    [InlineData("100.64.1.1", false)]
    [InlineData("127.0.0.1", false)]
    [InlineData("169.254.10.1", false)]
    [InlineData("::1", false)]
    [InlineData("fd00::1", false)]
    [InlineData("fe80::1", false)]
    [InlineData("2a01:111:f400::1", true)]
    [InlineData("::ffff:10.0.0.1", false)]
    public void Tells_public_addresses(string ip, bool expected) =>
        Assert.Equal(expected, DirectSendCheck.IsPublic(IPAddress.Parse(ip)));

    [Fact]
    public async Task Every_recommended_command_is_written_out_for_pscheck()
    {
        var (reports, _, _) = await Run(new TestMailDomainRequest
        {
            Domain = new[]
            {
                "good.maildomain.test", "dnssec.maildomain.test", "mixedforms.maildomain.test", "nomx.maildomain.test",
                "bare.maildomain.test"
            },
            SenderIPAddress = IPAddress.Parse("203.0.113.25"),
        });
        var commands = reports.SelectMany(r => r.Findings).Where(f => f.Command != null).Select(f => f.Command!).Distinct().ToList();
        Assert.Contains("Get-DnssecStatusForVerifiedDomain -DomainName 'dnssec.maildomain.test'", commands);
        Assert.Contains("Get-AcceptedDomain -Identity 'nomx.maildomain.test'", commands);
        Assert.Contains("(Get-OrganizationConfig).RejectDirectSend", commands);
        foreach (MailDomainReport r in reports.Where(r => r.Findings.Any(f => f.Command != null)))
        {
            string file = Path.Combine(GeneratedDir, r.Domain + ".ps1");
            string text = File.ReadAllText(file);
            foreach (MailDomainFinding f in r.Findings.Where(f => f.Command != null)) Assert.Contains(f.Command!, text);
        }

        // .ci/run checks tests/generated with pscheck (syntax, and every parameter against the Exchange Online reference).
    }
}
