using System.Management.Automation;
using M365SmtpTools.Engine;
using M365SmtpTools.Engine.Operations;

namespace M365SmtpTools.Commands
{
    /// <summary>
    /// Checks, without sending, that an app (or a person) can send through Microsoft Graph from a mailbox: the token,
    /// its permission, the mailbox and the access to it.
    /// </summary>
    /// <remarks>
    /// <para>Test-M365GraphSend is the diagnosis for Send-M365Mail -Method Graph. It takes the same auth parameters
    /// (app-only certificate, secret or managed identity; -DeviceCode or -Interactive; or -AccessToken with a token
    /// from elsewhere) and the mailbox (-UserName, else -From), and runs four stages, stopping at the first that fails.
    /// Token: gets a token for Microsoft Graph of the -Environment cloud (scope https://graph.microsoft.com/.default
    /// app-only, Mail.Send delegated), or reads the one given. Claims: the token's audience must be Microsoft Graph of
    /// that cloud (a token for outlook.office365.com, made for SMTP, is an error with the fix), it must not be expired,
    /// it must come from the -TenantId given as a GUID, and it should carry Mail.Send (roles app-only, scp delegated).
    /// An app-only token without the Mail.Send role is a warning, not an error: RBAC for Applications grants
    /// 'Application Mail.Send' in Exchange Online without a role in the token, so the next stage decides (-AppRbac says
    /// this is expected).</para>
    /// <para>Mailbox: one POST /v1.0/users/{mailbox}/sendMail whose message has no recipients (and From when -From
    /// differs from the mailbox), with saveToSentItems false. Microsoft Graph checks the token, resolves the mailbox
    /// and authorizes the app on it before it looks at the recipients, so it answers 400 ErrorInvalidRecipients ("A
    /// message can't be sent because it contains no recipients") when everything up to submission works: that answer is
    /// reported as Passed. Any other answer is a finding with the same id, meaning and fix as Send-M365Mail gives for
    /// it: 403 ErrorAccessDenied (no Mail.Send, or an RBAC for Applications scope or an application access policy that
    /// leaves the mailbox out, with Test-ServicePrincipalAuthorization or Test-ApplicationAccessPolicy to confirm), 404
    /// ErrorInvalidUser (no such user in the token's tenant), 404 MailboxNotEnabledForRESTAPI (on-premises, unlicensed,
    /// inactive or soft-deleted mailbox), 401 InvalidAuthenticationToken (wrong audience, expired or unreadable token),
    /// 429 or 5xx (try later). A message without recipients can't be delivered anywhere, so nothing is sent; the
    /// request still counts once against Graph's throttling limits and is logged like any sendMail call.</para>
    /// <para>What the check can't prove: whether the mailbox may send as another -From address (Send As or Send on
    /// Behalf is decided when a message is submitted, after the recipients: an Information finding says so), whether
    /// recipients accept the message, and what happens after submission (transport rules, outbound spam policy, sending
    /// limits, the mailbox's MaxSendSize). The order of Graph's checks is what Graph does today, not a documented
    /// contract: an answer the check doesn't expect (for example 202 for a message without recipients) is reported as a
    /// warning, never as a pass it can't vouch for. -SendTestMessage goes all the way: it sends one short text message
    /// to -To (default the mailbox itself) after asking ShouldProcess, so -WhatIf shows the message and sends nothing,
    /// and -Confirm asks first.</para>
    /// <para>It returns one report: Overall (Passed, Warning or Failed), the Graph endpoint, the mailbox, the auth
    /// method, each stage with its status, duration and detail, the token's claims (audience, tenant, app id, roles or
    /// scp, user, expiry; never the token) and the findings, each with an id, severity, evidence (Graph's status, error
    /// code, message and request-id), meaning, fix and commands. Connect-M365Smtp connections are not used: they hold
    /// tokens for SMTP. For SMTP AUTH use Test-M365SmtpAuth. In runbooks use -ErrorOnFailure: a failed test becomes a
    /// terminating error whose message is the first finding (the report is the error's TargetObject; -PassThru also
    /// writes it to the pipeline first).</para>
    /// </remarks>
    /// <example>
    /// <title>Check an app's Graph access to a mailbox</title>
    /// <code>Test-M365GraphSend -TenantId contoso.onmicrosoft.com -ClientId 0a1b2c3d-1111-2222-3333-444455556666 -CertificatePath ./mail-app.pfx -UserName reports@contoso.com</code>
    /// <para>The app gets a token for https://graph.microsoft.com with its certificate; the Claims stage shows its
    /// audience and roles, and the Mailbox stage passes when Graph answers the message without recipients with 400
    /// ErrorInvalidRecipients: the mailbox exists and the app may send from it. Nothing is sent. If the RBAC for
    /// Applications scope leaves reports@contoso.com out, the stage fails with GraphErrorAccessDenied and the commands
    /// to check and fix the assignment.</para>
    /// </example>
    /// <example>
    /// <title>Check a runbook's managed identity and send a test message</title>
    /// <code>Test-M365GraphSend -ManagedIdentity -UserName reports@contoso.com -SendTestMessage -To ops@contoso.com -ErrorOnFailure</code>
    /// <para>In an Azure Automation runbook: the managed identity's token, the mailbox check, then one real test
    /// message to ops@contoso.com; a failure stops the runbook with the first finding as the error message.</para>
    /// </example>
    /// <example>
    /// <title>Check a token from Az.Accounts</title>
    /// <code>Test-M365GraphSend -AccessToken (Get-AzAccessToken -ResourceUrl https://graph.microsoft.com -AsSecureString).Token -UserName reports@contoso.com</code>
    /// <para>A token obtained elsewhere: its audience must be https://graph.microsoft.com. A token asked for
    /// https://outlook.office365.com (right for SMTP) fails the Claims stage with GraphTokenWrongAudience and the
    /// command that gets the right one, before Graph sees it.</para>
    /// </example>
    /// <example>
    /// <title>See what the test message would do</title>
    /// <code>Test-M365GraphSend -ManagedIdentity -UserName reports@contoso.com -From noreply@contoso.com -SendTestMessage -WhatIf</code>
    /// <para>Runs the checks and shows "What if: Performing the operation "Send a test message" on target
    /// "reports@contoso.com from noreply@contoso.com (mailbox reports@contoso.com) via graph.microsoft.com (Graph
    /// sendMail)"" without sending it; the Message stage is Skipped. The From address is checked for Send As only by a
    /// real test message.</para>
    /// </example>
    [Cmdlet(VerbsDiagnostic.Test, "M365GraphSend", DefaultParameterSetName = AuthMissingSet, SupportsShouldProcess = true)]
    [OutputType(typeof(GraphSendTestReport))]
    public sealed class TestM365GraphSendCommand : M365SmtpAuthCmdletBase
    {
        // No auth parameters at all: the engine says which ones to give (GraphAuthMissing).
        private const string AuthMissingSet = "AuthMissing";

        /// <summary>The From address of the check and the test message (default: the mailbox). Another address needs
        /// Send As or Send on Behalf, which only -SendTestMessage proves.</summary>
        /// <default>The mailbox (-UserName)</default>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? From { get; set; }

        /// <summary>The recipients of the test message (-SendTestMessage). Default: the mailbox itself.</summary>
        /// <default>The mailbox (-UserName)</default>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? To { get; set; }

        /// <summary>After the checks, sends one short test message through Graph to -To. Asks ShouldProcess first:
        /// -WhatIf shows it without sending.</summary>
        [Parameter]
        public SwitchParameter SendTestMessage { get; set; }

        /// <summary>The https:// base address to test instead of the -Environment cloud's Graph host
        /// (graph.microsoft.com, graph.microsoft.us, dod-graph.microsoft.us, microsoftgraph.chinacloudapi.cn), e.g. a
        /// private endpoint or a test server.</summary>
        /// <default>The Graph host of -Environment</default>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? GraphEndpoint { get; set; }

        /// <summary>Doesn't validate the server's TLS certificate. Only for test servers given with -GraphEndpoint:
        /// refused for Microsoft Graph's own hosts. Warns on every use.</summary>
        [Parameter]
        public SwitchParameter SkipCertificateValidation { get; set; }

        /// <summary>How long each Graph request may take, in seconds (default 30).</summary>
        [Parameter]
        [ValidateRange(1, 3600)]
        public int TimeoutSeconds { get; set; } = 30;

        /// <summary>The app is authorized through RBAC for Applications ('Application Mail.Send' over a management
        /// scope), so an app-only token without the Mail.Send role is expected.</summary>
        [Parameter]
        public SwitchParameter AppRbac { get; set; }

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
            var request = WithAuthParameters(new TestGraphSendRequest
            {
                From = From,
                To = To,
                SendTestMessage = SendTestMessage.IsPresent,
                GraphEndpoint = GraphEndpoint,
                SkipCertificateValidation = SkipCertificateValidation.IsPresent,
                TimeoutSeconds = TimeoutSeconds,
                AppRbac = AppRbac.IsPresent,
                PassThru = PassThru.IsPresent,
                ErrorOnFailure = ErrorOnFailure.IsPresent,
            });
            RunOperation(new TestGraphSendOperation(), request);
        }
    }
}
