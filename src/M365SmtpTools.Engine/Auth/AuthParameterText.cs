namespace M365SmtpTools.Engine.Auth
{
    /// <summary>
    /// What each way-to-authenticate parameter means, written once for the cmdlets' help (their doc comments take it
    /// with <c>&lt;text cref="..."/&gt;</c>, which the help generator fills in) and the command line's
    /// <c>--help</c>. A front end adds only how its users give the value (a secret comes from an environment
    /// variable or stdin on the command line). <c>{Name}</c> stands for another parameter
    /// (<see cref="ParameterText"/>).
    /// </summary>
    public static class AuthParameterText
    {
        /// <summary>Text of <see cref="SmtpAuthOptions.TenantId"/>.</summary>
        public const string TenantId =
            "The Entra ID tenant: its ID (GUID) or a verified domain such as contoso.onmicrosoft.com. Required for app-only " +
            "sign-in (certificate, client secret); for {DeviceCode} and {Interactive} it defaults to any work or school tenant. " +
            "The SMTP AUTH test also compares a GUID with the token's tenant.";

        /// <summary>Text of <see cref="SmtpAuthOptions.ClientId"/>.</summary>
        public const string ClientId =
            "The application (client) ID of the app registration. Required for app-only sign-in (certificate, client secret) " +
            "and for {DeviceCode} and {Interactive}.";

        /// <summary>Text of <see cref="SmtpAuthOptions.CertificateThumbprint"/>.</summary>
        public const string CertificateThumbprint =
            "App-only sign-in with the app's certificate from the Windows certificate store (CurrentUser\\My, then " +
            "LocalMachine\\My), by its thumbprint. Windows only: elsewhere use {CertificatePath}.";

        /// <summary>Text of <see cref="SmtpAuthOptions.CertificatePath"/>.</summary>
        public const string CertificatePath =
            "App-only sign-in with a PFX (PKCS#12) file holding the app's certificate and private key. Its password, if " +
            "any, is {CertificatePassword}.";

        /// <summary>Text of <see cref="SmtpAuthOptions.CertificatePassword"/>.</summary>
        public const string CertificatePassword = "The password of the PFX file given with {CertificatePath}.";

        /// <summary>Text of <see cref="SmtpAuthOptions.Certificate"/>.</summary>
        public const string Certificate = "App-only sign-in with the app's certificate as an object; it must have its private key.";

        /// <summary>Text of <see cref="SmtpAuthOptions.ClientSecret"/>.</summary>
        public const string ClientSecret =
            "App-only sign-in with a client secret of the app registration (the secret's Value, not its ID).";

        /// <summary>Text of <see cref="SmtpAuthOptions.ManagedIdentity"/>.</summary>
        public const string ManagedIdentity =
            "App-only sign-in with the managed identity of the Azure resource (Azure Automation, Azure VMs, Functions, " +
            "containers): system-assigned, or user-assigned with {ManagedIdentityClientId}.";

        /// <summary>Text of <see cref="SmtpAuthOptions.ManagedIdentityClientId"/>.</summary>
        public const string ManagedIdentityClientId = "The client ID of a user-assigned managed identity attached to the resource.";

        /// <summary>Text of <see cref="SmtpAuthOptions.DeviceCode"/>.</summary>
        public const string DeviceCode =
            "Delegated sign-in (SMTP.Send): a person signs in on any device's browser with the code and URL shown here. " +
            "Needs {ClientId} and a person at the session.";

        /// <summary>Text of <see cref="SmtpAuthOptions.Interactive"/>.</summary>
        public const string Interactive =
            "Delegated sign-in (SMTP.Send): a person signs in with the system browser. Needs {ClientId} and a desktop " +
            "session with a browser.";

        /// <summary>Text of <see cref="SmtpAuthOptions.AccessToken"/>.</summary>
        public const string AccessToken =
            "An access token for Exchange Online (resource https://outlook.office365.com) obtained elsewhere.";

        /// <summary>Text of <see cref="SmtpAuthOptions.Credential"/>.</summary>
        public const string Credential =
            "Basic authentication with a user name and password, for servers that still accept it (Azure Communication " +
            "Services, High Volume Email, on-premises). Against Microsoft 365 client submission it warns: Basic is being retired.";

        /// <summary>Text of <see cref="SmtpAuthOptions.Environment"/>.</summary>
        public const string Environment = "The Microsoft 365 cloud: picks the sign-in authority, the scopes and the SMTP host.";

        /// <summary>Text of <see cref="SmtpAuthOptions.UserName"/>.</summary>
        public const string UserName =
            "The mailbox that authenticates over SMTP (the XOAUTH2 user= name). For app-only sign-in and managed identities " +
            "it is the mailbox to send as, and required; for {DeviceCode} and {Interactive} it defaults to the signed-in account.";

        /// <summary>Text of <see cref="SmtpAuthOptions.PersistTokenCache"/>.</summary>
        public const string PersistTokenCache =
            "Keeps tokens in the platform's encrypted store (DPAPI, Keychain, Secret Service keyring) across sessions, never " +
            "a plain file (certificate, client secret, {DeviceCode}, {Interactive}).";

        /// <summary>Text of <see cref="SmtpAuthOptions.AuthorityHost"/>.</summary>
        public const string AuthorityHost = "Overrides the sign-in authority host of {Environment} (e.g. login.microsoftonline.us).";

        /// <summary>Text of <see cref="SmtpAuthOptions.Scope"/>.</summary>
        public const string Scope =
            "Overrides the scope requested: app-only scopes end in /.default (https://outlook.office365.com/.default); " +
            "delegated sign-in uses https://outlook.office.com/SMTP.Send.";
    }
}
