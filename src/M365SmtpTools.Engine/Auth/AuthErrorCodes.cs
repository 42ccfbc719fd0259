namespace M365SmtpTools.Engine.Auth
{
    /// <summary>
    /// The error codes of choosing how to authenticate (the auth parameters and their checks) and of the session's
    /// connections. Getting the token itself is <see cref="TokenErrorCodes"/>; certificates are
    /// <see cref="CertificateErrorCodes"/>.
    /// </summary>
    public static class AuthErrorCodes
    {
        // ---- the auth parameters ---------------------------------------------------------------------------------

        /// <summary>No way to authenticate was given.</summary>
        public static readonly ErrorCode AuthMethodMissing = new ErrorCode("AuthMethodMissing", ErrorKind.InvalidArgument);
        /// <summary>Several ways to authenticate were given.</summary>
        public static readonly ErrorCode AuthMethodConflict = new ErrorCode("AuthMethodConflict", ErrorKind.InvalidArgument);
        /// <summary>-TenantId or -ClientId without the app's certificate or secret.</summary>
        public static readonly ErrorCode AppCredentialMissing = new ErrorCode("AppCredentialMissing", ErrorKind.InvalidArgument);
        /// <summary>An app-only way was given a multi-tenant alias (common, organizations) as -TenantId.</summary>
        public static readonly ErrorCode AppOnlyNeedsTenant = new ErrorCode("AppOnlyNeedsTenant", ErrorKind.InvalidArgument);
        /// <summary>The way chosen needs -TenantId.</summary>
        public static readonly ErrorCode TenantIdMissing = new ErrorCode("TenantIdMissing", ErrorKind.InvalidArgument);
        /// <summary>The way chosen needs -ClientId.</summary>
        public static readonly ErrorCode ClientIdMissing = new ErrorCode("ClientIdMissing", ErrorKind.InvalidArgument);
        /// <summary>The mailbox (-UserName) is needed and unknown.</summary>
        public static readonly ErrorCode UserNameMissing = new ErrorCode("UserNameMissing", ErrorKind.InvalidArgument);
        /// <summary>-ClientSecret is empty.</summary>
        public static readonly ErrorCode ClientSecretEmpty = new ErrorCode("ClientSecretEmpty", ErrorKind.InvalidArgument);
        /// <summary>-CertificatePassword without -CertificatePath.</summary>
        public static readonly ErrorCode CertificatePasswordWithoutPath =
            new ErrorCode("CertificatePasswordWithoutPath", ErrorKind.InvalidArgument, FailurePhase.Auth);
        /// <summary>-ClientId with -ManagedIdentity.</summary>
        public static readonly ErrorCode ManagedIdentityWithClientId =
            new ErrorCode("ManagedIdentityWithClientId", ErrorKind.InvalidArgument, FailurePhase.Auth);
        /// <summary>-AccessToken is empty.</summary>
        public static readonly ErrorCode AccessTokenEmpty = new ErrorCode("AccessTokenEmpty", ErrorKind.InvalidArgument, FailurePhase.Auth);
        /// <summary>-Credential has no user name.</summary>
        public static readonly ErrorCode CredentialUserNameMissing = new ErrorCode("CredentialUserNameMissing", ErrorKind.InvalidArgument);
        /// <summary>-TenantId or -ClientId with -Credential (Basic authentication).</summary>
        public static readonly ErrorCode BasicWithOAuthParameter = new ErrorCode("BasicWithOAuthParameter", ErrorKind.InvalidArgument);
        /// <summary>-PersistTokenCache with a way that has no token this module obtains.</summary>
        public static readonly ErrorCode PersistTokenCacheNotApplicable =
            new ErrorCode("PersistTokenCacheNotApplicable", ErrorKind.InvalidArgument);
        /// <summary>-AuthorityHost is not HTTPS.</summary>
        public static readonly ErrorCode AuthorityHostNotHttps = new ErrorCode("AuthorityHostNotHttps", ErrorKind.InvalidArgument);
        /// <summary>Basic authentication against Microsoft 365 after its final removal date.</summary>
        public static readonly ErrorCode BasicAuthRetired =
            new ErrorCode("BasicAuthRetired", ErrorKind.InvalidOperation, FailurePhase.Auth);
        /// <summary>XOAUTH2 without the mailbox (user=).</summary>
        public static readonly ErrorCode Xoauth2UserMissing = new ErrorCode("Xoauth2UserMissing", ErrorKind.InvalidArgument);
        /// <summary>The user name or token has a character XOAUTH2 can't carry.</summary>
        public static readonly ErrorCode Xoauth2InvalidCharacter = new ErrorCode("Xoauth2InvalidCharacter", ErrorKind.InvalidArgument);

        // ---- session connections (Connect-M365Smtp) --------------------------------------------------------------

        /// <summary>No connection has the name given.</summary>
        public static readonly ErrorCode ConnectionNotFound = new ErrorCode("ConnectionNotFound", ErrorKind.ObjectNotFound);
        /// <summary>The connection was disconnected (or lost its credential).</summary>
        public static readonly ErrorCode ConnectionClosed = new ErrorCode("ConnectionClosed", ErrorKind.InvalidOperation);
        /// <summary>The connection uses Basic authentication and has no token.</summary>
        public static readonly ErrorCode ConnectionHasNoToken = new ErrorCode("ConnectionHasNoToken", ErrorKind.InvalidOperation);
        /// <summary>-ConnectionName with auth parameters, or where no connection applies.</summary>
        public static readonly ErrorCode ConnectionNameNotApplicable =
            new ErrorCode("ConnectionNameNotApplicable", ErrorKind.InvalidArgument);
    }
}
