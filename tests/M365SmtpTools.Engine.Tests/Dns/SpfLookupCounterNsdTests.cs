using M365SmtpTools.Engine.Dns.Spf;

namespace M365SmtpTools.Engine.Tests.Dns;

/// <summary>Worst-case SPF lookup counts (for planning record changes) against the spf.test zone.</summary>
public class SpfLookupCounterNsdTests
{
    private static SpfLookupCounter Counter() => new(DnsClientNsdTests.Client(out _));

    [Theory]
    [InlineData("simple.spf.test", 0, 0, false)]
    [InlineData("nested.spf.test", 2, 0, false)]
    [InlineData("ten.spf.test", 10, 0, false)]
    [InlineData("toomany.spf.test", 11, 0, true)]
    [InlineData("amx.spf.test", 3, 0, false)]
    [InlineData("void.spf.test", 3, 3, true)]
    [InlineData("redirect.spf.test", 1, 0, false)]
    public async Task Counts_lookups_and_voids_across_the_tree(string domain, int lookups, int voids, bool exceeds)
    {
        SpfLookupCount c = await Counter().CountAsync(domain, TestContext.Current.CancellationToken);
        Assert.True(lookups == c.DnsLookups,
            $"{domain}: {c.DnsLookups} lookups: {string.Join(", ", c.CountedTerms)}; problems: {string.Join(" ", c.Problems)}");
        Assert.Equal(voids, c.VoidLookups);
        Assert.Equal(exceeds, c.ExceedsLimits);
        Assert.NotNull(c.Record);
    }

    [Fact]
    public async Task Reports_loops_and_missing_records_as_problems()
    {
        SpfLookupCount loop = await Counter().CountAsync("loop.spf.test", TestContext.Current.CancellationToken);
        Assert.Contains(loop.Problems, p => p.Contains("SPF loop"));
        SpfLookupCount none = await Counter().CountAsync("incnone.spf.test", TestContext.Current.CancellationToken);
        Assert.Contains(none.Problems, p => p.Contains("nospf.spf.test has no SPF record"));
    }

    [Fact]
    public async Task Counts_a_proposed_record_before_it_is_published()
    {
        SpfLookupCount c = await Counter().CountRecordAsync("spf.test",
            "v=spf1 ip4:192.0.2.1 include:ten.spf.test include:simple.spf.test -all", TestContext.Current.CancellationToken);
        Assert.Equal(12, c.DnsLookups);
        Assert.True(c.ExceedsLimits);
        Assert.Equal("spf.test: include:ten.spf.test", c.CountedTerms[0]);
    }
}
