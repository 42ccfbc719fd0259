namespace M365SmtpTools.Engine.Auth
{
    /// <summary>
    /// The error codes of loading certificates. The app's sign-in certificate (and a connector plan's device
    /// certificate) has the <c>Certificate</c> codes, a relay client certificate the <c>ClientCertificate</c> ones:
    /// each <see cref="CertificateUse"/> carries its set.
    /// </summary>
    public static class CertificateErrorCodes
    {
        // ---- the app's certificate (-Certificate, -CertificatePath, -CertificateThumbprint) -----------------------

        /// <summary>No certificate was given for an app-only sign-in.</summary>
        public static readonly ErrorCode CertificateMissing = Auth("CertificateMissing", ErrorKind.InvalidArgument);
        /// <summary>The app's certificate has expired.</summary>
        public static readonly ErrorCode CertificateExpired = Auth("CertificateExpired", ErrorKind.SecurityError);
        /// <summary>-CertificatePath doesn't exist.</summary>
        public static readonly ErrorCode CertificateFileNotFound = Auth("CertificateFileNotFound", ErrorKind.ObjectNotFound);
        /// <summary>-CertificatePath can't be opened (password, format).</summary>
        public static readonly ErrorCode CertificateFileUnreadable = Auth("CertificateFileUnreadable", ErrorKind.InvalidArgument);
        /// <summary>-CertificateThumbprint isn't 40 hexadecimal digits.</summary>
        public static readonly ErrorCode CertificateThumbprintInvalid = Auth("CertificateThumbprintInvalid", ErrorKind.InvalidArgument);
        /// <summary>-CertificateThumbprint on a system without the Windows certificate store.</summary>
        public static readonly ErrorCode CertificateStoreNotSupported = Auth("CertificateStoreNotSupported", ErrorKind.InvalidOperation);
        /// <summary>No certificate with the thumbprint is in the store.</summary>
        public static readonly ErrorCode CertificateNotFoundInStore = Auth("CertificateNotFoundInStore", ErrorKind.ObjectNotFound);
        /// <summary>The certificate has no private key.</summary>
        public static readonly ErrorCode CertificateHasNoPrivateKey = Auth("CertificateHasNoPrivateKey", ErrorKind.InvalidArgument);

        // ---- a relay client certificate (-ClientCertificate, -ClientCertificatePath, ...) -------------------------

        /// <summary>-ClientCertificatePath doesn't exist.</summary>
        public static readonly ErrorCode ClientCertificateFileNotFound =
            new ErrorCode("ClientCertificateFileNotFound", ErrorKind.ObjectNotFound);
        /// <summary>-ClientCertificatePath can't be opened (password, format).</summary>
        public static readonly ErrorCode ClientCertificateFileUnreadable =
            new ErrorCode("ClientCertificateFileUnreadable", ErrorKind.InvalidArgument);
        /// <summary>-ClientCertificateThumbprint isn't 40 hexadecimal digits.</summary>
        public static readonly ErrorCode ClientCertificateThumbprintInvalid =
            new ErrorCode("ClientCertificateThumbprintInvalid", ErrorKind.InvalidArgument);
        /// <summary>-ClientCertificateThumbprint on a system without the Windows certificate store.</summary>
        public static readonly ErrorCode ClientCertificateStoreNotSupported =
            new ErrorCode("ClientCertificateStoreNotSupported", ErrorKind.InvalidOperation);
        /// <summary>No client certificate with the thumbprint is in the store.</summary>
        public static readonly ErrorCode ClientCertificateNotFoundInStore =
            new ErrorCode("ClientCertificateNotFoundInStore", ErrorKind.ObjectNotFound);
        /// <summary>The client certificate has no private key.</summary>
        public static readonly ErrorCode ClientCertificateHasNoPrivateKey =
            new ErrorCode("ClientCertificateHasNoPrivateKey", ErrorKind.InvalidArgument);
        /// <summary>-ClientCertificatePassword without -ClientCertificatePath.</summary>
        public static readonly ErrorCode ClientCertificatePasswordWithoutPath =
            new ErrorCode("ClientCertificatePasswordWithoutPath", ErrorKind.InvalidArgument);
        /// <summary>Several client certificates were given.</summary>
        public static readonly ErrorCode ClientCertificateConflict = new ErrorCode("ClientCertificateConflict", ErrorKind.InvalidArgument);

        // A certificate given for signing in belongs to the auth step; a relay client certificate doesn't (the
        // CLI's exit-code table has always treated it as "other").
        private static ErrorCode Auth(string id, ErrorKind kind) => new ErrorCode(id, kind, FailurePhase.Auth);
    }
}
