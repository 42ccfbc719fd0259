using M365SmtpTools.Cli.Binding;
using M365SmtpTools.Engine.Operations;

namespace M365SmtpTools.Cli.Commands;

/// <summary><c>m365smtp app-access-plan</c>: New-M365SmtpAppAccessPlan.</summary>
internal sealed class AppAccessPlanCommand : CliCommand<NewSmtpAppAccessPlanRequest>
{
    /// <inheritdoc />
    public override string Name => "app-access-plan";

    /// <inheritdoc />
    public override string Cmdlet => "New-M365SmtpAppAccessPlan";

    /// <inheritdoc />
    public override string Description =>
        "Plans what Exchange Online needs so an app can send as mailboxes with an app-only token (SMTP.SendAsApp): the service " +
            "principal, the "
        + "mailbox or App RBAC permissions, Send As on other addresses, SMTP AUTH on the mailboxes, and the Entra permission to grant " +
            "(or not). "
        + "Changes nothing: prints the steps, and with --script-path writes a .ps1. Exit code 0 when the plan was made, 2 for invalid " +
            "input, 1 when "
        + "a script was asked for but the plan has errors.";

    /// <inheritdoc />
    public override IReadOnlyList<(string CommandLine, string Explanation)> Examples { get; } = new[]
    {
        ("m365smtp app-access-plan --app-id 11111111-2222-3333-4444-555555555555 --service-principal-object-id " +
            "66666666-7777-8888-9999-000000000000 --mailbox scanner@contoso.com --enable-smtp-client-authentication",
            "The classic model: New-ServicePrincipal, Add-MailboxPermission and Set-CASMailbox for one mailbox, plus the SMTP.SendAsApp " +
                "grant in Entra."),
        ("m365smtp app-access-plan --app-id 11111111-2222-3333-4444-555555555555 --service-principal-object-id " +
            "66666666-7777-8888-9999-000000000000 --mailbox a@contoso.com --mailbox b@contoso.com --model AppRbac --script-path " +
            "./access.ps1",
            "App RBAC for two mailboxes, written as a script; nothing is granted in Entra."),
    };

    /// <inheritdoc />
    protected override RequestBinding<NewSmtpAppAccessPlanRequest> CreateBinding() => new RequestBinding<NewSmtpAppAccessPlanRequest>()
        .Map(CliOptions.Guid("--app-id", "GUID", "The application (client) id of the app registration."), r => r.AppId)
        .Map(CliOptions.Guid("--service-principal-object-id", "GUID", "The object id of the app's service principal: Enterprise " +
                "applications > the app > Object ID (not the app registration's)."),
            r => r.ServicePrincipalObjectId)
        .Map(CliOptions.List("--mailbox", "ADDRESS", "A mailbox the app authenticates as (the XOAUTH2 user)."), r => r.Mailbox)
        .Map(CliOptions.List("--send-as", "ADDRESS", "Another address the app sends as (MAIL FROM / From), such as a shared mailbox."),
            r => r.SendAs)
        .Map(CliOptions.Enum<SmtpAppAccessModel>("--model", "MailboxPermission (default: SMTP.SendAsApp in Entra + FullAccess) or " +
                "AppRbac (Application SMTP.SendAsApp role over a management scope)."),
            r => r.Model)
        .Map(CliOptions.Flag("--enable-smtp-client-authentication",
                "Also allow SMTP AUTH on the mailboxes (Set-CASMailbox -SmtpClientAuthenticationDisabled $false)."),
            r => r.EnableSmtpClientAuthentication)
        .Map(CliOptions.Flag("--force", "Replace an existing --script-path file."), r => r.Force)
        .Map(CliOptions.Flag("--graph", "Plan for Microsoft Graph sendMail (send --method Graph): the role Application Mail.Send over " +
                "a management scope, no SMTP AUTH, nothing granted in Entra."),
            r => r.Graph)
        .Map(CliOptions.Guid("--app-object-id", "GUID",
                "The app registration's object id, when known: catches the two object ids being mixed up."),
            r => r.AppObjectId)
        .Map(CliOptions.Text("--scope-name", "NAME", "The management scope's name (AppRbac). Default: made from the app id."),
            r => r.ScopeName)
        .Map(CliOptions.Text("--display-name", "NAME", "The display name for New-ServicePrincipal. Default: made from the app id."),
            r => r.DisplayName)
        .Map(CliOptions.Text("--script-path", "FILE.ps1", "Also write the plan as a PowerShell script to this file."), r => r.ScriptPath,
            (path, _) => path == null ? null : Path.GetFullPath(path));

    /// <inheritdoc />
    public override async Task<int> RunAsync(NewSmtpAppAccessPlanRequest request, CliSession session, CancellationToken cancellationToken)
    {
        int? exitCode = await session.RunAsync(new NewSmtpAppAccessPlanOperation(), request, plan => Write(session, plan),
                cancellationToken)
            .ConfigureAwait(false);
        return exitCode ?? ExitCodes.Ok;
    }

    private static void Write(CliSession session, SmtpAppAccessPlan plan)
    {
        if (session.Output.Json) { session.Output.WriteJson(plan); return; }
        var o = session.Output;
        o.WriteLine($"SMTP app access plan for app {plan.AppId} ({plan.Model}); token scope {plan.TokenScope}");
        o.WriteLine($"Entra permission: {plan.EntraPermission}");
        o.WriteLine();
        PlanOutput.Findings(o, plan.Findings.Select(f => (f.Severity, f.Id, f.Message, f.Remediation)));
        PlanOutput.Section(o, "Steps", plan.Steps.OrderBy(s => s.Order).Select(s => $"{s.Order}. {s.Title} ({s.RunIn})\n   {s.Command}\n " +
            $"  why: {s.Why}"));
        if (plan.ScriptPath != null) o.WriteLine($"Script written to {plan.ScriptPath}");
    }
}
