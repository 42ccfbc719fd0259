using System.Management.Automation;
using System.Net;
using System.Security;
using System.Security.Cryptography.X509Certificates;
using M365SmtpTools.Engine.Auth;
using M365SmtpTools.Engine.Exchange;

namespace M365SmtpTools
{
    /// <summary>
    /// The ways to authenticate, as parameter sets shared by Connect-M365Smtp, Send-M365Mail and Test-M365SmtpAuth,
    /// declared once so the three cmdlets can't drift apart. Each maps to a property of the engine's SmtpAuthOptions.
    /// </summary>
    public abstract class M365SmtpAuthCmdletBase : M365CmdletBase
    {
        /// <summary>The parameter set of one way to authenticate.</summary>
        protected const string ThumbprintSet = "AppCertificateThumbprint";
        /// <summary>The parameter set of one way to authenticate.</summary>
        protected const string FileSet = "AppCertificateFile";
        /// <summary>The parameter set of one way to authenticate.</summary>
        protected const string CertificateSet = "AppCertificate";
        /// <summary>The parameter set of one way to authenticate.</summary>
        protected const string SecretSet = "AppSecret";
        /// <summary>The parameter set of one way to authenticate.</summary>
        protected const string ManagedIdentitySet = "ManagedIdentity";
        /// <summary>The parameter set of one way to authenticate.</summary>
        protected const string DeviceCodeSet = "DeviceCode";
        /// <summary>The parameter set of one way to authenticate.</summary>
        protected const string InteractiveSet = "Interactive";
        /// <summary>The parameter set of one way to authenticate.</summary>
        protected const string AccessTokenSet = "AccessToken";
        /// <summary>The parameter set of one way to authenticate.</summary>
        protected const string BasicSet = "Basic";
        /// <summary>
        /// The default set: no way to authenticate chosen (Send-M365Mail and Test-M365SmtpAuth then use the session
        /// connection). It also takes -TenantId, -ClientId and -UserName, so a call that forgets the certificate or secret
        /// lands here and the engine names what is missing, instead of PowerShell prompting for a switch or reporting an
        /// ambiguous parameter set.
        /// </summary>
        protected const string ConnectionSet = "Connection";

        /// <summary>The Entra ID tenant: its ID (GUID) or a verified domain such as contoso.onmicrosoft.com. Required for app-only sign-in; for -DeviceCode and -Interactive it defaults to any work or school tenant. Test-M365SmtpAuth also compares a GUID with the token's tenant.</summary>
        /// <default>Any work or school tenant (-DeviceCode, -Interactive)</default>
        [Parameter(ParameterSetName = ConnectionSet)]
        [Parameter(ParameterSetName = ThumbprintSet)]
        [Parameter(ParameterSetName = FileSet)]
        [Parameter(ParameterSetName = CertificateSet)]
        [Parameter(ParameterSetName = SecretSet)]
        [Parameter(ParameterSetName = DeviceCodeSet)]
        [Parameter(ParameterSetName = InteractiveSet)]
        [ValidateNotNullOrEmpty]
        [Alias("Organization", "Tenant")]
        public string? TenantId { get; set; }

        /// <summary>The application (client) ID of the app registration. Required for app-only sign-in (with the certificate or secret) and for -DeviceCode and -Interactive.</summary>
        [Parameter(ParameterSetName = ConnectionSet)]
        [Parameter(ParameterSetName = ThumbprintSet)]
        [Parameter(ParameterSetName = FileSet)]
        [Parameter(ParameterSetName = CertificateSet)]
        [Parameter(ParameterSetName = SecretSet)]
        [Parameter(ParameterSetName = DeviceCodeSet)]
        [Parameter(ParameterSetName = InteractiveSet)]
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
        [Alias("CertificateFilePath")]
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
        [Alias("Identity")]
        public SwitchParameter ManagedIdentity { get; set; }

        /// <summary>The client ID of a user-assigned managed identity attached to the resource.</summary>
        [Parameter(ParameterSetName = ManagedIdentitySet)]
        [ValidateNotNullOrEmpty]
        [Alias("ManagedIdentityAccountId")]
        public string? ManagedIdentityClientId { get; set; }

        /// <summary>A person signs in on any device's browser with a code shown here (delegated SMTP.Send). Needs an interactive session.</summary>
        [Parameter(Mandatory = true, ParameterSetName = DeviceCodeSet)]
        [Alias("UseDeviceCode", "UseDeviceAuthentication", "Device")]
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

        /// <summary>The Microsoft 365 cloud: picks the sign-in authority, the scopes and the SMTP host.</summary>
        [Parameter]
        public M365Environment Environment { get; set; } = M365Environment.Commercial;

        /// <summary>The mailbox that authenticates over SMTP. For app-only sign-in and managed identities this is the mailbox to send as; for delegated sign-in it defaults to the signed-in account. It is the XOAUTH2 user= name, and Send-M365Mail's default -From.</summary>
        /// <default>The signed-in account (-DeviceCode, -Interactive)</default>
        [Parameter(ParameterSetName = ConnectionSet)]
        [Parameter(ParameterSetName = ThumbprintSet)]
        [Parameter(ParameterSetName = FileSet)]
        [Parameter(ParameterSetName = CertificateSet)]
        [Parameter(ParameterSetName = SecretSet)]
        [Parameter(ParameterSetName = ManagedIdentitySet)]
        [Parameter(ParameterSetName = DeviceCodeSet)]
        [Parameter(ParameterSetName = InteractiveSet)]
        [Parameter(ParameterSetName = AccessTokenSet)]
        [Alias("Mailbox", "UserPrincipalName")]
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
        /// <default>The sign-in authority of -Environment</default>
        [Parameter(ParameterSetName = ThumbprintSet)]
        [Parameter(ParameterSetName = FileSet)]
        [Parameter(ParameterSetName = CertificateSet)]
        [Parameter(ParameterSetName = SecretSet)]
        [Parameter(ParameterSetName = DeviceCodeSet)]
        [Parameter(ParameterSetName = InteractiveSet)]
        [ValidateNotNullOrEmpty]
        public string? AuthorityHost { get; set; }

        /// <summary>Overrides the scope requested: app-only scopes end in /.default (https://outlook.office365.com/.default); delegated sign-in uses https://outlook.office.com/SMTP.Send.</summary>
        /// <default>https://outlook.office365.com/.default (app-only), https://outlook.office.com/SMTP.Send (delegated)</default>
        [Parameter(ParameterSetName = ThumbprintSet)]
        [Parameter(ParameterSetName = FileSet)]
        [Parameter(ParameterSetName = CertificateSet)]
        [Parameter(ParameterSetName = SecretSet)]
        [Parameter(ParameterSetName = ManagedIdentitySet)]
        [Parameter(ParameterSetName = DeviceCodeSet)]
        [Parameter(ParameterSetName = InteractiveSet)]
        [ValidateNotNullOrEmpty]
        public string? Scope { get; set; }

        /// <summary>Copies the auth parameters into an engine request (paths resolved, PSCredential converted).</summary>
        protected T WithAuthParameters<T>(T request) where T : SmtpAuthOptions
        {
            request.TenantId = TenantId;
            request.ClientId = ClientId;
            request.CertificateThumbprint = CertificateThumbprint;
            request.CertificatePath = CertificatePath == null ? null : GetUnresolvedProviderPathFromPSPath(CertificatePath);
            request.CertificatePassword = CertificatePassword;
            request.Certificate = Certificate;
            request.ClientSecret = ClientSecret;
            request.ManagedIdentity = ManagedIdentity.IsPresent;
            request.ManagedIdentityClientId = ManagedIdentityClientId;
            request.DeviceCode = DeviceCode.IsPresent;
            request.Interactive = Interactive.IsPresent;
            request.AccessToken = AccessToken;
            request.Credential = Credential == null ? null : new NetworkCredential(Credential.UserName, Credential.Password);
            request.Environment = Environment;
            request.UserName = UserName;
            request.PersistTokenCache = PersistTokenCache.IsPresent;
            request.AuthorityHost = AuthorityHost;
            request.Scope = Scope;
            return request;
        }
    }
}
