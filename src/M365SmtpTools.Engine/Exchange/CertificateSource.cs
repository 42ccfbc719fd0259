using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace M365SmtpTools.Engine.Exchange
{
    /// <summary>Loads the relay certificate from a file or the Windows certificate store.</summary>
    internal static class CertificateSource
    {
        /// <summary>Loads a certificate file (PFX/PKCS#12 with a password, or DER/PEM .cer/.crt). The caller disposes it.</summary>
        public static X509Certificate2 FromFile(string path, SecureString? password)
        {
            if (!File.Exists(path))
                throw new M365SmtpException("CertificateFileNotFound", ErrorKind.ObjectNotFound, $"-CertificatePath: the file '{path}' doesn't exist.")
                { TargetObject = path, RecommendedAction = "Give the path of the device's certificate (.pfx, .p12, .cer, .crt or .pem)." };
            try
            {
                return password == null ? new X509Certificate2(path) : new X509Certificate2(path, password);
            }
            catch (CryptographicException e)
            {
                throw new M365SmtpException("CertificateLoadFailed", ErrorKind.InvalidArgument,
                    $"-CertificatePath: '{path}' couldn't be read as a certificate: the password is wrong or missing, or the file is not a certificate.", e)
                { TargetObject = path, RecommendedAction = "Check -CertificatePassword for a PFX file, or export the certificate again (PFX with its key, or the public .cer)." };
            }
        }

        /// <summary>Finds a certificate by thumbprint in CurrentUser\My, then LocalMachine\My (Windows only). The caller disposes it.</summary>
        public static X509Certificate2 FromStore(string thumbprint, Func<bool>? isWindows = null)
        {
            // Copying a thumbprint from the certificate dialog often brings an invisible left-to-right mark along.
            string clean = new string(thumbprint.Where(c => !char.IsWhiteSpace(c) && c != ':' && c != '\u200E' && c != '\u200F' && c != '\uFEFF').ToArray()).ToUpperInvariant();
            if (clean.Length != 40 || !clean.All(Uri.IsHexDigit))
                throw new M365SmtpException("InvalidCertificateThumbprint", ErrorKind.InvalidArgument,
                    $"-CertificateThumbprint '{thumbprint}' is not a SHA-1 thumbprint (40 hexadecimal digits).")
                { TargetObject = thumbprint, RecommendedAction = "Copy the Thumbprint from Get-ChildItem Cert:\\CurrentUser\\My or Cert:\\LocalMachine\\My." };
            if (!(isWindows ?? (() => RuntimeInformation.IsOSPlatform(OSPlatform.Windows)))())
                throw new M365SmtpException("CertificateStoreUnavailable", ErrorKind.InvalidOperation,
                    "-CertificateThumbprint reads the Windows certificate store, which this system doesn't have.")
                { TargetObject = thumbprint, RecommendedAction = "Use -CertificatePath with the certificate file, or -Certificate with an X509Certificate2 object." };
            foreach (StoreLocation location in new[] { StoreLocation.CurrentUser, StoreLocation.LocalMachine })
            {
                using var store = new X509Store(StoreName.My, location);
                try { store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly); }
                catch (CryptographicException) { continue; } // that store doesn't exist for this account
                X509Certificate2Collection found = store.Certificates.Find(X509FindType.FindByThumbprint, clean, validOnly: false);
                if (found.Count > 0) return found[0];
            }
            throw new M365SmtpException("CertificateNotFound", ErrorKind.ObjectNotFound,
                $"No certificate with thumbprint {clean} is in Cert:\\CurrentUser\\My or Cert:\\LocalMachine\\My.")
            { TargetObject = thumbprint, RecommendedAction = "Check the thumbprint with Get-ChildItem Cert:\\CurrentUser\\My, or use -CertificatePath." };
        }
    }
}
