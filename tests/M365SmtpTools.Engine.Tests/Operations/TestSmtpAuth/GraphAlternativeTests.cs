using M365SmtpTools.Engine.Auth;
using M365SmtpTools.Engine.Exchange;
using M365SmtpTools.Engine.Graph;
using M365SmtpTools.Engine.Operations;
using M365SmtpTools.Engine.Tests.Infrastructure;

namespace M365SmtpTools.Engine.Tests.Operations.TestSmtpAuth;

/// <summary>
/// Test-M365SmtpAuth's 5.7.139 (SMTP AUTH disabled) finding names the way around it: the exact
/// Send-M365Mail -Method Graph command for the same app and mailbox, without any secret.
/// </summary>
public sealed class GraphAlternativeTests
{
    [Fact]
    public async Task The_SmtpAuthDisabled_finding_names_the_exact_graph_command()
    {
        await using var exo = ExchangeOnlineDouble.Start(new ExchangeOnlineDoubleOptions
        {
            AuthPolicy = DoubleAuthPolicy.SmtpAuthDisabledForTenant
        });
        TestSmtpAuthRequest request = Diag.Request(exo).WithToken(Diag.DelegatedToken(exo));
        request.To = new[] { "bob@contoso.com" };

        SmtpAuthTestReport report = await Diag.Op(exo).RunAsync(request);

        SmtpTestFinding f = Assert.Single(report.Findings, x => x.Id == "SmtpAuthDisabled");
        Assert.Contains("Set-CASMailbox", string.Join(" ", f.Commands)); // the SMTP fix is still first
        Assert.Contains($"Send-M365Mail -Method Graph -AccessToken (Get-AzAccessToken -ResourceUrl https://graph.microsoft.com "
            + $"-AsSecureString).Token -UserName '{Diag.Alice}' -To 'bob@contoso.com'", f.Remediation);
        Assert.Contains("Mail.Send", f.Remediation);
        // and the check of Graph access that sends nothing, for the same token source and mailbox
        Assert.Contains($"Test-M365GraphSend -AccessToken (Get-AzAccessToken -ResourceUrl https://graph.microsoft.com "
            + $"-AsSecureString).Token -UserName '{Diag.Alice}'", f.Remediation);
    }

    [Fact]
    public void The_test_command_keeps_the_app_and_cloud_and_never_the_secret()
    {
        var secret = new SmtpAuthOptions
        {
            TenantId = "contoso.onmicrosoft.com", ClientId = "0a1b2c3d-1111-2222-3333-444455556666",
            ClientSecret = SecretText.ToSecureString("s3cret-Value"),
            UserName = "reports@contoso.com", Environment = M365Environment.USGovGCCHigh,
        };
        string c = GraphAlternative.TestCommand(secret, "reports@contoso.com");
        Assert.Equal("Test-M365GraphSend -TenantId 'contoso.onmicrosoft.com' -ClientId '0a1b2c3d-1111-2222-3333-444455556666' "
            + "-ClientSecret $clientSecret -Environment USGovGCCHigh -UserName 'reports@contoso.com'", c);
    }

    [Fact]
    public void The_command_keeps_the_app_and_cloud_and_never_the_secret()
    {
        var secret = new SmtpAuthOptions
        {
            TenantId = "contoso.onmicrosoft.com", ClientId = "0a1b2c3d-1111-2222-3333-444455556666",
            ClientSecret = SecretText.ToSecureString("s3cret-Value"),
            UserName = "reports@contoso.com", Environment = M365Environment.USGovGCCHigh,
        };
        string c = GraphAlternative.Command(secret, "reports@contoso.com", null);
        Assert.Equal("Send-M365Mail -Method Graph -TenantId 'contoso.onmicrosoft.com' -ClientId '0a1b2c3d-1111-2222-3333-444455556666' "
            + "-ClientSecret $clientSecret -Environment USGovGCCHigh -UserName 'reports@contoso.com' -To '<recipient>' "
            + "-Subject 'Test through Microsoft Graph' -Body 'Sent with Send-M365Mail -Method Graph.'", c);
        Assert.DoesNotContain("s3cret", c);

        var cert = new SmtpAuthOptions { TenantId = "contoso.onmicrosoft.com", ClientId = "app", CertificatePath = "/certs/app.pfx",
            UserName = "reports@contoso.com" };
        Assert.StartsWith("Send-M365Mail -Method Graph -TenantId 'contoso.onmicrosoft.com' -ClientId 'app' "
            + "-CertificatePath '/certs/app.pfx' -UserName", GraphAlternative.Command(cert, "reports@contoso.com", "x@contoso.com"));
        var mi = new SmtpAuthOptions { ManagedIdentity = true, UserName = "reports@contoso.com" };
        Assert.StartsWith("Send-M365Mail -Method Graph -ManagedIdentity -UserName 'reports@contoso.com'",
            GraphAlternative.Command(mi, "reports@contoso.com", null));
    }
}
