using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace M365SmtpTools.Engine.Auth
{
    /// <summary>Finds the certificate of an app-only sign-in: from the Windows store, a PFX file, or an object.</summary>
    public static class CertificateLoader
    {
        /// <summary>The certificate chosen by the options; it always has a private key.</summary>
        public static X509Certificate2 Load(SmtpAuthOptions options, Func<DateTimeOffset>? clock = null)
        {
            X509Certificate2 cert;
            string parameter;
            if (options.Certificate != null) { cert = options.Certificate; parameter = "Certificate"; }
            else if (!string.IsNullOrWhiteSpace(options.CertificatePath)) { cert = FromFile(options); parameter = "CertificatePath"; }
            else if (!string.IsNullOrWhiteSpace(options.CertificateThumbprint)) { cert = FromStore(options.CertificateThumbprint!); parameter = "CertificateThumbprint"; }
            else throw SmtpAuthOptions.Invalid("CertificateMissing", "Certificate", "No certificate was given.", "Give -CertificateThumbprint, -CertificatePath or -Certificate.");

            if (!cert.HasPrivateKey)
                throw new M365SmtpException("CertificateHasNoPrivateKey", ErrorKind.InvalidArgument,
                    $"The certificate from -{parameter} (thumbprint {cert.Thumbprint}, subject '{cert.Subject}') has no private key, so it can't sign the client assertion.")
                { TargetObject = parameter, RecommendedAction = "Use the PFX (with its private key) or the store certificate that has one; the .cer file uploaded to the app registration holds only the public part." };
            DateTimeOffset now = (clock ?? (() => DateTimeOffset.UtcNow))();
            if (cert.NotAfter.ToUniversalTime() < now.UtcDateTime)
                throw new M365SmtpException("CertificateExpired", ErrorKind.SecurityError,
                    $"The certificate from -{parameter} (thumbprint {cert.Thumbprint}) expired on {cert.NotAfter.ToUniversalTime():u}; Entra ID would reject it (AADSTS700027).")
                { TargetObject = parameter, RecommendedAction = "Create or renew the certificate, upload its public part to the app registration, and use the new one." };
            return cert;
        }

        private static X509Certificate2 FromFile(SmtpAuthOptions options)
        {
            string path = options.CertificatePath!.Trim();
            if (!File.Exists(path))
                throw new M365SmtpException("CertificateFileNotFound", ErrorKind.ObjectNotFound, $"-CertificatePath '{path}' does not exist.")
                { TargetObject = path, RecommendedAction = "Give the full path of the .pfx file." };
            try
            {
                return options.CertificatePassword != null
                    ? new X509Certificate2(path, options.CertificatePassword, X509KeyStorageFlags.DefaultKeySet)
                    : new X509Certificate2(path, (string?)null, X509KeyStorageFlags.DefaultKeySet);
            }
            catch (CryptographicException e)
            {
                throw new M365SmtpException("CertificateFileUnreadable", ErrorKind.InvalidArgument,
                    $"-CertificatePath '{path}' could not be opened: the password (-CertificatePassword) is wrong or missing, or the file is not a PFX/PKCS#12 file.", e)
                { TargetObject = path, RecommendedAction = "Check -CertificatePassword, and export the certificate with its private key as .pfx." };
            }
        }

        private static X509Certificate2 FromStore(string thumbprint)
        {
            string t = thumbprint.Replace(" ", "").Replace(":", "").Trim();
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
                throw new M365SmtpException("CertificateStoreNotSupported", ErrorKind.InvalidOperation,
                    "-CertificateThumbprint reads the Windows certificate store, which doesn't exist on this operating system.")
                { TargetObject = "CertificateThumbprint", RecommendedAction = "Use -CertificatePath with a .pfx file (and -CertificatePassword), or pass an X509Certificate2 with -Certificate." };
            foreach (StoreLocation location in new[] { StoreLocation.CurrentUser, StoreLocation.LocalMachine })
            {
                using var store = new X509Store(StoreName.My, location);
                store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly);
                X509Certificate2Collection found = store.Certificates.Find(X509FindType.FindByThumbprint, t, validOnly: false);
                if (found.Count > 0) return found[0];
            }
            throw new M365SmtpException("CertificateNotFoundInStore", ErrorKind.ObjectNotFound,
                $"No certificate with thumbprint {t} is in Cert:\\CurrentUser\\My or Cert:\\LocalMachine\\My.")
            { TargetObject = "CertificateThumbprint", RecommendedAction = "Check the thumbprint (Get-ChildItem Cert:\\CurrentUser\\My), or import the PFX into the store of the account that runs this." };
        }
    }
}
