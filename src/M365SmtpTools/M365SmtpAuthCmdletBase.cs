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

        /// <summary><text cref="AuthParameterText.TenantId"/></summary>
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

        /// <summary><text cref="AuthParameterText.ClientId"/></summary>
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

        /// <summary><text cref="AuthParameterText.CertificateThumbprint"/></summary>
        [Parameter(Mandatory = true, ParameterSetName = ThumbprintSet)]
        [ValidateNotNullOrEmpty]
        public string? CertificateThumbprint { get; set; }

        /// <summary><text cref="AuthParameterText.CertificatePath"/></summary>
        [Parameter(Mandatory = true, ParameterSetName = FileSet)]
        [ValidateNotNullOrEmpty]
        [Alias("CertificateFilePath")]
        public string? CertificatePath { get; set; }

        /// <summary><text cref="AuthParameterText.CertificatePassword"/></summary>
        [Parameter(ParameterSetName = FileSet)]
        public SecureString? CertificatePassword { get; set; }

        /// <summary><text cref="AuthParameterText.Certificate"/></summary>
        [Parameter(Mandatory = true, ParameterSetName = CertificateSet)]
        [ValidateNotNull]
        public X509Certificate2? Certificate { get; set; }

        /// <summary><text cref="AuthParameterText.ClientSecret"/></summary>
        [Parameter(Mandatory = true, ParameterSetName = SecretSet)]
        [ValidateNotNull]
        public SecureString? ClientSecret { get; set; }

        /// <summary><text cref="AuthParameterText.ManagedIdentity"/></summary>
        [Parameter(Mandatory = true, ParameterSetName = ManagedIdentitySet)]
        [Alias("Identity")]
        public SwitchParameter ManagedIdentity { get; set; }

        /// <summary><text cref="AuthParameterText.ManagedIdentityClientId"/></summary>
        [Parameter(ParameterSetName = ManagedIdentitySet)]
        [ValidateNotNullOrEmpty]
        [Alias("ManagedIdentityAccountId")]
        public string? ManagedIdentityClientId { get; set; }

        /// <summary><text cref="AuthParameterText.DeviceCode"/></summary>
        [Parameter(Mandatory = true, ParameterSetName = DeviceCodeSet)]
        [Alias("UseDeviceCode", "UseDeviceAuthentication", "Device")]
        public SwitchParameter DeviceCode { get; set; }

        /// <summary><text cref="AuthParameterText.Interactive"/></summary>
        [Parameter(Mandatory = true, ParameterSetName = InteractiveSet)]
        public SwitchParameter Interactive { get; set; }

        /// <summary><text cref="AuthParameterText.AccessToken"/> For example (Get-AzAccessToken -ResourceUrl
        /// https://outlook.office365.com -AsSecureString).Token.</summary>
        [Parameter(Mandatory = true, ParameterSetName = AccessTokenSet)]
        [ValidateNotNull]
        public SecureString? AccessToken { get; set; }

        /// <summary><text cref="AuthParameterText.Credential"/></summary>
        [Parameter(Mandatory = true, ParameterSetName = BasicSet)]
        [Credential]
        [ValidateNotNull]
        public PSCredential? Credential { get; set; }

        /// <summary><text cref="AuthParameterText.Environment"/></summary>
        [Parameter]
        public M365Environment Environment { get; set; } = M365Environment.Commercial;

        /// <summary><text cref="AuthParameterText.UserName"/> It is Send-M365Mail's default -From.</summary>
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

        /// <summary><text cref="AuthParameterText.PersistTokenCache"/></summary>
        [Parameter(ParameterSetName = ThumbprintSet)]
        [Parameter(ParameterSetName = FileSet)]
        [Parameter(ParameterSetName = CertificateSet)]
        [Parameter(ParameterSetName = SecretSet)]
        [Parameter(ParameterSetName = DeviceCodeSet)]
        [Parameter(ParameterSetName = InteractiveSet)]
        public SwitchParameter PersistTokenCache { get; set; }

        /// <summary><text cref="AuthParameterText.AuthorityHost"/></summary>
        /// <default>The sign-in authority of -Environment</default>
        [Parameter(ParameterSetName = ThumbprintSet)]
        [Parameter(ParameterSetName = FileSet)]
        [Parameter(ParameterSetName = CertificateSet)]
        [Parameter(ParameterSetName = SecretSet)]
        [Parameter(ParameterSetName = DeviceCodeSet)]
        [Parameter(ParameterSetName = InteractiveSet)]
        [ValidateNotNullOrEmpty]
        public string? AuthorityHost { get; set; }

        /// <summary><text cref="AuthParameterText.Scope"/></summary>
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
