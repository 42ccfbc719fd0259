using System.Management.Automation;
using M365SmtpTools.Host.Tests.Infrastructure;

namespace M365SmtpTools.Host.Tests;

/// <summary>
/// Every result type renders through the module's format views, as in a console: readable columns, no raw type
/// names (which is what PowerShell prints for nested objects when a view is missing).
/// </summary>
public sealed class FormatViewTests : IClassFixture<ModuleSession>
{
    private readonly ModuleSession _session;

    public FormatViewTests(ModuleSession session) => _session = session;

    private void AssertReadable(string text, params string[] expected)
    {
        Assert.DoesNotContain("M365SmtpTools.", text, StringComparison.Ordinal);
        Assert.DoesNotContain("System.Collections", text, StringComparison.Ordinal);
        Assert.DoesNotContain("System.Object[]", text, StringComparison.Ordinal);
        foreach (string e in expected) Assert.Contains(e, text, StringComparison.Ordinal);
    }

    [Fact]
    public void SmtpConnection()
    {
        string text = RenderChecked("$t = ConvertTo-SecureString -String 'not-a-real-token' -AsPlainText -Force; Connect-M365Smtp -Name ViewConn -AccessToken $t -UserName view@contoso.com; Get-M365SmtpConnection -Name ViewConn; Disconnect-M365Smtp -Name ViewConn -Confirm:$false");
        AssertReadable(text, "ViewConn", "view@contoso.com");
        Assert.DoesNotContain("not-a-real-token", text, StringComparison.Ordinal);
    }

    [Fact]
    public void SendMailResult() =>
        AssertReadable(RenderChecked("Send-M365Mail -Method Relay -SmtpServer contoso-com.mail.protection.outlook.com -From ops@contoso.com -To ann@contoso.com -Subject 'View test' -WhatIf"),
            "NotAttempted", "ann@contoso.com");

    [Fact]
    public void SmtpAuthTestReport() =>
        AssertReadable(RenderChecked("$t = ConvertTo-SecureString -String 'not-a-real-token' -AsPlainText -Force; Test-M365SmtpAuth -AccessToken $t -UserName a@contoso.com -SmtpServer 127.0.0.1 -Port 9 -TimeoutSeconds 5"),
            "Failed", "Connect");

    [Fact]
    public void GraphSendTestReportAndItsFindingsAndStages()
    {
        using var graph = new M365SmtpTools.Engine.Tests.Doubles.GraphDouble();
        const string test = "Test-M365GraphSend -AccessToken (ConvertTo-SecureString -String $token -AsPlainText -Force) -UserName reports@contoso.com -GraphEndpoint $url -SkipCertificateValidation -WarningAction SilentlyContinue";
        (string, object?)[] variables = { ("token", M365SmtpTools.Engine.Tests.Doubles.GraphDouble.Token()), ("url", graph.BaseUrl) };
        AssertReadable(RenderChecked(test, variables), "Passed", "400 ErrorInvalidRecipients", "GraphMailSendTenantWide", "aud=https://graph.microsoft.com");
        AssertReadable(RenderChecked("(" + test + ").Findings", variables), "Information", "GraphMailSendTenantWide");
        AssertReadable(RenderChecked("(" + test + ").Stages", variables), "Claims", "Mailbox");
    }

    [Fact]
    public void SmtpAppAccessPlan() =>
        AssertReadable(RenderChecked("New-M365SmtpAppAccessPlan -AppId 6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b -ServicePrincipalObjectId 0a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d -Mailbox reports@contoso.com"),
            "Register the app's service principal in Exchange Online", "FullAccess to reports@contoso.com");

    [Fact]
    public void MxEndpointResult()
    {
        string dns = InteropServers.RequireNsd();
        AssertReadable(RenderChecked("Get-M365MxEndpoint -Domain good.maildomain.test -DnsServer $dns", ("dns", dns)), "mail.protection.outlook.com", "Legacy");
    }

    [Fact]
    public void MailDomainReportAndFindings()
    {
        string dns = InteropServers.RequireNsd();
        AssertReadable(RenderChecked("Test-M365MailDomain -Domain bare.maildomain.test -DnsServer $dns", ("dns", dns)), "SpfMissing");
        AssertReadable(RenderChecked("(Test-M365MailDomain -Domain bare.maildomain.test -DnsServer $dns).Findings", ("dns", dns)), "DmarcMissing");
    }

    [Fact]
    public void RelayConnectorPlan()
    {
        string dns = InteropServers.RequireNsd();
        AssertReadable(RenderChecked("New-M365RelayConnectorPlan -Domain good.maildomain.test -SenderIPAddress 203.0.113.25 -DnsServer $dns", ("dns", dns)), "203.0.113.25");
    }

    // Runs the producer, insists it produced something, and renders it as the console would.
    private string RenderChecked(string producer, params (string, object?)[] variables)
    {
        IReadOnlyList<PSObject> text = _session.Output(
            "$items = @(" + producer + ")\nif ($items.Count -eq 0) { throw 'the command produced nothing to render' }\n$items | Out-String -Width 200",
            variables);
        return string.Concat(text.Select(t => t.ToString()));
    }
}
