using System.Management.Automation;
using System.Net;
using System.Security;
using System.Security.Cryptography.X509Certificates;
using M365SmtpTools.Engine;
using M365SmtpTools.Engine.Exchange;
using M365SmtpTools.Engine.Operations;
using M365SmtpTools.Engine.Smtp;

namespace M365SmtpTools.Commands
{
    /// <summary>
    /// Finds out why sending through Microsoft 365 (or any SMTP server) fails, stage by stage, and says exactly how to fix it.
    /// </summary>
    /// <remarks>
    /// <para>Test-M365SmtpAuth runs the path of a real submission one stage at a time and stops at the first that fails:
    /// Resolve (the server's addresses; a warning when Microsoft 365 is given as an IP address), Connect (TCP, with an
    /// explanation of refused or timed-out ports 25, 587 and 465), Greeting (banner and EHLO), Tls (STARTTLS, protocol,
    /// cipher, the certificate's names, issuer and dates; a Microsoft 365 certificate from an unexpected issuer is flagged
    /// as likely TLS interception), Ehlo (what the server offers over TLS), Token (the access token's audience, scp or
    /// roles, tenant, user and expiry, checked before the server sees it), Auth, and with -From or -To also MAIL FROM and
    /// RCPT TO followed by RSET, so nothing is sent. -SendTestMessage goes all the way and sends a short message.</para>
    /// <para>It returns one report: Overall (Passed, Warning or Failed), the target, the method, each stage with its
    /// status, duration and detail, the TLS facts, the token's claims (never the token) and the findings. Each finding
    /// has an id, a severity, the evidence (the server's exact reply), what it means, what to do, and the exact Exchange
    /// Online or Entra ID commands to run with the mailbox, sender and app filled in. Every reply of the Exchange Online
    /// catalogue is recognized; other replies get the meaning of their enhanced status code (RFC 3463).</para>
    /// <para>Give the same auth parameters as Connect-M365Smtp, or none to test the session's connection (-ConnectionName
    /// picks a named one); with neither, the network and TLS stages run and authentication is reported as not tested.
    /// -Transcript adds the protocol transcript with passwords and tokens redacted. In runbooks use -ErrorOnFailure: a
    /// failed test becomes a terminating error whose message is the first finding (the report is the error's
    /// TargetObject; -PassThru also writes it to the pipeline first).</para>
    /// </remarks>
    /// <example>
    /// <title>Diagnose SMTP AUTH disabled for a mailbox</title>
    /// <code>Test-M365SmtpAuth -TenantId contoso.onmicrosoft.com -ClientId 0a1b2c3d-1111-2222-3333-444455556666 -CertificateThumbprint 3A4B5C6D7E8F9012A3B4C5D6E7F8091A2B3C4D5E -UserName scanner@contoso.com</code>
    /// <para>SMTP AUTH disabled: the Auth stage fails with 535 5.7.139 ... SmtpClientAuthentication is disabled for the
    /// Tenant, and the finding SmtpAuthDisabled gives the fix for this mailbox: Set-CASMailbox -Identity
    /// 'scanner@contoso.com' -SmtpClientAuthenticationDisabled $false (or tenant-wide with Set-TransportConfig), and
    /// the way around it when SMTP AUTH must stay off: the exact Send-M365Mail -Method Graph command for the same app
    /// and mailbox (Microsoft Graph sendMail, with the Mail.Send permission), and the Test-M365GraphSend command that
    /// checks the app's Graph access to the mailbox without sending.</para>
    /// </example>
    /// <example>
    /// <title>Diagnose an app-only token refused with 5.7.3</title>
    /// <code>Test-M365SmtpAuth -TenantId contoso.onmicrosoft.com -ClientId 0a1b2c3d-1111-2222-3333-444455556666 -ClientSecret (Read-Host -AsSecureString -Prompt 'Client secret') -UserName scanner@contoso.com</code>
    /// <para>An app-only token refused with 535 5.7.3: the Token stage shows the token's audience and roles, and the
    /// finding AuthenticationUnsuccessful gives New-ServicePrincipal -AppId ... -ObjectId ... and Add-MailboxPermission
    /// with the app id and the service principal's object id taken from the token.</para>
    /// </example>
    /// <example>
    /// <title>Diagnose a refused Send As</title>
    /// <code>Test-M365SmtpAuth -ManagedIdentity -UserName reports@contoso.com -From noreply@contoso.com -To it@contoso.com</code>
    /// <para>Send As refused: MAIL FROM gets 550 5.7.60, and the finding SendAsDenied gives Add-RecipientPermission
    /// -Identity 'noreply@contoso.com' -Trustee 'reports@contoso.com' -AccessRights SendAs. RCPT TO runs too, then
    /// RSET: nothing is sent.</para>
    /// </example>
    /// <example>
    /// <title>Test only the network path and TLS</title>
    /// <code>Test-M365SmtpAuth -StopAfter Tls -TimeoutSeconds 10</code>
    /// <para>Only the network path to smtp.office365.com:587, no credentials needed: a refused or timed-out port is
    /// explained (a firewall or ISP blocking 587 or 25; 465 is not supported), a missing STARTTLS or a certificate from
    /// an unexpected issuer points at a proxy or firewall that inspects SMTP or TLS.</para>
    /// </example>
    /// <example>
    /// <title>Diagnose retired Basic authentication</title>
    /// <code>Test-M365SmtpAuth -Credential (Get-Credential scanner@contoso.com) -Transcript</code>
    /// <para>Basic authentication retired: AUTH gets 550 5.7.30 Basic authentication is not supported for Client
    /// Submission, and the finding BasicAuthRetired says what to move to (OAuth with a certificate or managed identity,
    /// a relay connector, Direct Send). The transcript is added with the password redacted.</para>
    /// </example>
    /// <example>
    /// <title>Test a runbook's connection by sending a message</title>
    /// <code>Connect-M365Smtp -ManagedIdentity -UserName reports@contoso.com; Test-M365SmtpAuth -To it@contoso.com -SendTestMessage -ErrorOnFailure</code>
    /// <para>In a runbook: test the session's connection all the way by sending a short test message; a failure stops
    /// the runbook with the first finding as the error message.</para>
    /// </example>
    [Cmdlet(VerbsDiagnostic.Test, "M365SmtpAuth", DefaultParameterSetName = ConnectionSet, SupportsShouldProcess = true)]
    [OutputType(typeof(SmtpAuthTestReport))]
    public sealed class TestM365SmtpAuthCommand : M365SmtpAuthCmdletBase
    {
        /// <summary>Tries Basic authentication against Microsoft 365 even after Microsoft's final removal date.</summary>
        [Parameter(ParameterSetName = BasicSet)]
        public SwitchParameter AllowRetiredBasicAuth { get; set; }

        /// <summary>The name of the session connection (Connect-M365Smtp -Name) to test when no auth parameters are
        /// given. Default: Default.</summary>
        /// <default>Default</default>
        [Parameter(ParameterSetName = ConnectionSet)]
        [ArgumentCompleter(typeof(SmtpConnectionNameCompleter))]
        [ValidateNotNullOrEmpty]
        public string? ConnectionName { get; set; }

        /// <summary>The SMTP server. Default: the session connection's server, else the submission host of -Environment
        /// (smtp.office365.com).</summary>
        /// <default>The session connection's server, else smtp.office365.com</default>
        [Parameter]
        [ArgumentCompleter(typeof(SmtpServerCompleter))]
        [ValidateNotNullOrEmpty]
        public string? SmtpServer { get; set; }

        /// <summary>The port. Default: the session connection's port, else 587 (STARTTLS). Exchange Online doesn't support 465.</summary>
        /// <default>The session connection's port, else 587</default>
        [Parameter]
        [ValidateRange(1, 65535)]
        public int Port { get; set; }

        /// <summary>The MAIL FROM address (default: the authenticating mailbox). Giving it runs the MAIL FROM stage,
        /// which catches Send As refusals (5.7.60).</summary>
        /// <default>The authenticating mailbox</default>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? From { get; set; }

        /// <summary>Recipients to try with RCPT TO (followed by RSET, so nothing is sent unless -SendTestMessage is given).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? To { get; set; }

        /// <summary>Stops after this stage: Connect, Tls, Ehlo, Auth, MailFrom or RcptTo. Default: after Auth, or after
        /// MAIL FROM / RCPT TO when -From / -To are given.</summary>
        /// <default>Auth (MailFrom or RcptTo with -From or -To)</default>
        [Parameter]
        public SmtpTestStopAfter? StopAfter { get; set; }

        /// <summary>Goes all the way and sends a short test message to -To.</summary>
        [Parameter]
        public SwitchParameter SendTestMessage { get; set; }

        /// <summary>The SASL mechanism for AUTH: Auto (default: XOAUTH2 for tokens, PLAIN then LOGIN for passwords),
        /// XOAuth2, OAuthBearer, Plain or Login.</summary>
        [Parameter]
        public SmtpAuthMechanism Mechanism { get; set; } = SmtpAuthMechanism.Auto;

        /// <summary>How long connecting and each server reply may take, in seconds (default 30).</summary>
        [Parameter]
        [ValidateRange(1, 3600)]
        public int TimeoutSeconds { get; set; } = 30;

        /// <summary>Issuer name fragments to accept on a Microsoft 365 server certificate instead of the built-in list
        /// of Microsoft's certificate authorities; any other issuer is reported as likely TLS interception.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? ExpectedIssuer { get; set; }

        /// <summary>The app is authorized through Exchange App RBAC (New-ManagementRoleAssignment), so an app-only
        /// token without the SMTP.SendAsApp role is expected.</summary>
        [Parameter]
        public SwitchParameter AppRbac { get; set; }

        /// <summary>Adds the SMTP protocol transcript to the report, with passwords and tokens redacted.</summary>
        [Parameter]
        public SwitchParameter Transcript { get; set; }

        /// <summary>With -ErrorOnFailure: also writes the report to the pipeline when the test fails, before the error.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        /// <summary>Makes a failed test a terminating error whose message is the first finding (the report is the
        /// error's TargetObject). For runbooks and scripts.</summary>
        [Parameter]
        public SwitchParameter ErrorOnFailure { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            var request = WithAuthParameters(new TestSmtpAuthRequest
            {
                AllowRetiredBasicAuth = AllowRetiredBasicAuth.IsPresent,
                ConnectionName = ConnectionName,
                SmtpServer = SmtpServer,
                Port = Port,
                From = From,
                To = To,
                StopAfter = StopAfter,
                SendTestMessage = SendTestMessage.IsPresent,
                Mechanism = Mechanism,
                TimeoutSeconds = TimeoutSeconds,
                ExpectedIssuer = ExpectedIssuer,
                AppRbac = AppRbac.IsPresent,
                Transcript = Transcript.IsPresent,
                PassThru = PassThru.IsPresent,
                ErrorOnFailure = ErrorOnFailure.IsPresent,
            });
            RunOperation(new TestSmtpAuthOperation(), request);
        }
    }
}
