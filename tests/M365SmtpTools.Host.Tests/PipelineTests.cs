using System.Management.Automation;
using M365SmtpTools.Host.Tests.Infrastructure;

namespace M365SmtpTools.Host.Tests;

/// <summary>Pipeline input as admins feed it: Import-Csv rows by property name, names by value, objects from other cmdlets.</summary>
public sealed class PipelineTests : IClassFixture<ModuleSession>
{
    private readonly ModuleSession _session;

    public PipelineTests(ModuleSession session) => _session = session;

    [Fact]
    public void CsvRowsBindToSendM365MailByPropertyNameWithOneResultPerRow()
    {
        string csv = Path.Combine(Path.GetTempPath(), $"rows-{Guid.NewGuid():N}.csv");
        File.WriteAllText(csv, "To,Subject,Body,Cc\nann@contoso.com,Row one,Hello Ann,\n" +
            "\"ben@contoso.com; cat@contoso.com\",Row two,Hello both,boss@contoso.com\n");
        try
        {
            IReadOnlyList<PSObject> results = _session.Output(
                "Import-Csv -Path $csv | Send-M365Mail -Method Relay -SmtpServer contoso-com.mail.protection.outlook.com " +
                "-From ops@contoso.com -WhatIf",
                ("csv", csv));
            Assert.Equal(2, results.Count);
            Assert.Equal(new[] { "NotAttempted", "NotAttempted" }, results.Select(r => r.Properties["Status"].Value.ToString()));
            Assert.Equal(new[] { "Row one", "Row two" }, results.Select(r => (string)r.Properties["Subject"].Value));
            var second = ((System.Collections.IEnumerable)results[1].Properties["Recipients"].Value).Cast<object>()
                .Select(o => o.ToString()).ToList();
            Assert.Equal(new[] { "ben@contoso.com", "cat@contoso.com", "boss@contoso.com" }, second);
        }
        finally { File.Delete(csv); }
    }

    [Fact]
    public void ConnectionsFlowFromGetToDisconnectByPropertyName()
    {
        IReadOnlyList<PSObject> removed = _session.Output(
            "$token = ConvertTo-SecureString -String 'not-a-real-token' -AsPlainText -Force\n" +
            "Connect-M365Smtp -Name PipeA -AccessToken $token -UserName a@contoso.com | Out-Null\n" +
            "Connect-M365Smtp -Name PipeB -AccessToken $token -UserName b@contoso.com | Out-Null\n" +
            "Get-M365SmtpConnection -Name PipeA, PipeB | Disconnect-M365Smtp -Confirm:$false -PassThru");
        Assert.Equal(new[] { "PipeA", "PipeB" }, removed.Select(c => (string)c.Properties["Name"].Value).OrderBy(n => n));
        Assert.Empty(_session.Output("Get-M365SmtpConnection | Where-Object Name -Like 'Pipe*'"));
    }

    [Fact]
    public void DomainNamesBindByValueAndFromADomainNameProperty()
    {
        // Both fail validation before any DNS query, which proves each value reached the cmdlet as -Domain.
        HostResult r = _session.Run(
            "'bad domain one' | Get-M365MxEndpoint\n" +
            "[pscustomobject]@{ DomainName = 'bad domain two' } | Test-M365MailDomain");
        Assert.Equal(2, r.Errors.Count);
        Assert.All(r.Errors, e => Assert.StartsWith("InvalidDomainName", e.FullyQualifiedErrorId, StringComparison.Ordinal));
        Assert.Equal(new object[] { "bad domain one", "bad domain two" }, r.Errors.Select(e => e.TargetObject));
    }
}
