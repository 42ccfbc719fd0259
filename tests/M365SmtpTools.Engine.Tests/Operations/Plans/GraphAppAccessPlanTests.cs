using M365SmtpTools.Engine.Operations;
using M365SmtpTools.Engine.Tests.Infrastructure;

namespace M365SmtpTools.Engine.Tests.Operations.Plans;

/// <summary>
/// New-M365SmtpAppAccessPlan -Graph: least privilege for Send-M365Mail -Method Graph with RBAC for Applications
/// (management scope + service principal + 'Application Mail.Send'), never tenant-wide Mail.Send, no SMTP AUTH.
/// </summary>
public sealed class GraphAppAccessPlanTests
{
    private static readonly Guid App = Guid.Parse("6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b");
    private static readonly Guid Sp = Guid.Parse("0a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d");

    private static Task<SmtpAppAccessPlan> Plan(NewSmtpAppAccessPlanRequest r) =>
        new NewSmtpAppAccessPlanOperation(new FakeClock()).RunForResultAsync(r, new RecordingHost());

    [Fact]
    public async Task The_graph_plan_scopes_Application_Mail_Send_to_the_mailboxes()
    {
        SmtpAppAccessPlan plan = await Plan(new NewSmtpAppAccessPlanRequest
        {
            AppId = App, ServicePrincipalObjectId = Sp, Mailbox = new[] { "reports@contoso.com" }, SendAs = new[] { "noreply@contoso.com" },
            Graph = true
        });

        Assert.True(plan.Graph);
        Assert.True(plan.IsReady);
        Assert.Equal(SmtpAppAccessModel.AppRbac, plan.Model);
        Assert.Equal("https://graph.microsoft.com/.default", plan.TokenScope);
        string[] commands = plan.Steps.Select(s => s.Command).ToArray();
        Assert.Equal(new[]
        {
            $"New-ServicePrincipal -AppId '{App}' -ObjectId '{Sp}' -DisplayName 'SMTP app {App}'",
            $"New-ManagementScope -Name 'Graph Mail.Send app {App}' -RecipientRestrictionFilter "
                + $"'(PrimarySmtpAddress -eq ''reports@contoso.com'') -or (PrimarySmtpAddress -eq ''noreply@contoso.com'')'",
            $"New-ManagementRoleAssignment -Name 'Mail.Send {App}' -App '{Sp}' -Role 'Application Mail.Send' "
                + $"-CustomResourceScope 'Graph Mail.Send app {App}'",
            $"Test-ServicePrincipalAuthorization -Identity '{Sp}' -Resource 'reports@contoso.com'",
        }, commands);
        Assert.All(plan.Steps, s => Assert.True(s.InScript));
        Assert.DoesNotContain(commands, c => c.Contains("SMTP.SendAsApp") || c.Contains("Set-CASMailbox")
            || c.Contains("Add-MailboxPermission"));
        Assert.Contains(plan.Findings, f => f.Id == "DoNotGrantEntraPermission" && f.Message.Contains("Mail.Send"));
        Assert.Contains(plan.Findings, f => f.Id == "GraphNeedsNoSmtpAuth");
        Assert.DoesNotContain(plan.Findings, f => f.Id == "SmtpAuthMayBeDisabled");
        Assert.Contains("Application Mail.Send", plan.Script);
        Assert.Contains("Send-M365Mail -Method Graph -UserName reports@contoso.com", plan.Script);
    }

    [Fact]
    public async Task EnableSmtpClientAuthentication_is_refused_with_Graph()
    {
        var e = await Assert.ThrowsAsync<M365SmtpException>(() => Plan(new NewSmtpAppAccessPlanRequest
        {
            AppId = App, ServicePrincipalObjectId = Sp, Mailbox = new[] { "reports@contoso.com" }, Graph = true,
            EnableSmtpClientAuthentication = true
        }));
        Assert.Equal("SmtpClientAuthenticationNotApplicable", e.ErrorId);
    }
}
