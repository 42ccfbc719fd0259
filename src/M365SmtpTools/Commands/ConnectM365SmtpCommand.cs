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
    /// <code>Connect-M365Smtp -TenantId contoso.onmicrosoft.com -ClientId 0a1b2c3d-1111-2222-3333-444455556666 -CertificateThumbprint 3A4B5C6D7E8F9012A3B4C5D6E7F8091A2B3C4D5E -UserName scanner@contoso.com</code>
    /// <para>App-only sign-in with a certificate from the Windows certificate store (CurrentUser\My, then LocalMachine\My). The app needs the SMTP.SendAsApp permission and Exchange must know its service principal; mail is sent as scanner@contoso.com.</para>
    /// </example>
    /// <example>
    /// <code>Connect-M365Smtp -TenantId contoso.onmicrosoft.com -ClientId 0a1b2c3d-1111-2222-3333-444455556666 -CertificatePath ./smtp-app.pfx -CertificatePassword (Read-Host -AsSecureString -Prompt 'PFX password') -UserName scanner@contoso.com</code>
    /// <para>App-only sign-in with a certificate from a PFX file: works on Linux and macOS too.</para>
    /// </example>
    /// <example>
    /// <code>Connect-M365Smtp -TenantId contoso.onmicrosoft.com -ClientId 0a1b2c3d-1111-2222-3333-444455556666 -Certificate (Get-PfxCertificate -FilePath ./smtp-app.pfx) -UserName scanner@contoso.com</code>
    /// <para>App-only sign-in with a certificate object that has its private key.</para>
    /// </example>
    /// <example>
    /// <code>Connect-M365Smtp -TenantId contoso.onmicrosoft.com -ClientId 0a1b2c3d-1111-2222-3333-444455556666 -ClientSecret (Read-Host -AsSecureString -Prompt 'Client secret') -UserName scanner@contoso.com</code>
    /// <para>App-only sign-in with a client secret (its Value, not its Secret ID). A certificate is safer for anything long-lived.</para>
    /// </example>
    /// <example>
    /// <code>Connect-M365Smtp -ManagedIdentity -UserName reports@contoso.com</code>
    /// <para>In an Azure Automation runbook (or an Azure VM or Function): the system-assigned managed identity gets the token; no secret is stored anywhere.</para>
    /// </example>
    /// <example>
    /// <code>Connect-M365Smtp -ManagedIdentity -ManagedIdentityClientId 11112222-3333-4444-5555-666677778888 -UserName reports@contoso.com -Name Reports</code>
    /// <para>The same with a user-assigned managed identity, stored as the connection named Reports.</para>
    /// </example>
    /// <example>
    /// <code>Connect-M365Smtp -DeviceCode -ClientId 0a1b2c3d-1111-2222-3333-444455556666 -TenantId contoso.onmicrosoft.com</code>
    /// <para>A person signs in with a code shown on screen, on any device's browser (delegated SMTP.Send permission); the mailbox is the signed-in account.</para>
    /// </example>
    /// <example>
    /// <code>Connect-M365Smtp -Interactive -ClientId 0a1b2c3d-1111-2222-3333-444455556666 -UserName alice@contoso.com -PersistTokenCache</code>
    /// <para>A person signs in with the system browser; the token is kept in the platform's encrypted store so the next session needs no sign-in.</para>
    /// </example>
    /// <example>
    /// <code>Connect-M365Smtp -AccessToken (Get-AzAccessToken -ResourceUrl https://outlook.office365.com -AsSecureString).Token -UserName scanner@contoso.com</code>
    /// <para>Uses a token obtained elsewhere (here from Az.Accounts). It can't be renewed by this module: connect again before it expires.</para>
    /// </example>
    /// <example>
    /// <code>Connect-M365Smtp -Credential (Get-Credential) -SmtpServer smtp.azurecomm.net -Test</code>
    /// <para>Basic authentication to Azure Communication Services (user name in the resource.appId.tenantId form, the app's secret as password), tested with an AUTH right away.</para>
    /// </example>
    [Cmdlet(VerbsCommunications.Connect, "M365Smtp", DefaultParameterSetName = DeviceCodeSet)]
    [OutputType(typeof(SmtpConnection))]
    public sealed class ConnectM365SmtpCommand : M365CmdletBase
    {
        private const string ThumbprintSet = "AppCertificateThumbprint";
        private const string FileSet = "AppCertificateFile";
        private const string CertificateSet = "AppCertificate";
        private const string SecretSet = "AppSecret";
        private const string ManagedIdentitySet = "ManagedIdentity";
        private const string DeviceCodeSet = "DeviceCode";
        private const string InteractiveSet = "Interactive";
        private const string AccessTokenSet = "AccessToken";
        private const string BasicSet = "Basic";

        /// <summary>The Entra ID tenant: its ID (GUID) or a verified domain such as contoso.onmicrosoft.com. Required for app-only sign-in; for -DeviceCode and -Interactive it defaults to any work or school tenant.</summary>
        [Parameter(Mandatory = true, ParameterSetName = ThumbprintSet)]
        [Parameter(Mandatory = true, ParameterSetName = FileSet)]
        [Parameter(Mandatory = true, ParameterSetName = CertificateSet)]
        [Parameter(Mandatory = true, ParameterSetName = SecretSet)]
        [Parameter(ParameterSetName = DeviceCodeSet)]
        [Parameter(ParameterSetName = InteractiveSet)]
        [ValidateNotNullOrEmpty]
        public string? TenantId { get; set; }

        /// <summary>The application (client) ID of the app registration.</summary>
        [Parameter(Mandatory = true, ParameterSetName = ThumbprintSet)]
        [Parameter(Mandatory = true, ParameterSetName = FileSet)]
        [Parameter(Mandatory = true, ParameterSetName = CertificateSet)]
        [Parameter(Mandatory = true, ParameterSetName = SecretSet)]
        [Parameter(Mandatory = true, ParameterSetName = DeviceCodeSet)]
        [Parameter(Mandatory = true, ParameterSetName = InteractiveSet)]
        [Alias("ApplicationId", "AppId")]
        [ValidateNotNullOrEmpty]
        public string? ClientId { get; set; }

        /// <summary>The thumbprint of the app's certificate in the Windows certificate store (CurrentUser\My, then LocalMachine\My). Windows only: elsewhere use -CertificatePath.</summary>
        [Parameter(Mandatory = true, ParameterSetName = ThumbprintSet)]
        [ValidateNotNullOrEmpty]
        public string? CertificateThumbprint { get; set; }

        /// <summary>The path of a PFX (PKCS#12) file holding the app's certificate and private key.</summary>
        [Parameter(Mandatory = true, ParameterSetName = FileSet)]
        [ValidateNotNullOrEmpty]
        public string? CertificatePath { get; set; }

        /// <summary>The password of the PFX file given with -CertificatePath.</summary>
        [Parameter(ParameterSetName = FileSet)]
        public SecureString? CertificatePassword { get; set; }

        /// <summary>The app's certificate as an object; it must have its private key.</summary>
        [Parameter(Mandatory = true, ParameterSetName = CertificateSet)]
        [ValidateNotNull]
        public X509Certificate2? Certificate { get; set; }

        /// <summary>A client secret of the app registration (the secret's Value, not its ID).</summary>
        [Parameter(Mandatory = true, ParameterSetName = SecretSet)]
        [ValidateNotNull]
        public SecureString? ClientSecret { get; set; }

        /// <summary>Gets the token with the Azure resource's managed identity (Azure Automation, Azure VMs, Functions): system-assigned, or user-assigned with -ManagedIdentityClientId.</summary>
        [Parameter(Mandatory = true, ParameterSetName = ManagedIdentitySet)]
        public SwitchParameter ManagedIdentity { get; set; }

        /// <summary>The client ID of a user-assigned managed identity attached to the resource.</summary>
        [Parameter(ParameterSetName = ManagedIdentitySet)]
        [ValidateNotNullOrEmpty]
        public string? ManagedIdentityClientId { get; set; }

        /// <summary>A person signs in on any device's browser with a code shown here (delegated SMTP.Send). Needs an interactive session.</summary>
        [Parameter(Mandatory = true, ParameterSetName = DeviceCodeSet)]
        public SwitchParameter DeviceCode { get; set; }

        /// <summary>A person signs in with the system browser (delegated SMTP.Send). Needs an interactive session with a browser.</summary>
        [Parameter(Mandatory = true, ParameterSetName = InteractiveSet)]
        public SwitchParameter Interactive { get; set; }

        /// <summary>An access token for Exchange Online obtained elsewhere, e.g. (Get-AzAccessToken -ResourceUrl https://outlook.office365.com -AsSecureString).Token.</summary>
        [Parameter(Mandatory = true, ParameterSetName = AccessTokenSet)]
        [ValidateNotNull]
        public SecureString? AccessToken { get; set; }

        /// <summary>User name and password for Basic authentication (servers that still accept it: Azure Communication Services, High Volume Email, on-premises). Against Microsoft 365 client submission it warns: Basic is being retired.</summary>
        [Parameter(Mandatory = true, ParameterSetName = BasicSet)]
        [Credential]
        [ValidateNotNull]
        public PSCredential? Credential { get; set; }

        /// <summary>Uses Basic authentication against Microsoft 365 even after Microsoft's final removal date.</summary>
        [Parameter(ParameterSetName = BasicSet)]
        public SwitchParameter AllowRetiredBasicAuth { get; set; }

        /// <summary>The Microsoft 365 cloud: picks the sign-in authority, the scopes and the SMTP host.</summary>
        [Parameter]
        public M365Environment Environment { get; set; } = M365Environment.Commercial;

        /// <summary>The mailbox that authenticates over SMTP. For app-only sign-in and managed identities this is the mailbox to send as; for delegated sign-in it defaults to the signed-in account.</summary>
        [Parameter(Mandatory = true, ParameterSetName = ThumbprintSet)]
        [Parameter(Mandatory = true, ParameterSetName = FileSet)]
        [Parameter(Mandatory = true, ParameterSetName = CertificateSet)]
        [Parameter(Mandatory = true, ParameterSetName = SecretSet)]
        [Parameter(Mandatory = true, ParameterSetName = ManagedIdentitySet)]
        [Parameter(ParameterSetName = DeviceCodeSet)]
        [Parameter(ParameterSetName = InteractiveSet)]
        [Parameter(ParameterSetName = AccessTokenSet)]
        [Alias("Mailbox")]
        [ValidateNotNullOrEmpty]
        public string? UserName { get; set; }

        /// <summary>Keeps tokens in the platform's encrypted store (DPAPI, Keychain, Secret Service keyring) across sessions; never a plain file.</summary>
        [Parameter(ParameterSetName = ThumbprintSet)]
        [Parameter(ParameterSetName = FileSet)]
        [Parameter(ParameterSetName = CertificateSet)]
        [Parameter(ParameterSetName = SecretSet)]
        [Parameter(ParameterSetName = DeviceCodeSet)]
        [Parameter(ParameterSetName = InteractiveSet)]
        public SwitchParameter PersistTokenCache { get; set; }

        /// <summary>Overrides the sign-in authority host of -Environment (e.g. login.microsoftonline.us).</summary>
        [Parameter(ParameterSetName = ThumbprintSet)]
        [Parameter(ParameterSetName = FileSet)]
        [Parameter(ParameterSetName = CertificateSet)]
        [Parameter(ParameterSetName = SecretSet)]
        [Parameter(ParameterSetName = DeviceCodeSet)]
        [Parameter(ParameterSetName = InteractiveSet)]
        [ValidateNotNullOrEmpty]
        public string? AuthorityHost { get; set; }

        /// <summary>Overrides the scope requested: app-only scopes end in /.default (https://outlook.office365.com/.default); delegated sign-in uses https://outlook.office.com/SMTP.Send.</summary>
        [Parameter(ParameterSetName = ThumbprintSet)]
        [Parameter(ParameterSetName = FileSet)]
        [Parameter(ParameterSetName = CertificateSet)]
        [Parameter(ParameterSetName = SecretSet)]
        [Parameter(ParameterSetName = ManagedIdentitySet)]
        [Parameter(ParameterSetName = DeviceCodeSet)]
        [Parameter(ParameterSetName = InteractiveSet)]
        [ValidateNotNullOrEmpty]
        public string? Scope { get; set; }

        /// <summary>The SMTP server. Default: the submission host of -Environment (smtp.office365.com).</summary>
        [Parameter]
        [ArgumentCompleter(typeof(SmtpServerCompleter))]
        [ValidateNotNullOrEmpty]
        public string? SmtpServer { get; set; }

        /// <summary>The SMTP port. Default 587 (STARTTLS); Exchange Online doesn't support 465.</summary>
        [Parameter]
        [ValidateRange(1, 65535)]
        public int Port { get; set; } = 587;

        /// <summary>The name to keep the connection under (default: Default). Connecting again with the same name replaces it.</summary>
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
            var request = new ConnectSmtpRequest
            {
                TenantId = TenantId,
                ClientId = ClientId,
                CertificateThumbprint = CertificateThumbprint,
                CertificatePath = CertificatePath == null ? null : GetUnresolvedProviderPathFromPSPath(CertificatePath),
                CertificatePassword = CertificatePassword,
                Certificate = Certificate,
                ClientSecret = ClientSecret,
                ManagedIdentity = ManagedIdentity.IsPresent,
                ManagedIdentityClientId = ManagedIdentityClientId,
                DeviceCode = DeviceCode.IsPresent,
                Interactive = Interactive.IsPresent,
                AccessToken = AccessToken,
                Credential = Credential == null ? null : new NetworkCredential(Credential.UserName, Credential.Password),
                AllowRetiredBasicAuth = AllowRetiredBasicAuth.IsPresent,
                Environment = Environment,
                UserName = UserName,
                PersistTokenCache = PersistTokenCache.IsPresent,
                AuthorityHost = AuthorityHost,
                Scope = Scope,
                SmtpServer = SmtpServer,
                Port = Port,
                Name = Name,
                Test = Test.IsPresent,
                PassThru = PassThru.IsPresent,
            };
            SmtpConnection connection;
            try
            {
                connection = RunOperation((host, token) => new ConnectSmtpOperation().RunAsync(request, host, token));
            }
            catch (M365SmtpException e)
            {
                ThrowEngineError(e);
                return;
            }
            if (PassThru) WriteObject(connection);
        }
    }
}
