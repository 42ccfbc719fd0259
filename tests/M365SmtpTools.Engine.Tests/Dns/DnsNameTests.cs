using M365SmtpTools.Engine.Dns;

namespace M365SmtpTools.Engine.Tests.Dns;

public class DnsNameTests
{
    [Theory]
    [InlineData("Contoso.COM", "contoso.com")]
    [InlineData(" contoso.com. ", "contoso.com")]
    [InlineData("a-b.c0.test", "a-b.c0.test")]
    [InlineData("bücher.example", "xn--bcher-kva.example")]
    [InlineData("例え.テスト", "xn--r8jz45g.xn--zckzah")]
    public void Normalizes_valid_names(string input, string expected) => Assert.Equal(expected, DnsName.Normalize(input));

    [Theory]
    [InlineData("", "empty")]
    [InlineData(".", "root")]
    [InlineData("contoso..com", "empty label")]
    [InlineData(".contoso.com", "empty label")]
    [InlineData("-contoso.com", "hyphen")]
    [InlineData("contoso-.com", "hyphen")]
    [InlineData("con toso.com", "' '")]
    [InlineData("_dmarc.contoso.com", "'_'")]
    [InlineData("user@contoso.com", "e-mail")]
    [InlineData("https://contoso.com/", "URL")]
    public void Refuses_invalid_names_naming_the_input(string input, string reason)
    {
        var e = Assert.Throws<DnsException>(() => DnsName.Normalize(input));
        Assert.Equal(DnsErrorIds.InvalidDomainName, e.ErrorId);
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Contains(reason, e.Message);
        Assert.Contains("'" + input + "'", e.Message);
        Assert.Equal(input, e.TargetObject);
        Assert.NotNull(e.RecommendedAction);
    }

    [Fact]
    public void Limits_labels_to_63_and_names_to_253()
    {
        Assert.Equal(new string('a', 63) + ".test", DnsName.Normalize(new string('a', 63) + ".test"));
        Assert.Contains("64 characters", Assert.Throws<DnsException>(() => DnsName.Normalize(new string('a', 64) + ".test")).Message);
        string ok = string.Join(".", Enumerable.Repeat(new string('b', 62), 4)) + ".c"; // 62*4+3+2 = 253
        Assert.Equal(253, ok.Length);
        Assert.Equal(ok, DnsName.Normalize(ok));
        Assert.Contains("at most 253", Assert.Throws<DnsException>(() => DnsName.Normalize(ok + "c")).Message);
    }

    [Fact]
    public void Service_labels_are_allowed_when_asked()
    {
        Assert.Equal("selector1._domainkey.contoso.com", DnsName.Normalize("selector1._domainkey.contoso.com", allowUnderscore: true));
        Assert.False(DnsName.IsValid("selector1._domainkey.contoso.com"));
    }
}
