using System.Management.Automation;
using M365SmtpTools.Host.Tests.Infrastructure;

namespace M365SmtpTools.Host.Tests;

/// <summary>Errors as PowerShell users handle them: stable ids, categories, targets, recommended actions, -ErrorAction.</summary>
public sealed class ErrorRecordTests : IClassFixture<ModuleSession>
{
    private readonly ModuleSession _session;

    public ErrorRecordTests(ModuleSession session) => _session = session;

    [Fact]
    public void AnInvalidDomainIsAnInvalidArgumentWithTheDomainAsTargetAndAnAction()
    {
        HostResult r = _session.Run("Get-M365MxEndpoint -Domain 'bad domain'");
        ErrorRecord error = Assert.Single(r.Errors);
        Assert.Equal("InvalidDomainName,M365SmtpTools.Commands.GetM365MxEndpointCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Equal("bad domain", error.TargetObject);
        Assert.False(string.IsNullOrWhiteSpace(error.ErrorDetails?.RecommendedAction), "no recommended action");
        Assert.DoesNotContain("   at ", error.ToString(), StringComparison.Ordinal); // a message, not a stack trace
    }

    [Fact]
    public void ErrorActionStopMakesItTerminatingWithTheSameId()
    {
        HostResult r = _session.Run("Get-M365MxEndpoint -Domain 'bad domain' -ErrorAction Stop; 'not reached'");
        Assert.NotNull(r.TerminatingRecord);
        Assert.Equal("InvalidDomainName,M365SmtpTools.Commands.GetM365MxEndpointCommand", r.TerminatingRecord!.FullyQualifiedErrorId);
        Assert.Empty(r.Output);
    }

    [Fact]
    public void TryCatchSeesTheErrorRecordOfAFailedSend()
    {
        IReadOnlyList<PSObject> output = _session.Output(
            "try { Send-M365Mail -Method Relay -SmtpServer 127.0.0.1 -Port 9 -From scanner@contoso.com -To 'not an address' " +
            "-Subject x -ErrorAction Stop | Out-Null; 'no error' }\n" +
            "catch { $_.FullyQualifiedErrorId; $_.CategoryInfo.Category.ToString() }");
        Assert.Equal(new[] { "InvalidEmailAddress,M365SmtpTools.Commands.SendM365MailCommand", "InvalidArgument" },
            output.Select(o => o.ToString()));
    }

    [Fact]
    public void AMissingConnectionSaysWhatToRun()
    {
        HostResult r = _session.Run("Send-M365Mail -Connection NoSuchConnection -To a@contoso.com -Subject x -Body y");
        ErrorRecord error = r.TerminatingRecord ?? Assert.Single(r.Errors);
        Assert.StartsWith("ConnectionNotFound", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Contains("Connect-M365Smtp", error.ErrorDetails?.RecommendedAction ?? error.Exception.Message, StringComparison.Ordinal);
    }
}
