using M365SmtpTools.Engine.Exchange;
using M365SmtpTools.Engine.Operations;
using M365SmtpTools.Engine.Tests.Infrastructure;

namespace M365SmtpTools.Engine.Tests.Operations.Plans;

/// <summary>New-M365SmtpAppAccessPlan's operation: the steps and exact commands of both models, the id checks, the script.</summary>
public sealed class SmtpAppAccessPlanTests
{
    private static readonly Guid AppId = Guid.Parse("6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b");
    private static readonly Guid SpId = Guid.Parse("0a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d");
    private static readonly Guid AppObjectId = Guid.Parse("3c2b1a0f-9e8d-4c7b-8a6f-5e4d3c2b1a0f");
    private readonly RecordingHost _host = new();
    private readonly List<M365SmtpException> _errors = new();

    private async Task<SmtpAppAccessPlan> Run(NewSmtpAppAccessPlanRequest request)
    {
        OperationRun<SmtpAppAccessPlan> run = await new NewSmtpAppAccessPlanOperation(new FakeClock()).CollectAsync(request, _host,
            TestContext.Current.CancellationToken);
        _errors.AddRange(run.Errors);
        return Assert.Single(run.Results);
    }

    private static NewSmtpAppAccessPlanRequest Request(params string[] mailboxes) =>
        new()
        {
            AppId = AppId, ServicePrincipalObjectId = SpId, Mailbox = mailboxes.Length == 0 ? new[] { "reports@contoso.com" } : mailboxes
        };

    [Fact]
    public async Task MailboxPermissionModel()
    {
        var request = Request();
        request.SendAs = new[] { "noreply@contoso.com", "Reports@contoso.com" };
        request.EnableSmtpClientAuthentication = true;
        request.ScriptPath = GeneratedScripts.PathFor("app-access-mailboxpermission");
        var plan = await Run(request);

        Assert.True(plan.IsReady);
        Assert.Equal(SmtpAppAccessModel.MailboxPermission, plan.Model);
        Assert.Equal(new[] { "noreply@contoso.com" }, plan.SendAs);     // the mailbox itself needs no Send As
        Assert.Contains(plan.Findings, f => f.Id == "SendAsIsMailbox");
        Assert.Equal(new[]
        {
            "Connect-MgGraph -Scopes 'AppRoleAssignment.ReadWrite.All', 'Application.Read.All'\n" +
            "$exchange = Get-MgServicePrincipal -Filter 'appId eq ''00000002-0000-0ff1-ce00-000000000000'''\n" +
            "$role = $exchange.AppRoles | Where-Object { $_.Value -eq 'SMTP.SendAsApp' }\n" +
            "New-MgServicePrincipalAppRoleAssignment -ServicePrincipalId '0a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d' " +
            "-PrincipalId '0a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d' -ResourceId $exchange.Id -AppRoleId $role.Id",
            "New-ServicePrincipal -AppId '6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b' -ObjectId '0a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d' "
                + "-DisplayName 'SMTP app 6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b'",
            "Add-MailboxPermission -Identity 'reports@contoso.com' -User '0a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d' -AccessRights FullAccess",
            "Add-RecipientPermission -Identity 'noreply@contoso.com' -Trustee '0a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d' -AccessRights SendAs "
                + "-Confirm:$false",
            "Set-CASMailbox -Identity 'reports@contoso.com' -SmtpClientAuthenticationDisabled $false",
        }, plan.Steps.Select(s => s.Command));
        Assert.Equal(new[] { 1, 2, 3, 4, 5 }, plan.Steps.Select(s => s.Order));
        Assert.Equal(new[] { false, true, true, true, true }, plan.Steps.Select(s => s.InScript));
        Assert.All(plan.Steps, s => Assert.False(string.IsNullOrWhiteSpace(s.Why)));
        Assert.Contains("SMTP.SendAsApp", plan.Steps[0].Title);
        Assert.Contains("00000002-0000-0ff1-ce00-000000000000", plan.EntraPermission);
        Assert.Contains(plan.Findings, f => f.Id == "EntraPermissionRequired");
        Assert.DoesNotContain(plan.Findings, f => f.Id == "SmtpAuthMayBeDisabled");
        Assert.Equal("https://outlook.office365.com/.default", plan.TokenScope);

        Assert.Equal(request.ScriptPath, plan.ScriptPath);
        Assert.Equal(plan.Script, File.ReadAllText(plan.ScriptPath!));
        string[] lines = plan.Script.Split('\n');
        // The Entra step is guidance only: in the script it is commented out.
        Assert.All(lines.Where(l => l.Contains("New-MgServicePrincipalAppRoleAssignment") || l.Contains("Connect-MgGraph")),
            l => Assert.StartsWith("#", l));
        Assert.Contains("#     Connect-ExchangeOnline", lines);
        Assert.Contains("if (-not (Get-Command -Name New-ServicePrincipal -ErrorAction SilentlyContinue)) {", lines);
        Assert.Contains("$servicePrincipal = Get-ServicePrincipal -Identity '6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b' "
            + "-ErrorAction SilentlyContinue | Where-Object { $_.AppId -eq '6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b' }", lines);
        Assert.Contains("    " + plan.Steps[1].Command, lines);
        foreach (var step in plan.Steps.Skip(2)) Assert.Contains(step.Command, lines);
    }

    [Fact]
    public async Task AppRbacModelWithOneMailbox()
    {
        var request = Request("alerts@contoso.com");
        request.Model = SmtpAppAccessModel.AppRbac;
        request.ScriptPath = GeneratedScripts.PathFor("app-access-apprbac-one");
        var plan = await Run(request);
        Assert.Equal(new[]
        {
            "New-ServicePrincipal -AppId '6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b' -ObjectId '0a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d' "
                + "-DisplayName 'SMTP app 6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b'",
            "New-ManagementScope -Name 'SMTP app 6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b' "
                + "-RecipientRestrictionFilter 'PrimarySmtpAddress -eq ''alerts@contoso.com'''",
            "New-ManagementRoleAssignment -Name 'SMTP.SendAsApp 6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b' "
                + "-App '0a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d' -Role 'Application SMTP.SendAsApp' "
                + "-CustomResourceScope 'SMTP app 6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b'",
        }, plan.Steps.Select(s => s.Command));
        Assert.All(plan.Steps, s => Assert.True(s.InScript));
        var f = Assert.Single(plan.Findings, x => x.Id == "DoNotGrantEntraPermission");
        Assert.Equal(FindingSeverity.Warning, f.Severity);
        Assert.Contains("do NOT", f.Message);
        Assert.StartsWith("None", plan.EntraPermission);
        Assert.Contains(plan.Findings, x => x.Id == "SmtpAuthMayBeDisabled");
        Assert.DoesNotContain(plan.Script.Split('\n'), l => l.TrimStart().StartsWith("Add-MailboxPermission"));
        Assert.DoesNotContain("New-MgServicePrincipalAppRoleAssignment", plan.Script);
        string[] lines = plan.Script.Split('\n');
        Assert.Contains("    " + plan.Steps[1].Command + " | Out-Null", lines);
        // Query first, never "create and match the English error text".
        Assert.DoesNotContain("already exists'", plan.Script);
        Assert.Contains("$scope = Get-ManagementScope -Identity 'SMTP app 6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b' "
            + "-ErrorAction SilentlyContinue | Where-Object { $_.Name -eq 'SMTP app 6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b' }", lines);
        Assert.Contains("    $plannedFilter = 'PrimarySmtpAddress -eq ''alerts@contoso.com'''", lines);
        Assert.Contains(lines, l => l.StartsWith("$assignment = @(Get-ManagementRoleAssignment -Role 'Application SMTP.SendAsApp' "
            + "-ErrorAction SilentlyContinue", StringComparison.Ordinal));
        Assert.True(NewSmtpAppAccessPlanOperation.RoleAssignmentName(AppId.ToString()).Length <= 64);
    }

    [Fact]
    public async Task AppRbacWithSeveralMailboxesUsesAnOrFilterThatAlsoCoversSendAs()
    {
        var request = Request("alerts@contoso.com", "billing@contoso.com", "ALERTS@contoso.com");
        request.SendAs = new[] { "o'brien@contoso.com" };
        request.Model = SmtpAppAccessModel.AppRbac;
        request.ScopeName = "SMTP senders";
        request.EnableSmtpClientAuthentication = true;
        request.ScriptPath = GeneratedScripts.PathFor("app-access-apprbac-several");
        var plan = await Run(request);
        Assert.Equal(new[] { "alerts@contoso.com", "billing@contoso.com" }, plan.Mailbox);
        Assert.Equal("New-ManagementScope -Name 'SMTP senders' -RecipientRestrictionFilter "
            + "'(PrimarySmtpAddress -eq ''alerts@contoso.com'') -or (PrimarySmtpAddress -eq ''billing@contoso.com'') "
            + "-or (PrimarySmtpAddress -eq ''o''''brien@contoso.com'')'",
            plan.Steps[1].Command);
        Assert.EndsWith("-CustomResourceScope 'SMTP senders'", plan.Steps[2].Command);
        Assert.Contains(plan.Findings, f => f.Id == "SendAsThroughScope");
        Assert.DoesNotContain(plan.Script.Split('\n'), l => l.TrimStart().StartsWith("Add-RecipientPermission"));
        Assert.Equal(new[]
        {
            "Set-CASMailbox -Identity 'alerts@contoso.com' -SmtpClientAuthenticationDisabled $false",
            "Set-CASMailbox -Identity 'billing@contoso.com' -SmtpClientAuthenticationDisabled $false"
        }, plan.Steps.Skip(3).Select(s => s.Command));
        Assert.True(File.Exists(plan.ScriptPath));
    }

    [Fact]
    public async Task TheAppRegistrationsObjectIdIsCaught()
    {
        var request = Request();
        request.ServicePrincipalObjectId = AppObjectId;
        request.AppObjectId = AppObjectId;
        string path = Path.Combine(TestPaths.NewTempDir(), "app.ps1");
        request.ScriptPath = path;
        var plan = await Run(request);
        Assert.False(plan.IsReady);
        var f = plan.Findings[0];
        Assert.Equal("ObjectIdIsAppRegistration", f.Id);
        Assert.Equal(FindingSeverity.Error, f.Severity);
        Assert.Contains("Enterprise applications", f.Remediation);
        Assert.Contains(AppId.ToString(), f.Remediation);
        Assert.False(File.Exists(path));
        Assert.Equal("AppAccessPlanHasErrors", Assert.Single(_errors).ErrorId);
    }

    [Fact]
    public async Task TheAppIdGivenAsObjectIdIsCaught()
    {
        var request = Request();
        request.ServicePrincipalObjectId = AppId;
        var plan = await Run(request);
        Assert.Equal("ObjectIdIsAppId", plan.Findings[0].Id);
        Assert.False(plan.IsReady);
    }

    [Fact]
    public async Task DifferentObjectIdsPassAndUnknownOnesAreFlaggedForChecking()
    {
        var known = Request();
        known.AppObjectId = AppObjectId;
        var plan = await Run(known);
        Assert.True(plan.IsReady);
        Assert.DoesNotContain(plan.Findings, f => f.Id.StartsWith("ObjectId") || f.Id == "ServicePrincipalObjectIdUnverified");

        var unknown = await Run(Request());
        Assert.Contains(unknown.Findings, f => f.Id == "ServicePrincipalObjectIdUnverified" && f.Severity == FindingSeverity.Information);

        var swapped = Request();
        swapped.AppObjectId = AppId;
        Assert.Contains((await Run(swapped)).Findings, f => f.Id == "AppObjectIdIsAppId");
    }

    [Fact]
    public async Task WhatIfWritesNothing()
    {
        _host.ShouldProcessAnswer = false;
        var request = Request();
        request.ScriptPath = Path.Combine(TestPaths.NewTempDir(), "app.ps1");
        var plan = await Run(request);
        Assert.Equal((request.ScriptPath, "Write the SMTP app access script"), Assert.Single(_host.ShouldProcessCalls));
        Assert.False(File.Exists(request.ScriptPath));
        Assert.Null(plan.ScriptPath);
    }

    [Fact]
    public async Task QuotesInNamesAreEscaped()
    {
        var request = Request();
        request.DisplayName = "Contoso's reporting app";
        request.ScriptPath = GeneratedScripts.PathFor("app-access-quotes");
        var plan = await Run(request);
        Assert.EndsWith("-DisplayName 'Contoso''s reporting app'", plan.Steps[1].Command);
    }

    [Theory]
    [InlineData("not-an-address")]
    [InlineData("a b@contoso.com")]
    [InlineData("x$(Remove-Item)@contoso.com")]
    [InlineData("x`@contoso.com")]
    [InlineData("x\"@contoso.com")]
    [InlineData("user@nodot")]
    public async Task AddressesThatCantBeScriptedSafelyAreRefused(string address)
    {
        var e = await Assert.ThrowsAsync<M365SmtpException>(() => Run(Request(address)));
        Assert.Equal("InvalidEmailAddress", e.ErrorId);
        Assert.Contains("-Mailbox", e.Message);
    }

    [Fact]
    public async Task InputErrors()
    {
        var noMailbox = Request();
        noMailbox.Mailbox = new[] { " " };
        Assert.Equal("MailboxRequired", (await Assert.ThrowsAsync<M365SmtpException>(() => Run(noMailbox))).ErrorId);

        var emptyApp = Request();
        emptyApp.AppId = Guid.Empty;
        var e = await Assert.ThrowsAsync<M365SmtpException>(() => Run(emptyApp));
        Assert.Equal("InvalidApplicationId", e.ErrorId);
        Assert.Contains("-AppId", e.Message);

        var emptySp = Request();
        emptySp.ServicePrincipalObjectId = Guid.Empty;
        Assert.Contains("Enterprise applications", (await Assert.ThrowsAsync<M365SmtpException>(() => Run(emptySp))).RecommendedAction);

        var badSendAs = Request();
        badSendAs.SendAs = new[] { "nope" };
        Assert.Contains("-SendAs", (await Assert.ThrowsAsync<M365SmtpException>(() => Run(badSendAs))).Message);

        var txt = Request();
        txt.ScriptPath = "app.txt";
        Assert.Equal("ScriptPathNotPs1", (await Assert.ThrowsAsync<M365SmtpException>(() => Run(txt))).ErrorId);
    }
}
