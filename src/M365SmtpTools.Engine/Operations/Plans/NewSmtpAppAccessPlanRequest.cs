using System;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>How Exchange Online lets the app send as the mailbox.</summary>
    public enum SmtpAppAccessModel
    {
        /// <summary>
        /// The classic way: SMTP.SendAsApp granted in Microsoft Entra ID with admin consent, plus FullAccess on the
        /// mailbox (and Send As on other addresses) for the app's service principal in Exchange.
        /// </summary>
        MailboxPermission,
        /// <summary>
        /// Role Based Access Control for Applications in Exchange Online: the role 'Application SMTP.SendAsApp' assigned
        /// to the service principal over a management scope of mailboxes; nothing is granted in Entra.
        /// </summary>
        AppRbac,
    }

    /// <summary>
    /// The input of <see cref="NewSmtpAppAccessPlanOperation"/>; one property per parameter of
    /// New-M365SmtpAppAccessPlan.
    /// </summary>
    public sealed class NewSmtpAppAccessPlanRequest
    {
        /// <summary>The application (client) id of the app registration.</summary>
        public Guid AppId { get; set; }

        /// <summary>The object id of the app's service principal (the Enterprise application), not of the app registration.</summary>
        public Guid ServicePrincipalObjectId { get; set; }

        /// <summary>The mailboxes the app authenticates as (the XOAUTH2 user).</summary>
        public string[] Mailbox { get; set; } = new string[0];

        /// <summary>Other addresses the app sends as (MAIL FROM / From), such as shared mailboxes.</summary>
        public string[] SendAs { get; set; } = new string[0];

        /// <summary>MailboxPermission (default) or AppRbac.</summary>
        public SmtpAppAccessModel Model { get; set; } = SmtpAppAccessModel.MailboxPermission;

        /// <summary>Also allow SMTP AUTH on the mailboxes (Set-CASMailbox -SmtpClientAuthenticationDisabled $false).</summary>
        public bool EnableSmtpClientAuthentication { get; set; }

        /// <summary>The app registration's object id, when known: used to catch the two ids being mixed up.</summary>
        public Guid? AppObjectId { get; set; }

        /// <summary>The management scope's name (AppRbac); by default made from the app id.</summary>
        public string? ScopeName { get; set; }

        /// <summary>The display name for New-ServicePrincipal; by default made from the app id.</summary>
        public string? DisplayName { get; set; }

        /// <summary>A .ps1 file to write the plan to as a script; a full path. Null writes nothing.</summary>
        public string? ScriptPath { get; set; }

        /// <summary>
        /// Plan for Microsoft Graph sendMail (Send-M365Mail -Method Graph) instead of SMTP: least privilege with RBAC for
        /// Applications (the role Application Mail.Send over a management scope), never tenant-wide Mail.Send in Entra;
        /// SMTP AUTH isn't needed.
        /// </summary>
        public bool Graph { get; set; }

        /// <summary>Replace an existing -ScriptPath file.</summary>
        public bool Force { get; set; }
    }
}
