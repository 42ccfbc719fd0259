using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace M365SmtpTools.Engine.Auth
{
    /// <summary>
    /// Which certificate a loader call is about: the parameter names the user typed (so an error names the right one),
    /// the prefix of its error ids, and what a certificate file for this use should be.
    /// </summary>
    public sealed class CertificateUse
    {
        /// <summary>The app's certificate for an app-only sign-in (-Certificate, -CertificatePath, -CertificateThumbprint).</summary>
        public static readonly CertificateUse AppSignIn = new CertificateUse("Certificate", "Certificate", CertificateCodes.App,
            "the .pfx file", "sign the client assertion",
            "Use the PFX (with its private key) or the store certificate that has one; the .cer file uploaded to the app registration " +
                "holds only the public part.");

        /// <summary>The certificate a relay client presents in TLS (-ClientCertificate, -ClientCertificatePath, ...).</summary>
        public static readonly CertificateUse RelayClient = new CertificateUse("ClientCertificate", "ClientCertificate",
            CertificateCodes.Client,
            "the .pfx file with the certificate and its private key", "be presented in TLS",
            "Use the PFX or store certificate that has its private key.");

        /// <summary>The device certificate a relay connector plan reads the name of (the public part is enough).</summary>
        public static readonly CertificateUse ConnectorPlan = new CertificateUse("Certificate", "Certificate", CertificateCodes.App,
            "the device's certificate (.pfx, .p12, .cer, .crt or .pem)", null, null);

        private CertificateUse(string parameterStem, string idPrefix, CertificateCodes codes, string fileHint, string? keyNeededTo,
            string? keyHint)
        {
            ObjectParameter = parameterStem;
            PathParameter = parameterStem + "Path";
            PasswordParameter = parameterStem + "Password";
            ThumbprintParameter = parameterStem + "Thumbprint";
            IdPrefix = idPrefix;
            Codes = codes;
            FileHint = fileHint;
            KeyNeededTo = keyNeededTo;
            KeyHint = keyHint;
        }

        /// <summary>The parameter that takes an X509Certificate2 object.</summary>
        public string ObjectParameter { get; }

        /// <summary>The parameter that takes a file path.</summary>
        public string PathParameter { get; }

        /// <summary>The parameter that takes the file's password.</summary>
        public string PasswordParameter { get; }

        /// <summary>The parameter that takes a thumbprint in the Windows store.</summary>
        public string ThumbprintParameter { get; }

        /// <summary>Error ids are this prefix and the failure: CertificateFileNotFound, ClientCertificateFileNotFound.</summary>
        public string IdPrefix { get; }

        /// <summary>The codes of this use's failures (their ids begin with <see cref="IdPrefix"/>).</summary>
        internal CertificateCodes Codes { get; }

        internal string FileHint { get; }
        internal string? KeyNeededTo { get; }
        internal string? KeyHint { get; }
    }

    /// <summary>
    /// Loads certificates from a file, the Windows certificate store or an object, with one set of checks and errors
    /// for every place a certificate is given (app-only sign-in, a relay client certificate, a connector plan).
    /// </summary>
    public static class CertificateLoader
    {
        /// <summary>The app-only sign-in certificate chosen by the options; it always has a private key and hasn't expired.</summary>
        public static X509Certificate2 Load(SmtpAuthOptions options, Func<DateTimeOffset>? clock = null)
        {
            CertificateUse use = CertificateUse.AppSignIn;
            X509Certificate2 cert;
            string parameter;
            if (options.Certificate != null) { cert = options.Certificate; parameter = use.ObjectParameter; }
            else if (!string.IsNullOrWhiteSpace(options.CertificatePath))
            { cert = FromFile(options.CertificatePath!, options.CertificatePassword, use); parameter = use.PathParameter; }
            else if (!string.IsNullOrWhiteSpace(options.CertificateThumbprint))
            { cert = FromStore(options.CertificateThumbprint!, use); parameter = use.ThumbprintParameter; }
            else throw SmtpAuthOptions.Invalid(CertificateErrorCodes.CertificateMissing, "Certificate",
                "No certificate was given.", "Give -CertificateThumbprint, -CertificatePath or -Certificate.");

            RequirePrivateKey(cert, parameter, use);
            DateTimeOffset now = (clock ?? (() => DateTimeOffset.UtcNow))();
            if (cert.NotAfter.ToUniversalTime() < now.UtcDateTime)
                throw new M365SmtpException(CertificateErrorCodes.CertificateExpired,
                    $"The certificate from -{parameter} (thumbprint {cert.Thumbprint}) expired on {cert.NotAfter.ToUniversalTime():u}; " +
                        "Entra ID would reject it (AADSTS700027).")
                {
                    TargetObject = parameter,
                    ParameterName = parameter,
                    RecommendedAction = "Create or renew the certificate, upload its public part to the app registration, and use " +
                        "the new one.",
                };
            return cert;
        }

        /// <summary>Loads a certificate file: PFX/PKCS#12 (with its password) or a DER/PEM certificate. The caller disposes it.</summary>
        public static X509Certificate2 FromFile(string path, SecureString? password, CertificateUse use)
        {
            path = path.Trim();
            if (!File.Exists(path))
                throw new M365SmtpException(use.Codes.FileNotFound, $"-{use.PathParameter} '{path}' does not exist.")
                { TargetObject = path, ParameterName = use.PathParameter, RecommendedAction = $"Give the full path of {use.FileHint}." };
            try
            {
                return password != null
                    ? new X509Certificate2(path, password, X509KeyStorageFlags.DefaultKeySet)
                    : new X509Certificate2(path, (string?)null, X509KeyStorageFlags.DefaultKeySet);
            }
            catch (CryptographicException e)
            {
                throw new M365SmtpException(use.Codes.FileUnreadable,
                    $"-{use.PathParameter} '{path}' could not be opened: the password (-{use.PasswordParameter}) is wrong or missing, " +
                        $"or the file is not a certificate (PFX/PKCS#12, .cer, .crt or .pem).", e)
                {
                    TargetObject = path,
                    ParameterName = use.PathParameter,
                    RecommendedAction = $"Check -{use.PasswordParameter}, and export the certificate again " +
                        $"({(use.KeyNeededTo != null ? "with its private key as .pfx" : "PFX with its key, or the public .cer")}).",
                };
            }
        }

        /// <summary>
        /// Finds a certificate by thumbprint in CurrentUser\My, then LocalMachine\My (Windows only). The caller disposes it.
        /// </summary>
        public static X509Certificate2 FromStore(string thumbprint, CertificateUse use, Func<bool>? isWindows = null)
        {
            // A thumbprint copied from the certificate dialog often brings spaces, colons or an invisible direction mark along.
            string clean = new string(thumbprint.Where(c => !char.IsWhiteSpace(c) && c != ':' && c != '\u200E'
                    && c != '\u200F' && c != '\uFEFF').ToArray())
                .ToUpperInvariant();
            if (clean.Length != 40 || !clean.All(Uri.IsHexDigit))
                throw new M365SmtpException(use.Codes.ThumbprintInvalid,
                    $"-{use.ThumbprintParameter} '{thumbprint}' is not a SHA-1 thumbprint (40 hexadecimal digits).")
                {
                    TargetObject = use.ThumbprintParameter,
                    ParameterName = use.ThumbprintParameter,
                    RecommendedAction = "Copy the Thumbprint from Get-ChildItem Cert:\\CurrentUser\\My or Cert:\\LocalMachine\\My.",
                };
            if (!(isWindows ?? (() => RuntimeInformation.IsOSPlatform(OSPlatform.Windows)))())
                throw new M365SmtpException(use.Codes.StoreNotSupported,
                    $"-{use.ThumbprintParameter} reads the Windows certificate store, which doesn't exist on this operating system.")
                {
                    TargetObject = use.ThumbprintParameter,
                    ParameterName = use.ThumbprintParameter,
                    RecommendedAction = $"Use -{use.PathParameter} with the certificate file (and -{use.PasswordParameter}), or pass an " +
                        $"X509Certificate2 with -{use.ObjectParameter}.",
                };
            foreach (StoreLocation location in new[] { StoreLocation.CurrentUser, StoreLocation.LocalMachine })
            {
                using var store = new X509Store(StoreName.My, location);
                try { store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly); }
                catch (CryptographicException) { continue; } // that store doesn't exist for this account
                X509Certificate2Collection found = store.Certificates.Find(X509FindType.FindByThumbprint, clean, validOnly: false);
                if (found.Count > 0) return found[0];
            }
            throw new M365SmtpException(use.Codes.NotFoundInStore,
                $"No certificate with thumbprint {clean} is in Cert:\\CurrentUser\\My or Cert:\\LocalMachine\\My.")
            {
                TargetObject = use.ThumbprintParameter,
                ParameterName = use.ThumbprintParameter,
                RecommendedAction = "Check the thumbprint (Get-ChildItem Cert:\\CurrentUser\\My), or import the PFX into the store of " +
                    "the account that runs this.",
            };
        }

        /// <summary>Refuses a certificate without its private key where the use needs one (signing, TLS client authentication).</summary>
        public static void RequirePrivateKey(X509Certificate2 cert, string parameter, CertificateUse use)
        {
            if (use.KeyNeededTo == null || cert.HasPrivateKey) return;
            throw new M365SmtpException(use.Codes.HasNoPrivateKey,
                $"The certificate from -{parameter} (thumbprint {cert.Thumbprint}, subject '{cert.Subject}') has no private key, so it " +
                    $"can't {use.KeyNeededTo}.")
            { TargetObject = parameter, ParameterName = parameter, RecommendedAction = use.KeyHint };
        }
    }
}
