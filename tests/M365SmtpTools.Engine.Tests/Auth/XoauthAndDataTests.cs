using Xunit;
using System.Text;
using M365SmtpTools.Engine.Auth;
using M365SmtpTools.Engine.Exchange;

namespace M365SmtpTools.Engine.Tests.Auth;

public sealed class Xoauth2Tests
{
    [Fact]
    public void Initial_response_has_the_exact_XOAUTH2_layout()
    {
        byte[] raw = Xoauth2.BuildInitialResponse("alice@contoso.com", new SmtpAccessToken("eyJ0.eyJ1.c2ln", null));
        Assert.Equal("user=alice@contoso.com\u0001auth=Bearer eyJ0.eyJ1.c2ln\u0001\u0001", Encoding.ASCII.GetString(raw));
        Xoauth2.Clear(raw);
        Assert.All(raw, b => Assert.Equal(0, b));
    }

    [Fact]
    public void Base64_form_decodes_to_the_raw_form()
    {
        byte[] b64 = Xoauth2.BuildBase64InitialResponse("scanner@contoso.com", new SmtpAccessToken("tok", null));
        Assert.Equal("user=scanner@contoso.com\u0001auth=Bearer tok\u0001\u0001",
            Encoding.ASCII.GetString(Convert.FromBase64String(Encoding.ASCII.GetString(b64))));
        Assert.Equal("dXNlcj1zY2FubmVyQGNvbnRvc28uY29tAWF1dGg9QmVhcmVyIHRvawEB", Encoding.ASCII.GetString(b64));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a\u0001b@contoso.com")]
    [InlineData("a@contoso.com\r\nQUIT")]
    public void Bad_user_is_refused(string user)
    {
        var e = Assert.Throws<M365SmtpException>(() => Xoauth2.BuildInitialResponse(user, "tok"));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
    }
}

public sealed class CloudAndRetirementTests
{
    [Theory]
    [InlineData(M365Environment.Commercial, "login.microsoftonline.com", "smtp.office365.com", "https://outlook.office365.com/.default",
        "https://outlook.office.com/SMTP.Send", "mail.protection.outlook.com")]
    [InlineData(M365Environment.USGovGCCHigh, "login.microsoftonline.us", "smtp.office365.us", "https://outlook.office365.us/.default",
        "https://outlook.office365.us/SMTP.Send", "mail.protection.office365.us")]
    [InlineData(M365Environment.USGovDoD, "login.microsoftonline.us", "outlook-dod.office365.us",
        "https://outlook-dod.office365.us/.default", "https://outlook-dod.office365.us/SMTP.Send", "mail.protection.office365.us")]
    [InlineData(M365Environment.China, "login.partner.microsoftonline.cn", "smtp.partner.outlook.cn", "https://partner.outlook.cn/.default",
        "https://partner.outlook.cn/SMTP.Send", "mail.protection.partner.outlook.cn")]
    public void Cloud_table_matches_the_domain_notes(M365Environment env, string authority, string smtp, string appScope,
        string delegatedScope, string mx)
    {
        CloudEnvironment c = CloudEnvironments.Get(env);
        Assert.Equal(authority, c.AuthorityHost);
        Assert.Equal(smtp, c.SmtpHost);
        Assert.Equal(appScope, c.AppOnlyScope);
        Assert.Equal(new[] { delegatedScope, "offline_access" }, c.DelegatedScopes);
        Assert.Equal(mx, c.MxSuffix);
        Assert.Equal(appScope[..^"/.default".Length], c.AppOnlyResource);
    }

    [Fact]
    public void Overrides_replace_only_what_is_given()
    {
        CloudEnvironment c = CloudEnvironments.USGovDoD.WithOverrides(authorityHost: "https://login.example.test/",
            smtpHost: "smtp.dod.example");
        Assert.Equal("login.example.test", c.AuthorityHost);
        Assert.Equal("smtp.dod.example", c.SmtpHost);
        Assert.Equal(CloudEnvironments.USGovDoD.AppOnlyScope, c.AppOnlyScope);
        Assert.Equal("https://login.example.test/contoso.onmicrosoft.com", c.AuthorityFor("contoso.onmicrosoft.com"));
        Assert.Equal("login.microsoftonline.us", CloudEnvironments.USGovDoD.AuthorityHost); // the table is untouched
    }

    [Theory]
    [InlineData("smtp.office365.com", true)]
    [InlineData("SMTP-LEGACY.office365.com", true)]
    [InlineData("smtp.office365.us", true)]
    [InlineData("smtp.partner.outlook.cn", true)]
    [InlineData("smtp.azurecomm.net", false)]
    [InlineData("smtp-hve.office365.com", false)]
    [InlineData("mail.contoso.local", false)]
    public void Retirement_applies_only_to_Microsoft_365_client_submission(string host, bool applies)
    {
        BasicAuthVerdict v = BasicAuthRetirement.Evaluate(new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero), host);
        Assert.Equal(applies ? BasicAuthVerdictKind.Warn : BasicAuthVerdictKind.Allowed, v.Kind);
        if (applies)
        {
            Assert.Contains("31 December 2026", v.Message);
            Assert.Contains("second half of 2027", v.Message);
            foreach (string alt in new[] { "OAuth", "High Volume Email", "Azure Communication Services", "relay", "Direct Send" })
                Assert.Contains(alt, v.Message);
        }
    }

    [Fact]
    public void After_default_disablement_it_still_warns_and_after_the_final_date_it_refuses()
    {
        var schedule = new BasicAuthRetirementSchedule();
        BasicAuthVerdict january = BasicAuthRetirement.Evaluate(new DateTimeOffset(2027, 1, 15, 0, 0, 0, TimeSpan.Zero),
            "smtp.office365.com", schedule);
        Assert.Equal(BasicAuthVerdictKind.Warn, january.Kind);
        Assert.Contains("disabled by default since", january.Message);

        // Final date unknown: never refuses, however late.
        Assert.Equal(BasicAuthVerdictKind.Warn,
            BasicAuthRetirement.Evaluate(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero), "smtp.office365.com", schedule).Kind);

        schedule.FinalRemoval = new DateTimeOffset(2027, 9, 30, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal(BasicAuthVerdictKind.Warn,
            BasicAuthRetirement.Evaluate(new DateTimeOffset(2027, 9, 29, 0, 0, 0, TimeSpan.Zero), "smtp.office365.com", schedule).Kind);
        BasicAuthVerdict after = BasicAuthRetirement.Evaluate(new DateTimeOffset(2027, 10, 1, 0, 0, 0, TimeSpan.Zero),
            "smtp.office365.com", schedule);
        Assert.Equal(BasicAuthVerdictKind.Refuse, after.Kind);
        Assert.Contains("30 September 2027", after.Message);
        Assert.Null(BasicAuthRetirementSchedule.Current.FinalRemoval);
    }
}
