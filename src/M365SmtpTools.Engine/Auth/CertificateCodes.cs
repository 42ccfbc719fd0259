namespace M365SmtpTools.Engine.Auth
{
    /// <summary>The codes of one <see cref="CertificateUse"/>'s loading failures (the same failures, named for its parameters).</summary>
    internal sealed class CertificateCodes
    {
        internal static readonly CertificateCodes App = new CertificateCodes(
            CertificateErrorCodes.CertificateFileNotFound, CertificateErrorCodes.CertificateFileUnreadable,
            CertificateErrorCodes.CertificateThumbprintInvalid, CertificateErrorCodes.CertificateStoreNotSupported,
            CertificateErrorCodes.CertificateNotFoundInStore, CertificateErrorCodes.CertificateHasNoPrivateKey);

        internal static readonly CertificateCodes Client = new CertificateCodes(
            CertificateErrorCodes.ClientCertificateFileNotFound, CertificateErrorCodes.ClientCertificateFileUnreadable,
            CertificateErrorCodes.ClientCertificateThumbprintInvalid, CertificateErrorCodes.ClientCertificateStoreNotSupported,
            CertificateErrorCodes.ClientCertificateNotFoundInStore, CertificateErrorCodes.ClientCertificateHasNoPrivateKey);

        private CertificateCodes(ErrorCode fileNotFound, ErrorCode fileUnreadable, ErrorCode thumbprintInvalid, ErrorCode storeNotSupported,
            ErrorCode notFoundInStore, ErrorCode hasNoPrivateKey)
        {
            FileNotFound = fileNotFound;
            FileUnreadable = fileUnreadable;
            ThumbprintInvalid = thumbprintInvalid;
            StoreNotSupported = storeNotSupported;
            NotFoundInStore = notFoundInStore;
            HasNoPrivateKey = hasNoPrivateKey;
        }

        public ErrorCode FileNotFound { get; }
        public ErrorCode FileUnreadable { get; }
        public ErrorCode ThumbprintInvalid { get; }
        public ErrorCode StoreNotSupported { get; }
        public ErrorCode NotFoundInStore { get; }
        public ErrorCode HasNoPrivateKey { get; }
    }
}
