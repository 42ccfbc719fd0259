using System.Collections.Generic;
using System.IO;
using System.Security.Cryptography.X509Certificates;
using M365SmtpTools.Engine.Auth;
using M365SmtpTools.Engine.Exchange;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>
    /// The checks of a Send-M365Mail request as a whole that need nothing but the request: limits, auth parameters the
    /// method doesn't use, the relay client certificate and the transcript path. They run before anything connects.
    /// </summary>
    internal static class SendMailRequestChecks
    {
        /// <summary>-MaxRetry, -TimeoutSeconds and the pacing and connection limits are in range.</summary>
        public static void CheckLimits(SendMailRequest r)
        {
            if (r.MaxRetry < 0 || r.MaxRetry > 20)
                throw Invalid(RequestErrorCodes.MaxRetryOutOfRange, "MaxRetry",
                    $"-MaxRetry {r.MaxRetry} is outside 0-20.", "Give 0 (no retry) to 20.");
            if (r.TimeoutSeconds is int t && (t < 1 || t > 3600))
                throw Invalid(RequestErrorCodes.TimeoutOutOfRange, "TimeoutSeconds", $"-TimeoutSeconds {t} is outside 1-3600.",
                    "Give 1 to 3600 seconds, or leave it out (30 s to connect, 120 s per reply).");
            if (r.MaxMessagesPerMinute is int m && m < 1)
                throw Invalid(RequestErrorCodes.MaxMessagesPerMinuteOutOfRange, "MaxMessagesPerMinute",
                    $"-MaxMessagesPerMinute {m} is not positive.", "Give 1 or more.");
            if (r.MaxRecipientsPerDay is int d && d < 1)
                throw Invalid(RequestErrorCodes.MaxRecipientsPerDayOutOfRange, "MaxRecipientsPerDay",
                    $"-MaxRecipientsPerDay {d} is not positive.", "Give 1 or more.");
            if (r.MaxConnections is int c && (c < 1 || c > 100))
                throw Invalid(RequestErrorCodes.MaxConnectionsOutOfRange, "MaxConnections",
                    $"-MaxConnections {c} is outside 1-100.", "Give 1 (the default) to 3 for Microsoft 365.");
        }

        /// <summary>
        /// Relay and Direct Send don't authenticate: auth parameters with them are a mistake, and the app's certificate
        /// given where the connector's was meant is named as such. For ClientSubmission the auth parameters are checked.
        /// </summary>
        public static void CheckAuthApplies(SendMailRequest r)
        {
            bool auth = r.SpecifiesAuthMethod();
            if (r.Method == SendMethod.ClientSubmission)
            {
                if (auth) r.Validate();
                return;
            }
            string? appCertificate = !string.IsNullOrWhiteSpace(r.CertificatePath) ? "CertificatePath"
                : !string.IsNullOrWhiteSpace(r.CertificateThumbprint) ? "CertificateThumbprint"
                : r.Certificate != null ? "Certificate" : null;
            if (appCertificate != null)
                throw Invalid(RequestErrorCodes.AuthNotApplicable, appCertificate,
                    $"-{appCertificate} is the app's certificate for OAuth sign-in, which -Method {r.Method} doesn't use: a relay " +
                        $"connector's certificate is -Client{appCertificate}.",
                    $"Give the certificate as -Client{appCertificate}" +
                        $"{(appCertificate == "CertificatePath" ? " (with -ClientCertificatePassword)" : "")}, or use -Method " +
                        "ClientSubmission to sign in as the app.");
            if (auth)
                throw Invalid(RequestErrorCodes.AuthNotApplicable, "Method",
                    $"-Method {r.Method} doesn't authenticate (the connector matches the IP or certificate; Direct Send is anonymous), " +
                        "but auth parameters were given.",
                    "Remove the auth parameters, or use -Method ClientSubmission to authenticate.");
        }

        /// <summary>The client certificate to present in TLS (a certificate-based relay connector), or null when none is given.</summary>
        public static X509Certificate2? LoadClientCertificate(SendMailRequest r)
        {
            CertificateUse use = CertificateUse.RelayClient;
            var given = new List<string>();
            if (r.ClientCertificate != null) given.Add(use.ObjectParameter);
            if (!string.IsNullOrWhiteSpace(r.ClientCertificatePath)) given.Add(use.PathParameter);
            if (!string.IsNullOrWhiteSpace(r.ClientCertificateThumbprint)) given.Add(use.ThumbprintParameter);
            if (r.ClientCertificatePassword != null && string.IsNullOrWhiteSpace(r.ClientCertificatePath))
                throw Invalid(CertificateErrorCodes.ClientCertificatePasswordWithoutPath, use.PasswordParameter,
                    "-ClientCertificatePassword was given without -ClientCertificatePath.",
                    "Give -ClientCertificatePath, or remove the password.");
            if (given.Count == 0) return null;
            if (given.Count > 1)
                throw Invalid(CertificateErrorCodes.ClientCertificateConflict, given[1],
                    $"Several client certificates were given (-{string.Join(", -", given)}); give one.", "Keep one of them.");
            X509Certificate2 cert = r.ClientCertificate
                ?? (!string.IsNullOrWhiteSpace(r.ClientCertificatePath)
                    ? CertificateLoader.FromFile(r.ClientCertificatePath!, r.ClientCertificatePassword, use)
                    : CertificateLoader.FromStore(r.ClientCertificateThumbprint!, use));
            CertificateLoader.RequirePrivateKey(cert, given[0], use);
            return cert;
        }

        /// <summary>-TranscriptPath is a new file in an existing folder (or -Force), checked before anything is sent.</summary>
        public static void CheckTranscriptPath(SendMailRequest r)
        {
            if (string.IsNullOrWhiteSpace(r.TranscriptPath)) return;
            string? dir = Path.GetDirectoryName(Path.GetFullPath(r.TranscriptPath));
            if (dir != null && !Directory.Exists(dir))
                throw Invalid(FileErrorCodes.TranscriptFolderNotFound, "TranscriptPath", "The folder of -TranscriptPath " +
                    $"'{r.TranscriptPath}' does not exist.",
                    "Create the folder, or give a path in an existing one.");
            // An existing file, a folder or a symbolic link is refused here, before anything is sent.
            PrivateOutputFile.Check(r.TranscriptPath!, r.Force, OutputFileKind.Transcript);
        }

        /// <summary>An InvalidArgument error naming the parameter.</summary>
        public static M365SmtpException Invalid(ErrorCode code, string parameter, string message, string action) =>
            new M365SmtpException(code, ErrorKind.InvalidArgument, message)
            {
                TargetObject = parameter,
                ParameterName = parameter,
                RecommendedAction = action,
            };
    }
}
