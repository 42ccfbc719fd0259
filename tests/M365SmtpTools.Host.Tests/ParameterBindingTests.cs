using System.Management.Automation;
using M365SmtpTools.Host.Tests.Infrastructure;

namespace M365SmtpTools.Host.Tests;

/// <summary>
/// PowerShell's binder picks the parameter set from a typical call (the cmdlet says which with -Debug), and a call
/// that forgets a mandatory parameter fails in binding with an error that names it.
/// </summary>
public sealed class ParameterBindingTests : IClassFixture<ModuleSession>
{
    private const string App = "-TenantId contoso.onmicrosoft.com -ClientId 0a1b2c3d-1111-2222-3333-444455556666";
    private const string Message = "-UserName reports@contoso.com -To ops@contoso.com -Subject 'Nightly export' -Body 'Done.'";
    private readonly ModuleSession _session;

    public ParameterBindingTests(ModuleSession session) => _session = session;

    private string ChosenSet(string call)
    {
        HostResult r = _session.Run(
            "$DebugPreference = 'Continue'; $secret = ConvertTo-SecureString -String 'not-a-real-secret' -AsPlainText -Force\n" +
            "$pfx = Join-Path ([IO.Path]::GetTempPath()) 'no-such-app.pfx'\n" + call);
        string? line = r.Debug.FirstOrDefault(d => d.Contains(": parameter set '", StringComparison.Ordinal));
        Assert.True(line != null,
            $"no parameter-set line for: {call}\nterminating: {r.TerminatingRecord?.FullyQualifiedErrorId} {r.Terminating?.Message}");
        return line!.Substring(line.IndexOf('\'') + 1).TrimEnd('.', '\'');
    }

    [Theory]
    [InlineData("Send-M365Mail " + App + " -CertificateThumbprint 3A4B5C6D7E8F9012A3B4C5D6E7F8091A2B3C4D5E " + Message + " -WhatIf",
        "AppCertificateThumbprint")]
    [InlineData("Send-M365Mail " + App + " -CertificatePath $pfx " + Message + " -WhatIf", "AppCertificateFile")]
    [InlineData("Send-M365Mail " + App + " -ClientSecret $secret " + Message + " -WhatIf", "AppSecret")]
    [InlineData("Send-M365Mail -ManagedIdentity " + Message + " -WhatIf", "ManagedIdentity")]
    [InlineData("Send-M365Mail -AccessToken $secret " + Message + " -WhatIf", "AccessToken")]
    [InlineData("Send-M365Mail -Credential ([pscredential]::new('scanner@contoso.com', $secret)) " +
        "-To ops@contoso.com -Subject s -Body b -WhatIf", "Basic")]
    [InlineData("Send-M365Mail -To ops@contoso.com -Subject s -Body b -WhatIf -ErrorAction SilentlyContinue", "Connection")]
    [InlineData("Send-M365Mail -Method Relay -SmtpServer contoso-com.mail.protection.outlook.com -From scanner@contoso.com " +
        "-To ops@contoso.com -Subject s -WhatIf", "Connection")]
    [InlineData("Test-M365SmtpAuth " + App + " -ClientSecret $secret -UserName reports@contoso.com -AuthorityHost 127.0.0.1:9 " +
        "-SmtpServer 127.0.0.1 -Port 9 -WhatIf", "AppSecret")]
    [InlineData("Test-M365SmtpAuth -ManagedIdentity -UserName reports@contoso.com -WhatIf", "ManagedIdentity")]
    [InlineData("Connect-M365Smtp " + App + " -ClientSecret $secret -UserName reports@contoso.com -AuthorityHost 127.0.0.1:9 " +
        "-ErrorAction SilentlyContinue", "AppSecret")]
    [InlineData("Connect-M365Smtp -Name Tok -AccessToken $secret -UserName reports@contoso.com -ErrorAction SilentlyContinue",
        "AccessToken")]
    [InlineData("New-M365RelayConnectorPlan -Domain contoso.com -SenderIPAddress 203.0.113.25 -DnsServer 127.0.0.1 -WhatIf " +
        "-ErrorAction SilentlyContinue", "IPAddress")]
    [InlineData("New-M365RelayConnectorPlan -Domain contoso.com -CertificatePath $pfx -WhatIf -ErrorAction SilentlyContinue",
        "CertificateFile")]
    public void ATypicalCallResolvesItsParameterSet(string call, string expectedSet) =>
        Assert.Equal(expectedSet, ChosenSet(call));

    [Theory]
    [InlineData("Send-M365Mail -TenantId contoso.onmicrosoft.com -ClientSecret $secret -UserName a@contoso.com " +
        "-To b@contoso.com -Subject s", "ClientIdMissing", "-ClientId")]
    [InlineData("Connect-M365Smtp -ClientId 0a1b2c3d-1111-2222-3333-444455556666 " +
        "-CertificateThumbprint 3A4B5C6D7E8F9012A3B4C5D6E7F8091A2B3C4D5E -UserName a@contoso.com", "TenantIdMissing", "-TenantId")]
    [InlineData("Connect-M365Smtp -TenantId contoso.onmicrosoft.com -ClientId 0a1b2c3d-1111-2222-3333-444455556666 -ClientSecret $secret",
        "UserNameMissing", "-UserName")]
    // The certificate or secret forgotten: the error names it, on all three cmdlets (it was "missing DeviceCode" on
    // Connect-M365Smtp and a bare AmbiguousParameterSet on the other two).
    [InlineData("Connect-M365Smtp " + App + " -UserName a@contoso.com", "AppCredentialMissing", "-CertificatePath")]
    [InlineData("Send-M365Mail " + App + " " + Message, "AppCredentialMissing", "-ClientSecret")]
    [InlineData("Test-M365SmtpAuth " + App + " -UserName a@contoso.com", "AppCredentialMissing", "-CertificateThumbprint")]
    [InlineData("Send-M365Mail -ClientId 0a1b2c3d-1111-2222-3333-444455556666 " + Message, "AppCredentialMissing", "-DeviceCode")]
    // A bare Connect-M365Smtp: no prompt for -ClientId and then for the switch -DeviceCode, but the ways to sign in.
    [InlineData("Connect-M365Smtp", "AuthMethodMissing", "-ManagedIdentity")]
    // The app's certificate with -Method Relay: no prompt for -TenantId, but the relay's own parameter.
    [InlineData("Send-M365Mail -Method Relay -SmtpServer contoso-com.mail.protection.outlook.com -CertificatePath $pfx " +
        "-From scanner@contoso.com -To ops@contoso.com -Subject s", "AuthNotApplicable", "-ClientCertificatePath")]
    [InlineData("Send-M365Mail -Method Relay -SmtpServer contoso-com.mail.protection.outlook.com " +
        "-CertificateThumbprint 3A4B5C6D7E8F9012A3B4C5D6E7F8091A2B3C4D5E -From scanner@contoso.com -To ops@contoso.com -Subject s",
        "AuthNotApplicable", "-ClientCertificateThumbprint")]
    public void AnIncompleteSignInIsAnErrorThatNamesTheMissingParameterNotAPrompt(string call, string errorId, string named)
    {
        // The in-process host has no UI: a parameter PowerShell would prompt for shows up as MissingMandatoryParameter.
        HostResult r = _session.Run("$secret = ConvertTo-SecureString -String 'x' -AsPlainText -Force\n" +
            "$pfx = Join-Path ([IO.Path]::GetTempPath()) 'no-such-app.pfx'\n" + call);
        ErrorRecord? error = r.TerminatingRecord ?? r.Errors.FirstOrDefault();
        Assert.NotNull(error);
        Assert.Equal(errorId, error!.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Contains(named, error.Exception.Message + " " + error.ErrorDetails?.RecommendedAction, StringComparison.Ordinal);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Empty(r.Output);
    }

    [Fact]
    public void AForgottenMandatoryParameterOfAPlanIsNamedInABindingError()
    {
        HostResult r = _session.Run("New-M365SmtpAppAccessPlan -AppId 6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b");
        ErrorRecord? error = r.TerminatingRecord ?? r.Errors.FirstOrDefault();
        Assert.NotNull(error);
        Assert.StartsWith("MissingMandatoryParameter", error!.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Contains("ServicePrincipalObjectId", error.Exception.Message, StringComparison.Ordinal);
        Assert.Empty(r.Output);
    }

    [Fact]
    public void AuthParametersOfTwoWaysAtOnceAreAmbiguousNotSilentlyPicked()
    {
        HostResult r = _session.Run("$secret = ConvertTo-SecureString -String 'x' -AsPlainText -Force\n" +
            "Connect-M365Smtp -ManagedIdentity -AccessToken $secret -UserName a@contoso.com");
        ErrorRecord? error = r.TerminatingRecord ?? r.Errors.FirstOrDefault();
        Assert.NotNull(error);
        Assert.StartsWith("AmbiguousParameterSet", error!.FullyQualifiedErrorId, StringComparison.Ordinal);
    }
}
