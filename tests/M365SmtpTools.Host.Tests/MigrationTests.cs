using System.Management.Automation;
using M365SmtpTools.Host.Tests.Infrastructure;

namespace M365SmtpTools.Host.Tests;

/// <summary>
/// Moving from Send-MailMessage is one rename, and the parameter names admins bring from ExchangeOnlineManagement,
/// Microsoft.Graph and Mailozaurr bind to the same parameters here.
/// </summary>
public sealed class MigrationTests : IClassFixture<ModuleSession>
{
    private readonly ModuleSession _session;

    public MigrationTests(ModuleSession session) => _session = session;

    [Fact]
    public void ASendMailMessageSplatWorksUnchangedAgainstARealSubmissionServer()
    {
        (int port, string user, string password, string maildir) = InteropServers.RequirePostfixSubmission();
        string tag = Guid.NewGuid().ToString("N");
        string attachment = Path.Combine(Path.GetTempPath(), $"report-{tag}.txt");
        File.WriteAllText(attachment, "numbers");
        try
        {
            // The splat is exactly what a Send-MailMessage script has; the second line is this test server's needs
            // (a self-signed certificate, and Basic authentication past its retirement date).
            HostResult r = _session.Run(
                "$credential = [pscredential]::new($user, (ConvertTo-SecureString -String $password -AsPlainText -Force))\n" +
                "$mail = @{ SmtpServer = '127.0.0.1'; Port = $port; UseSsl = $true; Credential = $credential; From = $user; " +
                "To = 'ann@contoso.test'; Cc = 'ben@contoso.test'; Bcc = 'audit@contoso.test';\n" +
                "  Subject = $tag; Body = '<h1>Export</h1><p>Done.</p>'; BodyAsHtml = $true; " +
                "Attachments = $attachment; Priority = 'High';\n" +
                "  DeliveryNotificationOption = 'OnFailure', 'Delay'; Encoding = [System.Text.Encoding]::UTF8 }\n" +
                "Send-M365Mail @mail -SkipCertificateValidation -AllowRetiredBasicAuth -WarningAction SilentlyContinue",
                ("user", user), ("password", password), ("port", port), ("tag", tag), ("attachment", attachment));
            Assert.True(r.Terminating == null && r.Errors.Count == 0,
                $"{r.TerminatingRecord?.FullyQualifiedErrorId ?? r.Errors.FirstOrDefault()?.FullyQualifiedErrorId}: " +
                $"{r.Terminating?.Message ?? r.Errors.FirstOrDefault()?.ToString()}");
            Assert.Equal("Sent", Assert.Single(r.Output).Properties["Status"].Value.ToString());

            string? delivered = InteropServers.WaitForDelivery(maildir, tag, TimeSpan.FromSeconds(30));
            Assert.NotNull(delivered);
            string mail = File.ReadAllText(delivered!);
            Assert.Contains("text/html", mail, StringComparison.Ordinal);
            Assert.Contains("<h1>Export</h1>", mail, StringComparison.Ordinal);
            Assert.Contains($"report-{tag}.txt", mail, StringComparison.Ordinal);
            Assert.Contains("Cc: ben@contoso.test", mail, StringComparison.Ordinal);
            // Bcc must not be in the headers the client wrote. Each recipient gets its own copy, and the copy picked may be
            // audit's own, where Postfix's delivery adds X-Original-To/Delivered-To naming it: leave those lines out.
            string headers = mail.Substring(0, mail.IndexOf("\n\n", StringComparison.Ordinal) is int end and > 0 ? end : mail.Length);
            string written = string.Join('\n', headers.Split('\n')
                .Where(l => !l.StartsWith("X-Original-To:", StringComparison.Ordinal)
                    && !l.StartsWith("Delivered-To:", StringComparison.Ordinal)));
            Assert.DoesNotContain("audit@contoso.test", written, StringComparison.Ordinal);
            Assert.Matches("(?im)^(X-Priority: 1|Importance: high)", mail);
        }
        finally { File.Delete(attachment); }
    }

    [Fact]
    public void PSEmailServerNamesTheServerAndAnMxEndpointMeansRelay()
    {
        IReadOnlyList<PSObject> results = _session.Output(
            "$PSEmailServer = 'contoso-com.mail.protection.outlook.com'\n" +
            "try { Send-M365Mail -From scanner@contoso.com -To ann@contoso.com -Subject 'Scan' -Body 'x' -WhatIf } " +
            "finally { Remove-Variable PSEmailServer }");
        PSObject result = Assert.Single(results);
        Assert.Equal("Relay", result.Properties["Method"].Value.ToString());
        Assert.Equal("NotAttempted", result.Properties["Status"].Value.ToString());
    }

    [Theory]
    [InlineData("-Organization contoso.onmicrosoft.com -AppId 0a1b2c3d-1111-2222-3333-444455556666 -ClientSecret $secret " +
        "-UserPrincipalName reports@contoso.com", "AppSecret")]
    [InlineData("-Tenant contoso.onmicrosoft.com -ApplicationId 0a1b2c3d-1111-2222-3333-444455556666 -CertificateFilePath $pfx " +
        "-UserName reports@contoso.com", "AppCertificateFile")]
    [InlineData("-Identity -ManagedIdentityAccountId 7e1d2c3b-0000-4000-8000-000000000001 -UserPrincipalName reports@contoso.com",
        "ManagedIdentity")]
    [InlineData("-UseDeviceCode -AppId 0a1b2c3d-1111-2222-3333-444455556666 -UserPrincipalName reports@contoso.com", "DeviceCode")]
    [InlineData("-Device -AppId 0a1b2c3d-1111-2222-3333-444455556666 -UserPrincipalName reports@contoso.com", "DeviceCode")]
    [InlineData("-UseDeviceAuthentication -ClientId 0a1b2c3d-1111-2222-3333-444455556666 -UserPrincipalName reports@contoso.com",
        "DeviceCode")]
    public void ConnectionHabitsFromOtherModulesBind(string auth, string expectedSet)
    {
        HostResult r = _session.Run(
            "$DebugPreference = 'Continue'; $secret = ConvertTo-SecureString -String 'x' -AsPlainText -Force; " +
            "$pfx = Join-Path ([IO.Path]::GetTempPath()) 'none.pfx'\n" +
            "Send-M365Mail " + auth + " -To ops@contoso.com -Subject s -Text 'plain' -HTML '<b>x</b>' -WhatIf");
        Assert.Contains(r.Debug, d => d.EndsWith($"parameter set '{expectedSet}'.", StringComparison.Ordinal));
        Assert.Equal("NotAttempted", Assert.Single(r.Output).Properties["Status"].Value.ToString());
    }

    [Theory]
    [InlineData("-ComputerName", "SmtpServer")]
    [InlineData("-Server", "SmtpServer")]
    [InlineData("-UseSsl", "RequireTls")]
    [InlineData("-DNO", "DeliveryNotification")]
    [InlineData("-BE", "Encoding")]
    public void SendMailMessageAndMailozaurrShortNamesAreAliases(string alias, string parameter)
    {
        var aliases = _session.Output("(Get-Command Send-M365Mail).Parameters[$p].Aliases", ("p", parameter)).Select(o => "-" + o).ToList();
        Assert.Contains(alias, aliases);
    }

    [Fact]
    public void ThePlansOldAsScriptNameStillWritesTheScript()
    {
        string path = Path.Combine(Path.GetTempPath(), $"plan-{Guid.NewGuid():N}.ps1");
        try
        {
            _session.Output("New-M365SmtpAppAccessPlan -AppId 6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b " +
                "-ServicePrincipalObjectId 0a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d -Mailbox reports@contoso.com " +
                "-AsScript $path -Confirm:$false", ("path", path));
            Assert.Contains("New-ServicePrincipal", File.ReadAllText(path), StringComparison.Ordinal);
        }
        finally { File.Delete(path); }
    }
}
