using System.Net;
using M365SmtpTools.Engine.Dns;
using M365SmtpTools.Engine.Dns.Spf;

namespace M365SmtpTools.Engine.Tests.Dns;

/// <summary>SPF evaluation against the spf.test zone served by nsd.</summary>
public class SpfEvaluatorNsdTests
{
    private static async Task<SpfEvaluation> Check(string ip, string domain, string? sender = null)
    {
        DnsClient client = DnsClientNsdTests.Client(out _);
        return await new SpfEvaluator(client)
            .CheckHostAsync(IPAddress.Parse(ip), domain, sender, null, TestContext.Current.CancellationToken);
    }

    [Theory]
    [InlineData("192.0.2.55", "simple.spf.test", SpfResult.Pass)]
    [InlineData("198.51.100.1", "simple.spf.test", SpfResult.Fail)]
    [InlineData("2001:db8::1", "simple.spf.test", SpfResult.Fail)]
    [InlineData("192.0.2.2", "softfail.spf.test", SpfResult.SoftFail)]
    [InlineData("192.0.2.1", "softfail.spf.test", SpfResult.Pass)]
    [InlineData("192.0.2.2", "neutral.spf.test", SpfResult.Neutral)]
    [InlineData("203.0.113.200", "plusall.spf.test", SpfResult.Pass)]
    [InlineData("198.51.100.7", "nested.spf.test", SpfResult.Pass)]
    [InlineData("2001:db8:7::5", "nested.spf.test", SpfResult.Pass)]
    [InlineData("203.0.113.9", "nested.spf.test", SpfResult.Fail)]
    [InlineData("192.0.2.99", "incfail.spf.test", SpfResult.Pass)]
    [InlineData("192.0.2.77", "redirect.spf.test", SpfResult.Pass)]
    [InlineData("192.0.2.78", "redirect.spf.test", SpfResult.Fail)]
    [InlineData("192.0.2.50", "amx.spf.test", SpfResult.Pass)]
    [InlineData("192.0.2.51", "amx.spf.test", SpfResult.Pass)]
    [InlineData("198.51.100.40", "amx.spf.test", SpfResult.Pass)]
    [InlineData("198.51.100.50", "amx.spf.test", SpfResult.Fail)]
    [InlineData("2001:db8:1::ffff", "amx6.spf.test", SpfResult.Pass)]
    [InlineData("2001:db8:2::1", "amx6.spf.test", SpfResult.Fail)]
    [InlineData("192.0.2.111", "splitspf.spf.test", SpfResult.Pass)]
    [InlineData("192.0.2.8", "modifiers.spf.test", SpfResult.Pass)]
    [InlineData("::ffff:192.0.2.55", "simple.spf.test", SpfResult.Pass)]
    public async Task Evaluates(string ip, string domain, SpfResult expected)
    {
        SpfEvaluation e = await Check(ip, domain);
        Assert.True(expected == e.Result, $"{domain} {ip}: expected {expected}, got {e.Result}: {e.Reason}\n{string.Join("\n", e.Trace)}");
    }

    [Fact]
    public async Task Reports_which_term_matched_and_the_lookups_used()
    {
        SpfEvaluation e = await Check("198.51.100.7", "nested.spf.test");
        Assert.Equal("include:inc1.spf.test", e.MatchedMechanism);
        Assert.Equal("nested.spf.test", e.MatchedInDomain);
        Assert.Equal("v=spf1 include:inc1.spf.test -all", e.Record);
        Assert.Equal(2, e.DnsLookups);
        Assert.Contains(e.Trace, t => t.Contains("inc2.spf.test: v=spf1 ip4:198.51.100.7"));
    }

    [Fact]
    public async Task More_than_10_lookups_is_a_permerror_but_only_when_reached()
    {
        SpfEvaluation tooMany = await Check("203.0.113.99", "toomany.spf.test");
        Assert.Equal(SpfResult.PermError, tooMany.Result);
        Assert.Contains("More than 10 DNS lookups", tooMany.Reason);
        Assert.Contains("include:l11.spf.test", tooMany.Reason);
        Assert.Equal(11, tooMany.DnsLookups);

        SpfEvaluation early = await Check("203.0.113.1", "toomany.spf.test");
        Assert.Equal(SpfResult.Pass, early.Result);
        Assert.Equal(1, early.DnsLookups);

        SpfEvaluation ten = await Check("203.0.113.99", "ten.spf.test");
        Assert.Equal(SpfResult.Fail, ten.Result);
        Assert.Equal(10, ten.DnsLookups);
    }

    [Fact]
    public async Task An_include_loop_is_a_permerror_naming_the_loop()
    {
        SpfEvaluation e = await Check("192.0.2.1", "loop.spf.test");
        Assert.Equal(SpfResult.PermError, e.Result);
        Assert.Contains("loop.spf.test -> loop2.spf.test -> loop.spf.test", e.Reason);
    }

    [Fact]
    public async Task Two_SPF_records_are_a_permerror()
    {
        SpfEvaluation e = await Check("192.0.2.1", "two.spf.test");
        Assert.Equal(SpfResult.PermError, e.Result);
        Assert.Contains("2 SPF records", e.Reason);
        var ex = await Assert.ThrowsAsync<M365SmtpException>(() => new SpfEvaluator(DnsClientNsdTests.Client(out _))
            .GetRecordAsync("two.spf.test", TestContext.Current.CancellationToken));
        Assert.Equal("SpfMultipleRecords", ex.ErrorId);
    }

    [Fact]
    public async Task The_third_void_lookup_is_a_permerror_two_are_allowed()
    {
        SpfEvaluation three = await Check("192.0.2.5", "void.spf.test");
        Assert.Equal(SpfResult.PermError, three.Result);
        Assert.Contains("void lookups", three.Reason);
        Assert.Contains("void3.spf.test", three.Reason);
        SpfEvaluation two = await Check("192.0.2.5", "void2only.spf.test");
        Assert.Equal(SpfResult.Pass, two.Result);
        Assert.Equal(2, two.VoidLookups);
    }

    [Fact]
    public async Task Includes_and_redirects_to_domains_without_SPF_are_permerrors()
    {
        SpfEvaluation inc = await Check("192.0.2.1", "incnone.spf.test");
        Assert.Equal(SpfResult.PermError, inc.Result);
        Assert.Contains("nospf.spf.test has no SPF record", inc.Reason);
        SpfEvaluation redir = await Check("192.0.2.1", "redirnone.spf.test");
        Assert.Equal(SpfResult.PermError, redir.Result);
        Assert.Contains("redirects to nospf.spf.test", redir.Reason);
    }

    [Theory]
    [InlineData("badip.spf.test", "999.1.1.1")]
    [InlineData("badmech.spf.test", "foo")]
    [InlineData("badcidr.spf.test", "/33")]
    public async Task Syntax_errors_are_permerrors_naming_the_term(string domain, string term)
    {
        SpfEvaluation e = await Check("192.0.2.1", domain);
        Assert.Equal(SpfResult.PermError, e.Result);
        Assert.Contains(domain, e.Reason);
        Assert.Contains(term, e.Reason);
    }

    [Fact]
    public async Task Exists_with_macros_queries_the_expanded_name()
    {
        Assert.Equal(SpfResult.Pass, (await Check("192.0.2.5", "exists.spf.test", "scanner-01@spf.test")).Result);
        Assert.Equal(SpfResult.Fail, (await Check("192.0.2.6", "exists.spf.test", "scanner-01@spf.test")).Result);
        Assert.Equal(SpfResult.Fail, (await Check("192.0.2.5", "exists.spf.test", "printer@spf.test")).Result);
    }

    [Fact]
    public async Task No_record_is_None_and_a_DNS_failure_is_TempError()
    {
        Assert.Equal(SpfResult.None, (await Check("192.0.2.1", "nothere.spf.test")).Result);
        Assert.Equal(SpfResult.None, (await Check("192.0.2.1", "nospf.spf.test")).Result);
        // contoso.test includes spf.protection.outlook.com, which the loopback nsd refuses to answer: a DNS failure.
        SpfEvaluation e = await Check("203.0.113.1", "contoso.test");
        Assert.Equal(SpfResult.TempError, e.Result);
        Assert.Contains("spf.protection.outlook.com", e.Reason);
        Assert.Equal(SpfResult.Pass, (await Check("192.0.2.10", "contoso.test")).Result);
    }
}
