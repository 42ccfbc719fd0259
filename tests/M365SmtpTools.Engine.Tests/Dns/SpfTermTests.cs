using M365SmtpTools.Engine.Dns.Spf;

namespace M365SmtpTools.Engine.Tests.Dns;

/// <summary>The one split of an SPF record into terms, shared by the validating parser and the record editors.</summary>
public sealed class SpfTermTests
{
    [Theory]
    [InlineData("-all", '-', true, "all", "", false)]
    [InlineData("all", '+', false, "all", "", false)]
    [InlineData("~INCLUDE:spf.protection.outlook.com", '~', true, "include", "spf.protection.outlook.com", false)]
    [InlineData("a/24", '+', false, "a", "/24", false)]
    [InlineData("mx:mail.contoso.com/28", '+', false, "mx", "mail.contoso.com/28", false)]
    [InlineData("redirect=_spf.contoso.com", '+', false, "redirect", "_spf.contoso.com", true)]
    [InlineData("Exp=explain.contoso.com", '+', false, "exp", "explain.contoso.com", true)]
    [InlineData("+x=y", '+', true, "", "", false)]        // a qualifier makes it no modifier, and x is no mechanism
    [InlineData("allow", '+', false, "", "", false)]      // a mechanism name must end the term or be followed by ':' or '/'
    [InlineData("+", '+', false, "", "", false)]
    public void Lexes_a_term(string text, char qualifier, bool written, string name, string value, bool modifier)
    {
        SpfTerm t = SpfTerm.Lex(text);
        Assert.Equal(text, t.Text);
        Assert.Equal(qualifier, t.Qualifier);
        Assert.Equal(written, t.QualifierWritten);
        Assert.Equal(name, t.Name);
        Assert.Equal(value, t.Value);
        Assert.Equal(modifier, t.IsModifier);
        Assert.Equal(!modifier && name.Length > 0, t.IsMechanism);
    }

    [Fact]
    public void Splits_after_the_version_at_spaces()
    {
        Assert.Equal(new[] { "ip4:192.0.2.1", "include:x.test", "-all" },
            SpfTerm.Split("v=spf1  ip4:192.0.2.1 include:x.test   -all").Select(t => t.Text));
        Assert.Empty(SpfTerm.Split("v=spf1"));
    }

    [Theory]
    [InlineData("v=spf1 -all", "ip4:192.0.2.9", "v=spf1 ip4:192.0.2.9 -all")]
    [InlineData("V=SPF1 mx", "ip6:2001:db8::1", "V=SPF1 ip6:2001:db8::1 mx")] // the version token as written
    [InlineData("v=spf1", "ip4:192.0.2.9", "v=spf1 ip4:192.0.2.9")]
    public void Inserts_first(string record, string term, string expected) => Assert.Equal(expected, SpfTerm.InsertFirst(record, term));

    [Fact]
    public void The_parser_reads_the_same_terms_as_the_editor()
    {
        const string text = "v=spf1 ip4:192.0.2.0/24 ~include:spf.protection.outlook.com a:x.test/28 unknown=1 redirect=_spf.x.test";
        SpfRecord r = SpfRecord.Parse(text);
        List<SpfTerm> terms = SpfTerm.Split(text);
        Assert.Equal(terms.Where(t => t.IsMechanism).Select(t => t.Text), r.Mechanisms.Select(m => m.Text));
        Assert.Equal(new[] { "unknown=1" }, r.UnknownModifiers);
        Assert.Equal("_spf.x.test", r.Redirect);
        Assert.Equal(terms.Single(t => t.Name == "redirect").Value, r.Redirect);
    }
}
