using System;
using System.Management.Automation;
using M365SmtpTools.Engine;
using M365SmtpTools.Engine.Operations;

namespace M365SmtpTools.Commands
{
    /// <summary>Plans the Exchange Online and Entra steps that let an app send mail over SMTP with an app-only OAuth token.</summary>
    /// <remarks>
    /// <para>New-M365SmtpAppAccessPlan lists, checks and scripts the steps of app-only client submission (an app that
    /// authenticates with XOAUTH2 using a client-credentials token for https://outlook.office365.com/.default). It
    /// changes nothing in the tenant: it outputs a plan with Findings and Steps (each with a title, why it is needed
    /// and the command) and, with -ScriptPath, writes a commented script to run after Connect-ExchangeOnline. Steps
    /// that the script can check first (the service principal) or that fail harmlessly when done twice are safe to run
    /// again.</para>
    /// <para>In the MailboxPermission model (the default) the app needs the application permission SMTP.SendAsApp of
    /// Office 365 Exchange Online with admin consent in Microsoft Entra ID (shown as a step with Microsoft Graph
    /// PowerShell guidance, not run by the script), a service principal in Exchange (New-ServicePrincipal), FullAccess
    /// on each mailbox it authenticates as (Add-MailboxPermission) and Send As on every other address it sends from
    /// (Add-RecipientPermission).</para>
    /// <para>In the AppRbac model the app gets the Exchange role 'Application SMTP.SendAsApp' over a management scope
    /// that lists the mailboxes (New-ManagementScope, New-ManagementRoleAssignment), and SMTP.SendAsApp must NOT also
    /// be granted in Entra, which would open every mailbox.</para>
    /// <para>The plan catches the commonest mistake: the service principal's object id is the Enterprise application's,
    /// not the app registration's. When -ServicePrincipalObjectId equals -AppId, or equals -AppObjectId (the
    /// registration's object id), the plan has an Error finding and -ScriptPath writes no script. With
    /// -EnableSmtpClientAuthentication the script also allows SMTP AUTH on the mailboxes (Set-CASMailbox
    /// -SmtpClientAuthenticationDisabled $false).</para>
    /// </remarks>
    /// <example>
    /// <title>Plan mailbox permissions for an app and write the script</title>
    /// <code>New-M365SmtpAppAccessPlan -AppId 6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b -ServicePrincipalObjectId 0a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d -Mailbox reports@contoso.com -SendAs noreply@contoso.com -EnableSmtpClientAuthentication -ScriptPath .\smtp-app.ps1</code>
    /// <para>Plans the mailbox-permission model for an app that authenticates as reports@contoso.com and sends as
    /// noreply@contoso.com, and writes smtp-app.ps1 with New-ServicePrincipal, Add-MailboxPermission,
    /// Add-RecipientPermission and Set-CASMailbox. Grant SMTP.SendAsApp with admin consent in Entra as the plan's first
    /// step says.</para>
    /// </example>
    /// <example>
    /// <title>Plan App RBAC for two mailboxes</title>
    /// <code>New-M365SmtpAppAccessPlan -AppId 6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b -ServicePrincipalObjectId 0a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d -Mailbox 'alerts@contoso.com', 'billing@contoso.com' -Model AppRbac -ScopeName 'SMTP senders' | Select-Object -ExpandProperty Steps</code>
    /// <para>Plans the App RBAC model for two mailboxes: a management scope named 'SMTP senders' whose filter lists
    /// both addresses and the role assignment 'Application SMTP.SendAsApp' over it. The findings remind you not to
    /// grant SMTP.SendAsApp in Entra.</para>
    /// </example>
    /// <example>
    /// <title>Catch the app registration's object ID given by mistake</title>
    /// <code>New-M365SmtpAppAccessPlan -AppId 6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b -ServicePrincipalObjectId 3c2b1a0f-9e8d-4c7b-8a6f-5e4d3c2b1a0f -AppObjectId 3c2b1a0f-9e8d-4c7b-8a6f-5e4d3c2b1a0f -Mailbox reports@contoso.com | Select-Object -ExpandProperty Findings</code>
    /// <para>Shows the ObjectIdIsAppRegistration error: the object id given as the service principal's is the app
    /// registration's. Copy the Object ID from Enterprise applications instead.</para>
    /// </example>
    /// <example>
    /// <title>Plan least privilege for sending through Microsoft Graph</title>
    /// <code>New-M365SmtpAppAccessPlan -Graph -AppId 6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b -ServicePrincipalObjectId 0a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d -Mailbox reports@contoso.com -ScriptPath .\graph-mail-app.ps1</code>
    /// <para>For Send-M365Mail -Method Graph when SMTP AUTH stays off: the script registers the service principal,
    /// creates a management scope with reports@contoso.com, assigns the role 'Application Mail.Send' over it and checks
    /// the result with Test-ServicePrincipalAuthorization. Nothing is granted in Entra, so the app can send only as the
    /// scoped mailbox.</para>
    /// </example>
    /// <seealso href="https://learn.microsoft.com/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth">Authenticate an IMAP, POP or SMTP connection using OAuth</seealso>
    /// <seealso href="https://learn.microsoft.com/exchange/permissions-exo/application-rbac">Role Based Access Control for Applications in Exchange Online</seealso>
    /// <seealso cref="NewM365RelayConnectorPlanCommand"/>
    [Cmdlet(VerbsCommon.New, "M365SmtpAppAccessPlan", SupportsShouldProcess = true)]
    [OutputType(typeof(SmtpAppAccessPlan))]
    public sealed class NewM365SmtpAppAccessPlanCommand : M365CmdletBase
    {
        /// <summary>The application (client) id of the app registration: the Application (client) ID on its Overview page.</summary>
        [Parameter(Mandatory = true)]
        [Alias("ClientId")]
        public Guid AppId { get; set; }

        /// <summary>The object id of the app's service principal: the Object ID shown under Enterprise applications in
        /// the Entra admin center (not the one under App registrations).</summary>
        [Parameter(Mandatory = true)]
        public Guid ServicePrincipalObjectId { get; set; }

        /// <summary>The mailboxes the app authenticates as (the user= of XOAUTH2), by SMTP address. Each gets
        /// FullAccess for the app, or is put in the management scope with -Model AppRbac.</summary>
        [Parameter(Mandatory = true)]
        [ValidateNotNullOrEmpty]
        public string[] Mailbox { get; set; } = new string[0];

        /// <summary>Other addresses the app sends as (the From and MAIL FROM), such as shared mailboxes. Each gets Send
        /// As for the app, or is put in the management scope with -Model AppRbac.</summary>
        [Parameter]
        [ValidateNotNull]
        public string[] SendAs { get; set; } = new string[0];

        /// <summary>MailboxPermission (the default: SMTP.SendAsApp granted in Entra, FullAccess and Send As in
        /// Exchange) or AppRbac (the Exchange role 'Application SMTP.SendAsApp' over a management scope, nothing
        /// granted in Entra).</summary>
        [Parameter]
        public SmtpAppAccessModel Model { get; set; } = SmtpAppAccessModel.MailboxPermission;

        /// <summary>Also allow SMTP AUTH on the mailboxes with Set-CASMailbox -SmtpClientAuthenticationDisabled $false,
        /// for tenants where it is disabled (tenants created after January 2020, Security Defaults).</summary>
        [Parameter]
        public SwitchParameter EnableSmtpClientAuthentication { get; set; }

        /// <summary>The app registration's object id (Object ID on the app registration's Overview page), if you know
        /// it. The plan compares it with -ServicePrincipalObjectId to catch the two being mixed up.</summary>
        [Parameter]
        public Guid? AppObjectId { get; set; }

        /// <summary>The name of the management scope created with -Model AppRbac. By default 'SMTP app' followed by the app id.</summary>
        /// <default>'SMTP app' followed by the app id</default>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? ScopeName { get; set; }

        /// <summary>The display name of the service principal in Exchange Online (New-ServicePrincipal -DisplayName).
        /// By default 'SMTP app' followed by the app id.</summary>
        /// <default>'SMTP app' followed by the app id</default>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? DisplayName { get; set; }

        /// <summary>The path of a .ps1 file to write the Exchange Online steps to, as a commented script. The file is
        /// written only when the plan has no errors; -WhatIf shows what would be written.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [Alias("AsScript", "OutFile")] // AsScript: the name of releases before 0.2 (an -As* name reads as a switch)
        public string? ScriptPath { get; set; }

        /// <summary>Plans for Microsoft Graph sendMail (Send-M365Mail -Method Graph) instead of SMTP, for tenants where
        /// SMTP AUTH stays off: least privilege with RBAC for Applications (New-ManagementScope with the mailboxes,
        /// New-ServicePrincipal, New-ManagementRoleAssignment -Role 'Application Mail.Send', checked with
        /// Test-ServicePrincipalAuthorization), never the tenant-wide Mail.Send permission in Entra. -Model is then
        /// always AppRbac.</summary>
        [Parameter]
        public SwitchParameter Graph { get; set; }

        /// <summary>Replaces the -ScriptPath file when it already exists (without -Force an existing file is left as it
        /// is, and a symbolic link is never written through).</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            var request = new NewSmtpAppAccessPlanRequest
            {
                AppId = AppId,
                ServicePrincipalObjectId = ServicePrincipalObjectId,
                Mailbox = Mailbox,
                SendAs = SendAs,
                Model = Model,
                EnableSmtpClientAuthentication = EnableSmtpClientAuthentication.IsPresent,
                AppObjectId = AppObjectId,
                ScopeName = ScopeName,
                DisplayName = DisplayName,
                ScriptPath = ScriptPath == null ? null : GetUnresolvedProviderPathFromPSPath(ScriptPath),
                Graph = Graph.IsPresent,
                Force = Force.IsPresent,
            };
            RunOperation(new NewSmtpAppAccessPlanOperation(), request, errorTarget: AppId, failureIsPerInput: true);
        }
    }
}
