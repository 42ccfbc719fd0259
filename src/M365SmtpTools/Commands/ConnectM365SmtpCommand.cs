using System.Management.Automation;
using System.Net;
using System.Security;
using System.Security.Cryptography.X509Certificates;
using M365SmtpTools.Engine;
using M365SmtpTools.Engine.Auth;
using M365SmtpTools.Engine.Exchange;
using M365SmtpTools.Engine.Operations;

namespace M365SmtpTools.Commands
{
    /// <summary>
    /// Signs in once for SMTP submission (OAuth or Basic) and keeps the connection for the session.
    /// </summary>
    /// <remarks>
    /// <para>Connect-M365Smtp gets an access token the way you choose (an app registration's certificate or secret, a
    /// managed identity, a person signing in with a device code or a browser, or a token you already have), checks the
    /// token's audience, permissions and expiry, and stores the connection under a name (Default unless you give -Name).
    /// Send-M365Mail and Test-M365SmtpAuth use it when you give them no auth parameters. The token is cached in memory
    /// and renewed before it expires; -PersistTokenCache keeps it in the platform's encrypted store across sessions.</para>
    /// <para>With -Test it also authenticates to the SMTP server (AUTH XOAUTH2, or PLAIN/LOGIN for -Credential) before
    /// storing the connection. In a session where nobody can answer (a runbook, -NonInteractive), -DeviceCode and
    /// -Interactive fail at once and name the app-only way to use instead.</para>
    /// <para>Basic authentication (-Credential) against Microsoft 365 client submission warns with Microsoft's retirement
    /// dates and what to move to; it stays usable for Azure Communication Services, High Volume Email and on-premises
    /// servers.</para>
    /// </remarks>
    /// <example>
    /// <title>Sign in as an app with a certificate from the store</title>
    /// <code>Connect-M365Smtp -TenantId contoso.onmicrosoft.com -ClientId 0a1b2c3d-1111-2222-3333-444455556666 -CertificateThumbprint 3A4B5C6D7E8F9012A3B4C5D6E7F8091A2B3C4D5E -UserName scanner@contoso.com</code>
    /// <para>App-only sign-in with a certificate from the Windows certificate store (CurrentUser\My, then
    /// LocalMachine\My). The app needs the SMTP.SendAsApp permission and Exchange must know its service principal; mail
    /// is sent as scanner@contoso.com.</para>
    /// </example>
    /// <example>
    /// <title>Sign in as an app with a certificate file</title>
    /// <code>Connect-M365Smtp -TenantId contoso.onmicrosoft.com -ClientId 0a1b2c3d-1111-2222-3333-444455556666 -CertificatePath ./smtp-app.pfx -CertificatePassword (Read-Host -AsSecureString -Prompt 'PFX password') -UserName scanner@contoso.com</code>
    /// <para>App-only sign-in with a certificate from a PFX file: works on Linux and macOS too.</para>
    /// </example>
    /// <example>
    /// <title>Sign in as an app with a certificate object</title>
    /// <code>Connect-M365Smtp -TenantId contoso.onmicrosoft.com -ClientId 0a1b2c3d-1111-2222-3333-444455556666 -Certificate (Get-PfxCertificate -FilePath ./smtp-app.pfx) -UserName scanner@contoso.com</code>
    /// <para>App-only sign-in with a certificate object that has its private key.</para>
    /// </example>
    /// <example>
    /// <title>Sign in as an app with a client secret</title>
    /// <code>Connect-M365Smtp -TenantId contoso.onmicrosoft.com -ClientId 0a1b2c3d-1111-2222-3333-444455556666 -ClientSecret (Read-Host -AsSecureString -Prompt 'Client secret') -UserName scanner@contoso.com</code>
    /// <para>App-only sign-in with a client secret (its Value, not its Secret ID). A certificate is safer for anything long-lived.</para>
    /// </example>
    /// <example>
    /// <title>Sign in with a system-assigned managed identity</title>
    /// <code>Connect-M365Smtp -ManagedIdentity -UserName reports@contoso.com</code>
    /// <para>In an Azure Automation runbook (or an Azure VM or Function): the system-assigned managed identity gets the
    /// token; no secret is stored anywhere.</para>
    /// </example>
    /// <example>
    /// <title>Sign in with a user-assigned managed identity</title>
    /// <code>Connect-M365Smtp -ManagedIdentity -ManagedIdentityClientId 11112222-3333-4444-5555-666677778888 -UserName reports@contoso.com -Name Reports</code>
    /// <para>The same with a user-assigned managed identity, stored as the connection named Reports.</para>
    /// </example>
    /// <example>
    /// <title>Sign in as a person with a device code</title>
    /// <code>Connect-M365Smtp -DeviceCode -ClientId 0a1b2c3d-1111-2222-3333-444455556666 -TenantId contoso.onmicrosoft.com</code>
    /// <para>A person signs in with a code shown on screen, on any device's browser (delegated SMTP.Send permission);
    /// the mailbox is the signed-in account.</para>
    /// </example>
    /// <example>
    /// <title>Sign in as a person in the browser and keep the token</title>
    /// <code>Connect-M365Smtp -Interactive -ClientId 0a1b2c3d-1111-2222-3333-444455556666 -UserName alice@contoso.com -PersistTokenCache</code>
    /// <para>A person signs in with the system browser; the token is kept in the platform's encrypted store so the next
    /// session needs no sign-in.</para>
    /// </example>
    /// <example>
    /// <title>Use an access token obtained elsewhere</title>
    /// <code>Connect-M365Smtp -AccessToken (Get-AzAccessToken -ResourceUrl https://outlook.office365.com -AsSecureString).Token -UserName scanner@contoso.com</code>
    /// <para>Uses a token obtained elsewhere (here from Az.Accounts). It can't be renewed by this module: connect again
    /// before it expires.</para>
    /// </example>
    /// <example>
    /// <title>Test Basic authentication to Azure Communication Services</title>
    /// <code>Connect-M365Smtp -Credential (Get-Credential) -SmtpServer smtp.azurecomm.net -Test</code>
    /// <para>Basic authentication to Azure Communication Services (user name in the resource.appId.tenantId form, the
    /// app's secret as password), tested with an AUTH right away.</para>
    /// </example>
    [Cmdlet(VerbsCommunications.Connect, "M365Smtp", DefaultParameterSetName = ConnectionSet)]
    [OutputType(typeof(SmtpConnection))]
    public sealed class ConnectM365SmtpCommand : M365SmtpAuthCmdletBase
    {

        /// <summary>Uses Basic authentication against Microsoft 365 even after Microsoft's final removal date.</summary>
        [Parameter(ParameterSetName = BasicSet)]
        public SwitchParameter AllowRetiredBasicAuth { get; set; }

        /// <summary>The SMTP server. Default: the submission host of -Environment (smtp.office365.com).</summary>
        /// <default>The submission host of -Environment (smtp.office365.com)</default>
        [Parameter]
        [ArgumentCompleter(typeof(SmtpServerCompleter))]
        [ValidateNotNullOrEmpty]
        public string? SmtpServer { get; set; }

        /// <summary>The SMTP port. Default 587 (STARTTLS); Exchange Online doesn't support 465.</summary>
        [Parameter]
        [ValidateRange(1, 65535)]
        public int Port { get; set; } = 587;

        /// <summary>The name to keep the connection under (default: Default). Connecting again with the same name replaces it.</summary>
        /// <default>Default</default>
        [Parameter]
        [ArgumentCompleter(typeof(SmtpConnectionNameCompleter))]
        [ValidateNotNullOrEmpty]
        public string? Name { get; set; }

        /// <summary>Also authenticates to the SMTP server now; the connection is stored only if that succeeds.</summary>
        [Parameter]
        public SwitchParameter Test { get; set; }

        /// <summary>Writes the connection object to the pipeline.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            var request = WithAuthParameters(new ConnectSmtpRequest
            {
                AllowRetiredBasicAuth = AllowRetiredBasicAuth.IsPresent,
                SmtpServer = SmtpServer,
                Port = Port,
                Name = Name,
                Test = Test.IsPresent,
                PassThru = PassThru.IsPresent,
            });
            RunOperation(new ConnectSmtpOperation(), request, connection => { if (PassThru) WriteObject(connection); });
        }
    }
}
