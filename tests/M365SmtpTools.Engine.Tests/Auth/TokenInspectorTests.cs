using Xunit;
using System.Text;
using M365SmtpTools.Engine.Auth;

namespace M365SmtpTools.Engine.Tests.Auth;

public sealed class TokenInspectorTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 6, 0, 0, TimeSpan.Zero);
    private static TokenCheckOptions At(DateTimeOffset now, string? tenant = null, bool rbac = false, string? user = null) =>
        new() { Now = now, ExpectedTenantId = tenant, AppRbac = rbac, UserName = user };

    [Fact]
    public void App_only_token_facts_are_decoded()
    {
        string token = TestJwt.AppOnly(TestJwt.Tenant, Now.AddHours(1));
        TokenFacts f = TokenInspector.Decode(token);
        Assert.Equal("https://outlook.office365.com", f.Audience);
        Assert.Equal(TestJwt.Tenant, f.TenantId);
        Assert.Equal(TestJwt.AppId, f.AppId);
        Assert.Equal(new[] { "SMTP.SendAsApp" }, f.Roles);
        Assert.Empty(f.Scopes);
        Assert.True(f.IsAppOnly);
        Assert.Null(f.User);
        Assert.Equal(Now.AddHours(1), f.ExpiresOn);
        Assert.Empty(TokenInspector.Check(f, At(Now, TestJwt.Tenant)));
    }

    [Fact]
    public void Delegated_token_facts_are_decoded_with_the_user_from_any_of_the_three_claims()
    {
        TokenFacts f = TokenInspector.Decode(TestJwt.Delegated("alice@contoso.com", Now.AddHours(1), "Mail.Read SMTP.Send"));
        Assert.False(f.IsAppOnly);
        Assert.Equal(new[] { "Mail.Read", "SMTP.Send" }, f.Scopes);
        Assert.Equal("alice@contoso.com", f.User);
        Assert.Empty(TokenInspector.Check(f, At(Now, user: "Alice@Contoso.com")));

        Assert.Equal("bob@contoso.com", TokenInspector.Decode(TestJwt.Create(new { aud = "https://outlook.office.com", scp = "SMTP.Send",
            unique_name = "bob@contoso.com", exp = 1 })).User);
        Assert.Equal("carol@contoso.com", TokenInspector.Decode(TestJwt.Create(new { aud = "https://outlook.office.com", scp = "SMTP.Send",
            preferred_username = "carol@contoso.com", exp = 1 })).User);
    }

    [Theory]
    [InlineData("https://graph.microsoft.com", "Microsoft Graph")]
    [InlineData("00000003-0000-0000-c000-000000000000", "Microsoft Graph")]
    [InlineData("https://management.azure.com", "Azure Resource Manager")]
    [InlineData("api://something-else", "api://something-else")]
    public void Wrong_audience_is_named(string aud, string expectedName)
    {
        var findings = TokenInspector.Check(TestJwt.AppOnly(TestJwt.Tenant, Now.AddHours(1), aud: aud), At(Now));
        TokenFinding f = Assert.Single(findings);
        Assert.Equal("TokenWrongAudience", f.Id);
        Assert.Equal(FindingSeverity.Error, f.Severity);
        Assert.Contains(expectedName, f.Message);
        Assert.Contains("https://outlook.office365.com", f.Remediation);
    }

    [Theory]
    [InlineData("https://outlook.office365.com/")]
    [InlineData("00000002-0000-0ff1-ce00-000000000000")]
    [InlineData("https://outlook.office365.us")]
    public void Exchange_audiences_are_accepted(string aud) =>
        Assert.Empty(TokenInspector.Check(TestJwt.AppOnly(TestJwt.Tenant, Now.AddHours(1), aud: aud), At(Now)));

    [Fact]
    public void Delegated_token_without_SMTP_Send_is_reported()
    {
        var findings = TokenInspector.Check(TestJwt.Delegated("alice@contoso.com", Now.AddHours(1), "Mail.Read Mail.Send"), At(Now));
        TokenFinding f = Assert.Single(findings);
        Assert.Equal("TokenMissingSmtpSend", f.Id);
        Assert.Contains("Mail.Read, Mail.Send", f.Message);
    }

    [Fact]
    public void App_only_token_without_SendAsApp_is_reported_unless_App_RBAC_is_declared()
    {
        string token = TestJwt.AppOnly(TestJwt.Tenant, Now.AddHours(1), roles: new[] { "Mail.Send" });
        TokenFinding f = Assert.Single(TokenInspector.Check(token, At(Now)));
        Assert.Equal("TokenMissingSendAsApp", f.Id);
        Assert.Contains("Mail.Send", f.Message);
        Assert.Empty(TokenInspector.Check(token, At(Now, rbac: true)));
        Assert.Equal("TokenRoleWithAppRbac",
            Assert.Single(TokenInspector.Check(TestJwt.AppOnly(TestJwt.Tenant, Now.AddHours(1)), At(Now, rbac: true))).Id);
    }

    [Fact]
    public void Expired_and_nearly_expired_tokens_are_reported()
    {
        Assert.Equal("TokenExpired", Assert.Single(TokenInspector.Check(TestJwt.AppOnly(TestJwt.Tenant, Now.AddSeconds(-1)), At(Now))).Id);
        TokenFinding near = Assert.Single(TokenInspector.Check(TestJwt.AppOnly(TestJwt.Tenant, Now.AddMinutes(3)), At(Now)));
        Assert.Equal("TokenNearExpiry", near.Id);
        Assert.Equal(FindingSeverity.Warning, near.Severity);
        Assert.Empty(TokenInspector.Check(TestJwt.AppOnly(TestJwt.Tenant, Now.AddMinutes(6)), At(Now)));
    }

    [Fact]
    public void Tenant_mismatch_and_user_mismatch_are_reported()
    {
        var f = Assert.Single(TokenInspector.Check(TestJwt.AppOnly("11111111-2222-3333-4444-555555555555", Now.AddHours(1)),
            At(Now, TestJwt.Tenant)));
        Assert.Equal("TokenTenantMismatch", f.Id);
        Assert.Contains(TestJwt.Tenant, f.Message);
        var u = Assert.Single(TokenInspector.Check(TestJwt.Delegated("alice@contoso.com", Now.AddHours(1)),
            At(Now, user: "shared@contoso.com")));
        Assert.Equal("TokenUserMismatch", u.Id);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a token")]
    [InlineData("a.b")]
    [InlineData("a.b.c.d.e")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9.!!!!.sig")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.sig")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9.WzEsMiwzXQ.sig")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9.A.sig")]
    public void Garbage_is_an_engine_error_without_the_input_in_the_message(string token)
    {
        var e = Assert.Throws<M365SmtpException>(() => TokenInspector.Decode(token));
        Assert.Equal("TokenNotJwt", e.ErrorId);
        if (token.Length > 3) Assert.DoesNotContain(token, e.Message);
        Assert.False(TokenInspector.TryDecode(token, out _));
    }

    [Fact]
    public void Huge_input_is_refused_without_decoding()
    {
        string huge = "eyJhbGciOiJIUzI1NiJ9." + new string('A', 2_000_000) + ".sig";
        var e = Assert.Throws<M365SmtpException>(() => TokenInspector.Decode(huge));
        Assert.Equal("TokenNotJwt", e.ErrorId);
        Assert.Contains("longer", e.Message);
    }

    [Fact]
    public void Deeply_nested_or_odd_claims_do_not_crash()
    {
        string deep = new string('[', 5000) + new string(']', 5000);
        string token = "eyJhbGciOiJub25lIn0." + TestJwt.B64(Encoding.UTF8.GetBytes("{\"x\":" + deep + "}")) + ".";
        Assert.Equal("TokenNotJwt", Assert.Throws<M365SmtpException>(() => TokenInspector.Decode(token)).ErrorId);

        TokenFacts f = TokenInspector.Decode(TestJwt.Create(new { aud = new[] { "https://outlook.office.com", "x" }, exp = "1900000000",
            roles = "SMTP.SendAsApp", scp = 5, idtyp = "app" }));
        Assert.Equal("https://outlook.office.com", f.Audience);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1900000000), f.ExpiresOn);
        Assert.Equal(new[] { "SMTP.SendAsApp" }, f.Roles);
        Assert.Null(TokenInspector.Decode(TestJwt.Create(new { exp = 1e300 })).ExpiresOn);
    }

    [Fact]
    public void Seeded_random_mutations_never_escape_as_anything_but_engine_errors()
    {
        var rng = new Random(4242);
        string good = TestJwt.Delegated("alice@contoso.com", Now.AddHours(1));
        int decoded = 0;
        for (int i = 0; i < 2000; i++)
        {
            char[] chars = good.ToCharArray();
            int edits = rng.Next(1, 6);
            for (int j = 0; j < edits; j++) chars[rng.Next(chars.Length)] = (char)rng.Next(32, 127);
            string mutated = new(chars);
            try
            {
                TokenFacts f = TokenInspector.Decode(mutated);
                TokenInspector.Check(f, At(Now));
                decoded++;
            }
            catch (M365SmtpException e)
            {
                Assert.Equal("TokenNotJwt", e.ErrorId);
            }
        }
        Assert.InRange(decoded, 1, 1999); // some mutations hit only the signature; others break the payload
    }
}
