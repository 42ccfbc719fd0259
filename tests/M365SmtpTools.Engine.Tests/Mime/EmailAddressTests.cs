using M365SmtpTools.Engine.Mime;

namespace M365SmtpTools.Engine.Tests.Mime;

public class EmailAddressTests
{
    [Fact]
    public void Parses_bare_address()
    {
        var a = EmailAddress.Parse("  alice@contoso.com ");
        Assert.Null(a.DisplayName);
        Assert.Equal("alice", a.LocalPart);
        Assert.Equal("contoso.com", a.Domain);
        Assert.Equal("alice@contoso.com", a.EnvelopeAddress);
        Assert.False(a.RequiresSmtpUtf8);
    }

    [Theory]
    [InlineData("Alice Example <alice@contoso.com>", "Alice Example")]
    [InlineData("\"Example, Alice\" <alice@contoso.com>", "Example, Alice")]
    [InlineData("\"Alice \\\"The Boss\\\" Example\" <alice@contoso.com>", "Alice \"The Boss\" Example")]
    [InlineData("<alice@contoso.com>", null)]
    [InlineData("\"a <b> c\" <alice@contoso.com>", "a <b> c")]
    [InlineData("Zoë Ångström <alice@contoso.com>", "Zoë Ångström")]
    public void Parses_display_names(string input, string? expected)
    {
        var a = EmailAddress.Parse(input);
        Assert.Equal(expected, a.DisplayName);
        Assert.Equal("alice@contoso.com", a.Address);
    }

    [Fact]
    public void Converts_international_domain_to_punycode_for_the_envelope()
    {
        var a = EmailAddress.Parse("Jörg <joerg@bücher.example>");
        Assert.Equal("bücher.example", a.Domain);
        Assert.Equal("xn--bcher-kva.example", a.AsciiDomain);
        Assert.Equal("joerg@xn--bcher-kva.example", a.EnvelopeAddress);
        Assert.True(a.HasInternationalDomain);
        Assert.False(a.RequiresSmtpUtf8);
    }

    [Fact]
    public void Utf8_local_part_needs_smtputf8()
    {
        var a = EmailAddress.Parse("用户@例子.广告");
        Assert.True(a.RequiresSmtpUtf8);
        Assert.Equal("用户", a.LocalPart);
        Assert.Equal("用户@xn--fsqu00a.xn--4rr70v", a.EnvelopeAddress);
    }

    [Fact]
    public void Quoted_local_part_round_trips()
    {
        var a = EmailAddress.Parse("\"john doe\"@contoso.com");
        Assert.Equal("john doe", a.LocalPart);
        Assert.Equal("\"john doe\"@contoso.com", a.EnvelopeAddress);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("alice", "no '@'")]
    [InlineData("@contoso.com", "local part")]
    [InlineData("alice@", "domain")]
    [InlineData("alice..x@contoso.com", "local part")]
    [InlineData(".alice@contoso.com", "local part")]
    [InlineData("al ice@contoso.com", "local part")]
    [InlineData("alice@con_toso.com", "not allowed")]
    [InlineData("alice@-contoso.com", "hyphen")]
    [InlineData("alice@contoso..com", "empty label")]
    [InlineData("Alice <alice@contoso.com", "'<'")]
    [InlineData("Alice alice@contoso.com>", "'>'")]
    [InlineData("\"Alice <alice@contoso.com>", "'>'")]
    [InlineData("Al\"ic\"e <alice@contoso.com>", "unquoted")]
    [InlineData("alice@[300.1.1.1]", "literal")]
    public void Rejects_invalid_addresses_with_the_input_as_target(string input, string reasonFragment)
    {
        var e = Assert.Throws<M365SmtpException>(() => EmailAddress.Parse(input));
        Assert.Equal("InvalidEmailAddress", e.ErrorId);
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Equal(input, e.TargetObject);
        Assert.Contains(reasonFragment, e.Message);
        Assert.NotNull(e.RecommendedAction);
    }

    [Fact]
    public void Rejects_overlong_local_part()
    {
        var e = Assert.Throws<M365SmtpException>(() => EmailAddress.Parse(new string('a', 65) + "@contoso.com"));
        Assert.Equal("InvalidEmailAddress", e.ErrorId);
        Assert.Contains("64 octets", e.Message);
    }

    [Theory]
    [InlineData("alice@contoso.com\r\nBcc: eve@evil.example")]
    [InlineData("Alice\n <alice@contoso.com>")]
    [InlineData("alice@contoso.com\r")]
    public void Line_breaks_are_header_injection(string input)
    {
        var e = Assert.Throws<M365SmtpException>(() => EmailAddress.Parse(input));
        Assert.Equal("HeaderInjection", e.ErrorId);
        Assert.Equal(input, e.TargetObject);
    }

    [Fact]
    public void Line_break_in_a_display_name_given_separately_is_header_injection()
    {
        var e = Assert.Throws<M365SmtpException>(() => new EmailAddress("alice@contoso.com", "Alice\r\nBcc: eve@evil.example"));
        Assert.Equal("HeaderInjection", e.ErrorId);
    }

    [Theory]
    [InlineData("ali\u0000ce@contoso.com")]
    [InlineData("Alice\u0007 <alice@contoso.com>")]
    [InlineData("Alice\u0085 <alice@contoso.com>")]
    [InlineData("Alice\u2028 <alice@contoso.com>")]
    public void Control_characters_are_rejected(string input)
    {
        var e = Assert.Throws<M365SmtpException>(() => EmailAddress.Parse(input));
        Assert.Equal("InvalidHeaderValue", e.ErrorId);
    }

    [Fact]
    public void Unpaired_surrogates_are_rejected()
    {
        Assert.Equal("InvalidHeaderValue",
            Assert.Throws<M365SmtpException>(() => EmailAddress.Parse("Alice\ud800 <alice@contoso.com>")).ErrorId);
        Assert.Equal("InvalidHeaderValue",
            Assert.Throws<M365SmtpException>(() => EmailAddress.Parse("Alice\udc00x <alice@contoso.com>")).ErrorId);
    }

    [Fact]
    public void Parses_lists_with_separators_inside_quotes()
    {
        var list = EmailAddress.ParseList("a@x.com, \"Smith, John; Jr\" <john@x.com>; c@x.com,");
        Assert.Equal(new[] { "a@x.com", "john@x.com", "c@x.com" }, list.Select(a => a.Address));
        Assert.Equal("Smith, John; Jr", list[1].DisplayName);
    }

    [Fact]
    public void Equality_ignores_domain_case_and_display_name()
    {
        Assert.Equal(EmailAddress.Parse("A <a@Contoso.COM>"), EmailAddress.Parse("a@contoso.com"));
        Assert.NotEqual(EmailAddress.Parse("A@contoso.com"), EmailAddress.Parse("a@contoso.com"));
    }

    [Fact]
    public void TryParse_reports_failure_without_throwing()
    {
        Assert.False(EmailAddress.TryParse("nope", out var none));
        Assert.Null(none);
        Assert.True(EmailAddress.TryParse("a@b.example", out var some));
        Assert.Equal("b.example", some!.Domain);
    }
}
