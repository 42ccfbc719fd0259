using System.Net;
using M365SmtpTools.Engine.Dns.Spf;

namespace M365SmtpTools.Engine.Tests.Dns;

public class SpfRecordTests
{
    [Fact]
    public void Parses_mechanisms_qualifiers_and_modifiers()
    {
        SpfRecord r = SpfRecord.Parse("v=spf1 ip4:192.0.2.0/24 -ip6:2001:db8::/32 ~a mx:mail.example.com/28//64 "
            + "?include:spf.protection.outlook.com exists:%{i}._spf.%{d} ptr redirect=_spf.example.com exp=exp.example.com foo=bar -all");
        Assert.Equal(
            new[] { (SpfQualifier.Pass, SpfMechanismKind.Ip4), (SpfQualifier.Fail, SpfMechanismKind.Ip6),
                    (SpfQualifier.SoftFail, SpfMechanismKind.A), (SpfQualifier.Pass, SpfMechanismKind.Mx),
                    (SpfQualifier.Neutral, SpfMechanismKind.Include), (SpfQualifier.Pass, SpfMechanismKind.Exists),
                    (SpfQualifier.Pass, SpfMechanismKind.Ptr), (SpfQualifier.Fail, SpfMechanismKind.All) },
            r.Mechanisms.Select(m => (m.Qualifier, m.Kind)));
        Assert.Equal(IPAddress.Parse("192.0.2.0"), r.Mechanisms[0].Network);
        Assert.Equal(24, r.Mechanisms[0].Ip4Prefix);
        Assert.Equal(32, r.Mechanisms[1].Ip6Prefix);
        Assert.Equal("mail.example.com", r.Mechanisms[3].DomainSpec);
        Assert.Equal(28, r.Mechanisms[3].Ip4Prefix);
        Assert.Equal(64, r.Mechanisms[3].Ip6Prefix);
        Assert.Equal("_spf.example.com", r.Redirect);
        Assert.Equal("exp.example.com", r.Explanation);
        Assert.Equal(new[] { "foo=bar" }, r.UnknownModifiers);
        Assert.Equal(5, r.Mechanisms.Count(m => m.CountsAsLookup));
    }

    [Theory]
    [InlineData("v=spf1 ip4:999.1.1.1 -all", "999.1.1.1")]
    [InlineData("v=spf1 ip4:192.0.2.0/33 -all", "/33")]
    [InlineData("v=spf1 ip6:192.0.2.1 -all", "IPv6")]
    [InlineData("v=spf1 foo:bar.example -all", "'foo' is not an SPF mechanism")]
    [InlineData("v=spf1 include -all", "needs ':domain'")]
    [InlineData("v=spf1 include:nodot -all", "include:nodot")]
    [InlineData("v=spf1 all:x", "'all' takes no argument")]
    [InlineData("v=spf1 redirect=a.example redirect=b.example", "twice")]
    [InlineData("v=spf1 exists:%{z}.example -all", "%{z}")]
    [InlineData("v=spf1 exists:50%.example -all", "%.")]
    [InlineData("v=spf1 a/24//129 -all", "prefix length")]
    [InlineData("spf1 -all", "v=spf1")]
    public void Syntax_errors_name_the_bad_term(string text, string expected)
    {
        Assert.False(SpfRecord.TryParse(text, out _, out string? error));
        Assert.Contains(expected, error);
        var e = Assert.Throws<M365SmtpException>(() => SpfRecord.Parse(text));
        Assert.Equal("SpfSyntaxError", e.ErrorId);
    }

    [Theory]
    [InlineData("v=spf1", true)]
    [InlineData("V=SPF1 -all", true)]
    [InlineData("v=spf10 -all", false)]
    [InlineData("v=spf1-all", false)]
    [InlineData("spf2.0/pra -all", false)]
    [InlineData(" v=spf1 -all", false)] // RFC 7208 4.5: the record begins with the version; receivers ignore this one
    [InlineData("spf1 -all", false)]
    public void Recognizes_SPF_records(string text, bool isSpf) => Assert.Equal(isSpf, SpfRecord.IsSpf(text));

    [Theory]
    // RFC 7208 section 7.4 examples: sender strong-bad@email.example.com, IP 192.0.2.3
    [InlineData("%{s}", "strong-bad@email.example.com")]
    [InlineData("%{o}", "email.example.com")]
    [InlineData("%{d}", "email.example.com")]
    [InlineData("%{d4}", "email.example.com")]
    [InlineData("%{d3}", "email.example.com")]
    [InlineData("%{d2}", "example.com")]
    [InlineData("%{d1}", "com")]
    [InlineData("%{dr}", "com.example.email")]
    [InlineData("%{d2r}", "example.email")]
    [InlineData("%{l}", "strong-bad")]
    [InlineData("%{l-}", "strong.bad")]
    [InlineData("%{lr}", "strong-bad")]
    [InlineData("%{lr-}", "bad.strong")]
    [InlineData("%{l1r-}", "strong")]
    [InlineData("%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com")]
    [InlineData("%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com")]
    [InlineData("%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", "bad.strong.lp.3.2.0.192.in-addr._spf.example.com")]
    [InlineData("%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", "3.2.0.192.in-addr.strong.lp._spf.example.com")]
    [InlineData("%{d2}.trusted-domains.example.net", "example.com.trusted-domains.example.net")]
    [InlineData("100%%-%_x", "100%- x")]
    public void Expands_macros_as_RFC_7208_shows(string macro, string expected)
    {
        var ctx = new SpfContext(IPAddress.Parse("192.0.2.3"), "strong-bad@email.example.com", null);
        Assert.Equal(expected, SpfMacro.Expand(macro, ctx, "email.example.com"));
    }

    [Fact]
    public void Expands_IPv6_addresses_as_nibbles()
    {
        var ctx = new SpfContext(IPAddress.Parse("2001:db8::cb01"), "strong-bad@email.example.com", null);
        Assert.Equal("1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com",
            SpfMacro.Expand("%{ir}.%{v}._spf.%{d2}", ctx, "email.example.com"));
    }

    [Theory]
    [InlineData("192.0.2.77", "192.0.2.0", 24, true)]
    [InlineData("192.0.3.1", "192.0.2.0", 24, false)]
    [InlineData("198.51.100.47", "198.51.100.33", 28, true)]
    [InlineData("198.51.100.48", "198.51.100.33", 28, false)]
    [InlineData("10.1.2.3", "0.0.0.0", 0, true)]
    [InlineData("2001:db8:1::ffff", "2001:db8:1::1", 64, true)]
    [InlineData("2001:db8:2::1", "2001:db8:1::1", 64, false)]
    [InlineData("192.0.2.1", "2001:db8::", 0, false)]
    public void Matches_networks(string ip, string network, int prefix, bool expected) =>
        Assert.Equal(expected, SpfEvaluator.InNetwork(IPAddress.Parse(ip), IPAddress.Parse(network), prefix));
}
