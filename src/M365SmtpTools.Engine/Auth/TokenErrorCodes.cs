namespace M365SmtpTools.Engine.Auth
{
    /// <summary>
    /// The error codes of getting an access token: Entra ID's answers (the <see cref="AadErrorCatalog"/>), the
    /// identity library, managed identity, and tokens given from elsewhere. All belong to the auth step, even when the
    /// cause is the network: the question is "could it authenticate".
    /// </summary>
    public static class TokenErrorCodes
    {
        // ---- Entra ID (AADSTS codes) -----------------------------------------------------------------------------

        /// <summary>AADSTS7000215: the client secret is not a current secret of the app.</summary>
        public static readonly ErrorCode AadInvalidClientSecret = Aad("AadInvalidClientSecret", ErrorKind.AuthenticationError);
        /// <summary>AADSTS7000222: the client secret has expired.</summary>
        public static readonly ErrorCode AadClientSecretExpired = Aad("AadClientSecretExpired", ErrorKind.AuthenticationError);
        /// <summary>AADSTS700027: the certificate's assertion was rejected.</summary>
        public static readonly ErrorCode AadCertificateRejected = Aad("AadCertificateRejected", ErrorKind.AuthenticationError);
        /// <summary>AADSTS700024: the assertion is outside its validity (clock or certificate dates).</summary>
        public static readonly ErrorCode AadAssertionOutsideValidity = Aad("AadAssertionOutsideValidity", ErrorKind.AuthenticationError);
        /// <summary>AADSTS65001: consent for the permission is missing.</summary>
        public static readonly ErrorCode AadConsentMissing = Aad("AadConsentMissing", ErrorKind.PermissionDenied);
        /// <summary>AADSTS90002: the tenant doesn't exist in this cloud.</summary>
        public static readonly ErrorCode AadTenantNotFound = Aad("AadTenantNotFound", ErrorKind.ObjectNotFound);
        /// <summary>AADSTS900023: the tenant identifier isn't valid.</summary>
        public static readonly ErrorCode AadTenantInvalid = Aad("AadTenantInvalid", ErrorKind.InvalidArgument);
        /// <summary>AADSTS700016: no application with this client id in the tenant.</summary>
        public static readonly ErrorCode AadAppNotFound = Aad("AadAppNotFound", ErrorKind.ObjectNotFound);
        /// <summary>AADSTS50126: wrong user name or password.</summary>
        public static readonly ErrorCode AadInvalidUserCredentials = Aad("AadInvalidUserCredentials", ErrorKind.AuthenticationError);
        /// <summary>AADSTS50076, AADSTS50079: multi-factor authentication is required or must be registered.</summary>
        public static readonly ErrorCode AadMfaRequired = Aad("AadMfaRequired", ErrorKind.AuthenticationError);
        /// <summary>AADSTS50053: the account is locked or sign-in was blocked.</summary>
        public static readonly ErrorCode AadAccountLocked = Aad("AadAccountLocked", ErrorKind.AuthenticationError);
        /// <summary>AADSTS50034: the user doesn't exist in the tenant.</summary>
        public static readonly ErrorCode AadUserNotFound = Aad("AadUserNotFound", ErrorKind.ObjectNotFound);
        /// <summary>AADSTS500011: the resource (Exchange Online) isn't in the tenant.</summary>
        public static readonly ErrorCode AadResourceNotFound = Aad("AadResourceNotFound", ErrorKind.PermissionDenied);
        /// <summary>AADSTS70011: the scope isn't valid for the flow.</summary>
        public static readonly ErrorCode AadInvalidScope = Aad("AadInvalidScope", ErrorKind.InvalidArgument);
        /// <summary>AADSTS7000218: public client flows are not enabled for the app.</summary>
        public static readonly ErrorCode AadPublicClientFlowsDisabled = Aad("AadPublicClientFlowsDisabled", ErrorKind.AuthenticationError);
        /// <summary>AADSTS700082: the refresh token has expired.</summary>
        public static readonly ErrorCode AadRefreshTokenExpired = Aad("AadRefreshTokenExpired", ErrorKind.AuthenticationError);
        /// <summary>AADSTS50011: the redirect URI isn't registered on the app.</summary>
        public static readonly ErrorCode AadRedirectUriMismatch = Aad("AadRedirectUriMismatch", ErrorKind.InvalidArgument);
        /// <summary>Another AADSTS code, not explained by the catalogue.</summary>
        public static readonly ErrorCode AadError = Aad("AadError", ErrorKind.AuthenticationError);

        // ---- the identity library and endpoints ------------------------------------------------------------------

        /// <summary>The token request failed for another reason.</summary>
        public static readonly ErrorCode TokenRequestFailed =
            new ErrorCode("TokenRequestFailed", ErrorKind.AuthenticationError, FailurePhase.Auth);
        /// <summary>The managed identity endpoint refused or isn't there (kind by the cause).</summary>
        public static readonly ErrorCode ManagedIdentityUnavailable =
            new ErrorCode("ManagedIdentityUnavailable", ErrorKind.AuthenticationError, FailurePhase.Auth);
        /// <summary>The identity endpoint couldn't be reached.</summary>
        public static readonly ErrorCode IdentityEndpointUnreachable =
            new ErrorCode("IdentityEndpointUnreachable", ErrorKind.ConnectionError, FailurePhase.Auth);
        /// <summary>The identity endpoint didn't answer in time.</summary>
        public static readonly ErrorCode IdentityEndpointTimeout =
            new ErrorCode("IdentityEndpointTimeout", ErrorKind.OperationTimeout, FailurePhase.Auth);
        /// <summary>Getting a token was cancelled.</summary>
        public static readonly ErrorCode AuthenticationCancelled =
            new ErrorCode("AuthenticationCancelled", ErrorKind.Cancelled, FailurePhase.Auth);

        // ---- delegated sign-in and tokens from elsewhere ---------------------------------------------------------

        /// <summary>A delegated sign-in (-DeviceCode, -Interactive) in a session nobody can answer.</summary>
        public static readonly ErrorCode DelegatedAuthNotInteractive =
            new ErrorCode("DelegatedAuthNotInteractive", ErrorKind.InvalidOperation, FailurePhase.Auth);
        /// <summary>A delegated sign-in can't be renewed without the person.</summary>
        public static readonly ErrorCode DelegatedSignInExpired =
            new ErrorCode("DelegatedSignInExpired", ErrorKind.AuthenticationError, FailurePhase.Auth);
        /// <summary>The browser sign-in can't start here.</summary>
        public static readonly ErrorCode InteractiveSignInUnavailable =
            new ErrorCode("InteractiveSignInUnavailable", ErrorKind.InvalidOperation, FailurePhase.Auth);
        /// <summary>The token given with -AccessToken has expired.</summary>
        public static readonly ErrorCode AccessTokenExpired =
            new ErrorCode("AccessTokenExpired", ErrorKind.AuthenticationError, FailurePhase.Auth);
        /// <summary>The token given can't be read as a JWT.</summary>
        public static readonly ErrorCode TokenNotJwt = new ErrorCode("TokenNotJwt", ErrorKind.InvalidArgument, FailurePhase.Auth);
        /// <summary>-PersistTokenCache and the platform's protected store isn't usable.</summary>
        public static readonly ErrorCode TokenCachePersistenceUnavailable =
            new ErrorCode("TokenCachePersistenceUnavailable", ErrorKind.InvalidOperation, FailurePhase.Auth);

        private static ErrorCode Aad(string id, ErrorKind kind) => new ErrorCode(id, kind, FailurePhase.Auth);
    }
}
