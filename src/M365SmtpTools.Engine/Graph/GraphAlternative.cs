using System;
using System.Collections.Generic;
using System.Linq;
using M365SmtpTools.Engine.Auth;
using M365SmtpTools.Engine.Exchange;
using M365SmtpTools.Engine.Operations;

namespace M365SmtpTools.Engine.Graph
{
    /// <summary>
    /// The way around SMTP AUTH being off (5.7.139): the exact Send-M365Mail -Method Graph command for the same app and
    /// mailbox, built from the auth parameters that were used (never a secret: secrets become variables to fill).
    /// </summary>
    internal static class GraphAlternative
    {
        /// <summary>The finding with "or send through Graph: &lt;command&gt;" added to its remediation.</summary>
        public static SmtpTestFinding Add(SmtpTestFinding finding, SmtpAuthOptions auth, string? mailbox, string? recipient)
        {
            string command = Command(auth, mailbox, recipient);
            string remediation = finding.Remediation.TrimEnd() +
                " Or leave SMTP AUTH off and send through Microsoft Graph instead (the app needs the Mail.Send application permission, " +
                    "scoped to the mailbox with RBAC for Applications: New-M365SmtpAppAccessPlan): " + command +
                " Check that the app can send through Graph, without sending: " + TestCommand(auth, mailbox);
            return new SmtpTestFinding(finding.Id, finding.Severity, finding.Stage, finding.Evidence, finding.Meaning, remediation,
                finding.Commands);
        }

        /// <summary>The Send-M365Mail -Method Graph command for these auth parameters.</summary>
        public static string Command(SmtpAuthOptions auth, string? mailbox, string? recipient)
        {
            var p = new List<string> { "Send-M365Mail", "-Method", "Graph" };
            AddAuth(p, auth, mailbox);
            p.Add("-To"); p.Add(Q(string.IsNullOrWhiteSpace(recipient) ? "<recipient>" : recipient!));
            p.Add("-Subject 'Test through Microsoft Graph' -Body 'Sent with Send-M365Mail -Method Graph.'");
            return string.Join(" ", p);
        }

        /// <summary>The Test-M365GraphSend command for these auth parameters (checks Graph access without sending).</summary>
        public static string TestCommand(SmtpAuthOptions auth, string? mailbox)
        {
            var p = new List<string> { "Test-M365GraphSend" };
            AddAuth(p, auth, mailbox);
            return string.Join(" ", p);
        }

        private static void AddAuth(List<string> p, SmtpAuthOptions auth, string? mailbox)
        {
            SmtpAuthMethod? method;
            try { method = auth.Validate(); } catch (M365SmtpException) { method = null; }
            void Add(string name, string? value) { if (!string.IsNullOrWhiteSpace(value)) { p.Add("-" + name); p.Add(Q(value!.Trim())); } }
            switch (method)
            {
                case SmtpAuthMethod.AppCertificate:
                case SmtpAuthMethod.AppSecret:
                    Add("TenantId", auth.TenantId);
                    Add("ClientId", auth.ClientId);
                    if (!string.IsNullOrWhiteSpace(auth.CertificatePath)) Add("CertificatePath", auth.CertificatePath);
                    else if (!string.IsNullOrWhiteSpace(auth.CertificateThumbprint))
                        Add("CertificateThumbprint", auth.CertificateThumbprint);
                    else if (auth.Certificate != null) p.Add("-Certificate $certificate");
                    else p.Add("-ClientSecret $clientSecret");
                    break;
                case SmtpAuthMethod.ManagedIdentity:
                    if (!string.IsNullOrWhiteSpace(auth.ManagedIdentityClientId))
                        Add("ManagedIdentityClientId", auth.ManagedIdentityClientId);
                    else p.Add("-ManagedIdentity");
                    break;
                case SmtpAuthMethod.DeviceCode:
                case SmtpAuthMethod.Interactive:
                    Add("TenantId", auth.TenantId);
                    Add("ClientId", auth.ClientId);
                    p.Add(method == SmtpAuthMethod.DeviceCode ? "-DeviceCode" : "-Interactive");
                    break;
                case SmtpAuthMethod.AccessToken:
                    p.Add("-AccessToken (Get-AzAccessToken " +
                        "-ResourceUrl https://" + CloudEnvironments.Get(auth.Environment).GraphHost + " -AsSecureString).Token");
                    break;
                default:
                    // A password can't reach Graph: the app registration's certificate can.
                    p.Add("-TenantId '<tenant>' -ClientId '<application id>' -CertificatePath '<app certificate .pfx>'");
                    break;
            }
            if (auth.Environment != M365Environment.Commercial) { p.Add("-Environment"); p.Add(auth.Environment.ToString()); }
            p.Add("-UserName"); p.Add(Q(string.IsNullOrWhiteSpace(mailbox) ? "<mailbox>" : mailbox!));
        }

        private static string Q(string value) => "'" + value.Replace("'", "''") + "'";
    }
}
