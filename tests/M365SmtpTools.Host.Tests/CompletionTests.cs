using System.Management.Automation;
using M365SmtpTools.Host.Tests.Infrastructure;

namespace M365SmtpTools.Host.Tests;

/// <summary>Tab completion through PowerShell's own TabExpansion2, as the console asks for it.</summary>
public sealed class CompletionTests : IClassFixture<ModuleSession>
{
    private readonly ModuleSession _session;

    public CompletionTests(ModuleSession session) => _session = session;

    private List<string> Complete(string line) =>
        _session.Output("(TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText", ("line", line))
            .Select(o => o.ToString()).ToList();

    [Fact]
    public void ConnectionNamesCompleteFromTheSession()
    {
        _session.Output("$t = ConvertTo-SecureString -String 'not-a-real-token' -AsPlainText -Force\n" +
                        "Connect-M365Smtp -Name Scanner -AccessToken $t -UserName s@contoso.com | Out-Null\n" +
                        "Connect-M365Smtp -Name Reports -AccessToken $t -UserName r@contoso.com | Out-Null");
        try
        {
            Assert.Equal(new[] { "Scanner" }, Complete("Send-M365Mail -Connection Sc"));
            List<string> all = Complete("Get-M365SmtpConnection -Name ");
            Assert.Contains("Scanner", all);
            Assert.Contains("Reports", all);
        }
        finally { _session.Output("Disconnect-M365Smtp -Name Scanner, Reports -Confirm:$false"); }
    }

    [Fact]
    public void SmtpServersCompleteWithMicrosoft365Endpoints() =>
        Assert.Contains("smtp.office365.com", Complete("Send-M365Mail -SmtpServer smtp."));

    [Theory]
    [InlineData("Send-M365Mail -Method ", new[] { "ClientSubmission", "Relay", "DirectSend" })]
    [InlineData("Send-M365Mail -Priority ", new[] { "Normal", "High", "Low" })]
    [InlineData("Connect-M365Smtp -Environment ", new[] { "Commercial" })]
    public void EnumParametersCompleteTheirValues(string line, string[] expected)
    {
        List<string> matches = Complete(line);
        foreach (string value in expected) Assert.Contains(value, matches);
    }
}
