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
        string text = RenderChecked("$t = ConvertTo-SecureString -String 'not-a-real-token' -AsPlainText -Force; " +
            "Connect-M365Smtp -Name ViewConn -AccessToken $t -UserName view@contoso.com; Get-M365SmtpConnection -Name ViewConn; " +
            "Disconnect-M365Smtp -Name ViewConn -Confirm:$false");
        AssertReadable(text, "ViewConn", "view@contoso.com");
        Assert.DoesNotContain("not-a-real-token", text, StringComparison.Ordinal);
    }

    [Fact]
    public void SendMailResult() =>
        AssertReadable(RenderChecked("Send-M365Mail -Method Relay -SmtpServer contoso-com.mail.protection.outlook.com " +
            "-From ops@contoso.com -To ann@contoso.com -Subject 'View test' -WhatIf"),
            "NotAttempted", "ann@contoso.com");

    [Fact]
    public void SmtpAuthTestReport() =>
        AssertReadable(RenderChecked("$t = ConvertTo-SecureString -String 'not-a-real-token' -AsPlainText -Force; " +
            "Test-M365SmtpAuth -AccessToken $t -UserName a@contoso.com -SmtpServer 127.0.0.1 -Port 9 -TimeoutSeconds 5"),
            "Failed", "Connect");

    [Fact]
    public void GraphSendTestReportAndItsFindingsAndStages()
    {
        using var graph = new M365SmtpTools.Engine.Tests.Infrastructure.GraphDouble();
        const string test = "Test-M365GraphSend -AccessToken (ConvertTo-SecureString -String $token -AsPlainText -Force) " +
            "-UserName reports@contoso.com -GraphEndpoint $url -SkipCertificateValidation -WarningAction SilentlyContinue";
        (string, object?)[] variables = { ("token", M365SmtpTools.Engine.Tests.Infrastructure.GraphDouble.Token()),
            ("url", graph.BaseUrl) };
        AssertReadable(RenderChecked(test, variables), "Passed", "400 ErrorInvalidRecipients", "GraphMailSendTenantWide",
            "aud=https://graph.microsoft.com");
        AssertReadable(RenderChecked("(" + test + ").Findings", variables), "Information", "GraphMailSendTenantWide");
        AssertReadable(RenderChecked("(" + test + ").Stages", variables), "Claims", "Mailbox");
    }

    [Fact]
    public void SmtpAppAccessPlan() =>
        AssertReadable(RenderChecked("New-M365SmtpAppAccessPlan -AppId 6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b " +
            "-ServicePrincipalObjectId 0a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d -Mailbox reports@contoso.com"),
            "Register the app's service principal in Exchange Online", "FullAccess to reports@contoso.com");

    [Fact]
    public void MxEndpointResult()
    {
        string dns = InteropServers.RequireNsd();
        AssertReadable(RenderChecked("Get-M365MxEndpoint -Domain good.maildomain.test -DnsServer $dns", ("dns", dns)),
            "mail.protection.outlook.com", "Legacy");
    }

    [Fact]
    public void MailDomainReportAndFindings()
    {
        string dns = InteropServers.RequireNsd();
        AssertReadable(RenderChecked("Test-M365MailDomain -Domain bare.maildomain.test -DnsServer $dns", ("dns", dns)), "SpfMissing");
        AssertReadable(RenderChecked("(Test-M365MailDomain -Domain bare.maildomain.test -DnsServer $dns).Findings", ("dns", dns)),
            "DmarcMissing");
    }

    [Fact]
    public void RelayConnectorPlan()
    {
        string dns = InteropServers.RequireNsd();
        AssertReadable(RenderChecked(
            "New-M365RelayConnectorPlan -Domain good.maildomain.test -SenderIPAddress 203.0.113.25 -DnsServer $dns", ("dns", dns)),
            "203.0.113.25");
    }

    // Every table view of M365SmtpTools.Format.ps1xml, fed real objects, rendered in an 80-column console.
    [Theory]
    [InlineData("SmtpConnection.Table", "$t = ConvertTo-SecureString -String 'x' -AsPlainText -Force; " +
        "Connect-M365Smtp -Name View80 -AccessToken $t -UserName reports@contoso.com -PassThru; " +
        "Disconnect-M365Smtp -Name View80 -Confirm:$false")]
    [InlineData("MxEndpointResult", "Get-M365MxEndpoint -Domain good.maildomain.test -DnsServer $dns")]
    [InlineData("RelayConnectorPlan.Table",
        "New-M365RelayConnectorPlan -Domain good.maildomain.test -SenderIPAddress 52.160.10.25 -DnsServer $dns")]
    [InlineData("SmtpAppAccessPlan.Table", "New-M365SmtpAppAccessPlan -AppId 6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b " +
        "-ServicePrincipalObjectId 0a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d -Mailbox reports@contoso.com")]
    [InlineData("PlanFinding", "(New-M365SmtpAppAccessPlan -AppId 6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b " +
        "-ServicePrincipalObjectId 0a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d -Mailbox reports@contoso.com).Findings")]
    [InlineData("DeviceSetting",
        "(New-M365RelayConnectorPlan -Domain good.maildomain.test -SenderIPAddress 52.160.10.25 -DnsServer $dns).DeviceSettings")]
    [InlineData("MailDomainFinding", "(Test-M365MailDomain -Domain bare.maildomain.test -DnsServer $dns).Findings")]
    [InlineData("SendMailResult", "Send-M365Mail -Method Relay -SmtpServer contoso-com.mail.protection.outlook.com " +
        "-From ops@contoso.com -To ann@contoso.com, ben@contoso.com -Subject 'Nightly export finished' -WhatIf")]
    [InlineData("SmtpTestFinding.Table", "(Test-M365SmtpAuth -SmtpServer 127.0.0.1 -Port 9 -TimeoutSeconds 5).Findings")]
    [InlineData("SmtpTestStageResult.Table", "(Test-M365SmtpAuth -SmtpServer 127.0.0.1 -Port 9 -TimeoutSeconds 5).Stages")]
    public void EveryTableViewFitsAnEightyColumnConsole(string view, string producer)
    {
        string dns = producer.Contains("$dns", StringComparison.Ordinal) ? InteropServers.RequireNsd() : "";
        string viewName = (view.StartsWith("Smtp", StringComparison.Ordinal)
            && !view.StartsWith("SmtpAppAccessPlan", StringComparison.Ordinal) ? "M365SmtpTools." : "") + view;
        string fullView = _session.Output(
                "(Get-FormatData -TypeName * | ForEach-Object FormatViewDefinition | Where-Object { $_.Control -is " +
                "[System.Management.Automation.TableControl] -and $_.Name -like ('*' + $v) }).Name", ("v", view))
            .Select(o => o.ToString()).FirstOrDefault() ?? viewName;
        IReadOnlyList<PSObject> output = _session.Output(
            "$items = @(" + producer + ")\nif ($items.Count -eq 0) { throw 'nothing to render' }\n" +
            "$items | Format-Table -View $view | Out-String -Width 80",
            ("dns", dns), ("view", fullView));
        string[] lines = string.Concat(output.Select(o => o.ToString())).Replace("\r", "").Split('\n');
        int dashes = Array.FindIndex(lines, l => l.Contains('-') && l.Trim().Trim('-', ' ').Length == 0 && l.Trim().Length > 0);
        Assert.True(dashes > 0, "no header underline in:\n" + string.Join("\n", lines));
        int first = Array.FindIndex(lines, l => l.Trim().Length > 0);
        Assert.True(dashes - first == 1,
            $"{view}: the header wraps onto {dashes - first} lines at 80 columns:\n" + string.Join("\n", lines));
        Assert.All(lines, l => Assert.True(l.Length <= 80, $"{view}: a line is {l.Length} wide: {l}"));
        // Every column of the view is there (none pushed off the screen), each header whole.
        foreach (string label in _session.Output(
                "(Get-FormatData -TypeName * | ForEach-Object FormatViewDefinition | Where-Object Name -EQ $view).Control.Headers.Label",
                ("view", fullView))
            .Select(o => o.ToString()))
            Assert.Contains(label, lines[first], StringComparison.Ordinal);
    }

    // Runs the producer, insists it produced something, and renders it as the console would.
    private string RenderChecked(string producer, params (string, object?)[] variables)
    {
        IReadOnlyList<PSObject> text = _session.Output(
            "$items = @(" + producer + ")\nif ($items.Count -eq 0) { throw 'the command produced nothing to render' }\n" +
            "$items | Out-String -Width 200",
            variables);
        return string.Concat(text.Select(t => t.ToString()));
    }
}
