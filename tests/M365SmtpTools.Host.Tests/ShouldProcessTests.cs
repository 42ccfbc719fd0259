using System.Management.Automation;
using M365SmtpTools.Host.Tests.Infrastructure;

namespace M365SmtpTools.Host.Tests;

/// <summary>-WhatIf and -Confirm on what sends or writes: nothing happens under -WhatIf; $WhatIfPreference is honoured.</summary>
public sealed class ShouldProcessTests : IClassFixture<ModuleSession>
{
    private readonly ModuleSession _session;

    public ShouldProcessTests(ModuleSession session) => _session = session;

    [Theory]
    [InlineData("New-M365SmtpAppAccessPlan -AppId 6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b " +
        "-ServicePrincipalObjectId 0a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d -Mailbox reports@contoso.com -ScriptPath $path")]
    [InlineData("New-M365RelayConnectorPlan -Domain contoso.com -SenderIPAddress 203.0.113.25 -DnsServer 127.0.0.1 -ScriptPath $path " +
        "-ErrorAction SilentlyContinue")]
    public void WhatIfWritesNoScript(string call)
    {
        string path = Path.Combine(Path.GetTempPath(), $"plan-{Guid.NewGuid():N}.ps1");
        _session.Run(call + " -WhatIf", ("path", path));
        Assert.False(File.Exists(path), "-WhatIf wrote the script");
        _session.Run("$WhatIfPreference = $true; try { " + call + " } finally { $WhatIfPreference = $false }", ("path", path));
        Assert.False(File.Exists(path), "$WhatIfPreference = $true wrote the script");
    }

    [Fact]
    public void TheAppAccessScriptIsWrittenWithoutWhatIf()
    {
        string path = Path.Combine(Path.GetTempPath(), $"plan-{Guid.NewGuid():N}.ps1");
        try
        {
            _session.Output("New-M365SmtpAppAccessPlan -AppId 6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b " +
                "-ServicePrincipalObjectId 0a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d -Mailbox reports@contoso.com " +
                "-ScriptPath $path -Confirm:$false", ("path", path));
            Assert.Contains("New-ServicePrincipal", File.ReadAllText(path), StringComparison.Ordinal);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void DisconnectUnderWhatIfKeepsTheConnection()
    {
        IReadOnlyList<System.Management.Automation.PSObject> left = _session.Output(
            "$token = ConvertTo-SecureString -String 'not-a-real-token' -AsPlainText -Force\n" +
            "Connect-M365Smtp -Name WhatIfKeep -AccessToken $token -UserName a@contoso.com | Out-Null\n" +
            "Disconnect-M365Smtp -Name WhatIfKeep -WhatIf\n" +
            "Get-M365SmtpConnection -Name WhatIfKeep; Disconnect-M365Smtp -Name WhatIfKeep -Confirm:$false");
        Assert.Equal("WhatIfKeep", Assert.Single(left).Properties["Name"].Value);
    }

    [Theory]
    [InlineData("Send-M365Mail")]
    [InlineData("Test-M365SmtpAuth")]
    [InlineData("Disconnect-M365Smtp")]
    [InlineData("New-M365RelayConnectorPlan")]
    [InlineData("New-M365SmtpAppAccessPlan")]
    public void WhatIfAndConfirmAreOffered(string cmdlet)
    {
        var names = _session.Output("(Get-Command -Name $name).Parameters.Keys", ("name", cmdlet)).Select(o => o.ToString()).ToList();
        Assert.Contains("WhatIf", names);
        Assert.Contains("Confirm", names);
    }
}

/// <summary>A relay plan whose certificate the connector can't accept writes no script, unless -Force, which the script then
/// states.</summary>
public sealed class RelayPlanForceTests : IClassFixture<ModuleSession>
{
    private readonly ModuleSession _session;

    public RelayPlanForceTests(ModuleSession session) => _session = session;

    [Fact]
    public void ASelfSignedCertificateIsAnErrorAndOnlyForceWritesTheScript()
    {
        string dns = InteropServers.RequireNsd();
        string dir = Path.Combine(Path.GetTempPath(), $"relay-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        string pfx = Path.Combine(dir, "scanner.pfx"), script = Path.Combine(dir, "relay.ps1");
        using (var key = System.Security.Cryptography.RSA.Create(2048))
        {
            var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=good.maildomain.test", key,
                System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
            using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
            File.WriteAllBytes(pfx, cert.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pfx));
        }
        try
        {
            const string call = "New-M365RelayConnectorPlan -Domain good.maildomain.test -CertificatePath $pfx -DnsServer $dns " +
                "-ScriptPath $script -Confirm:$false";
            HostResult refused = _session.Run(call, ("pfx", pfx), ("dns", dns), ("script", script));
            var plan = Assert.Single(refused.Output);
            Assert.Equal(false, plan.Properties["IsReady"].Value);
            Assert.StartsWith("RelayPlanHasErrors", Assert.Single(refused.Errors).FullyQualifiedErrorId, StringComparison.Ordinal);
            Assert.False(File.Exists(script));

            HostResult forced = _session.Run(call + " -Force", ("pfx", pfx), ("dns", dns), ("script", script));
            Assert.Empty(forced.Errors);
            string[] lines = File.ReadAllLines(script);
            Assert.StartsWith("# WRITTEN WITH -Force DESPITE ERRORS", lines[0], StringComparison.Ordinal);
            Assert.Contains(lines.TakeWhile(l => l.StartsWith('#')), l => l.Contains("CertificateSelfSigned", StringComparison.Ordinal));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}

/// <summary>-ScriptPath never replaces a file without -Force, never writes through a symbolic link, and keeps the script private.</summary>
public sealed class ScriptPathSafetyTests : IClassFixture<ModuleSession>
{
    private const string Plan = "New-M365SmtpAppAccessPlan -AppId 6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b " +
        "-ServicePrincipalObjectId 0a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d -Mailbox reports@contoso.com -ScriptPath $path -Confirm:$false";
    private readonly ModuleSession _session;

    public ScriptPathSafetyTests(ModuleSession session) => _session = session;

    [Fact]
    public void AnExistingFileIsReplacedOnlyWithForce()
    {
        string path = Path.Combine(Path.GetTempPath(), $"plan-{Guid.NewGuid():N}.ps1");
        File.WriteAllText(path, "# mine");
        try
        {
            HostResult kept = _session.Run(Plan, ("path", path));
            Assert.StartsWith("ScriptExists", Assert.Single(kept.Errors).FullyQualifiedErrorId, StringComparison.Ordinal);
            Assert.Equal("# mine", File.ReadAllText(path));

            _session.Output(Plan + " -Force", ("path", path));
            Assert.Contains("New-ServicePrincipal", File.ReadAllText(path), StringComparison.Ordinal);
            if (!OperatingSystem.IsWindows())
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void ASymbolicLinkIsNeverWrittenThrough()
    {
        if (OperatingSystem.IsWindows()) return; // creating links needs a privilege there; the check is the same code
        string dir = Path.Combine(Path.GetTempPath(), $"plan-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        string target = Path.Combine(dir, "victim.txt"), link = Path.Combine(dir, "plan.ps1");
        File.WriteAllText(target, "keep me");
        File.CreateSymbolicLink(link, target);
        try
        {
            HostResult r = _session.Run(Plan + " -Force", ("path", link));
            Assert.StartsWith("ScriptPathIsLink", Assert.Single(r.Errors).FullyQualifiedErrorId, StringComparison.Ordinal);
            Assert.Equal("keep me", File.ReadAllText(target));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
