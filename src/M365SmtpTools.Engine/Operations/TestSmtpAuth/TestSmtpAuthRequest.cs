using System;
using M365SmtpTools.Engine.Auth;
using M365SmtpTools.Engine.Smtp;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>
    /// The parameters of Test-M365SmtpAuth: the auth options of Connect-M365Smtp (none = the session's connection),
    /// where to connect, how far to go, and what to return.
    /// </summary>
    public sealed class TestSmtpAuthRequest : SmtpAuthOptions
    {
        /// <summary>The SMTP server; default the session connection's server, else the cloud's submission host
        /// (smtp.office365.com).</summary>
        public string? SmtpServer { get; set; }

        /// <summary>The port; 0 (default) = the session connection's port, else 587.</summary>
        public int Port { get; set; }

        /// <summary>The session connection to use when no auth parameters are given (default: Default).</summary>
        public string? ConnectionName { get; set; }

        /// <summary>The MAIL FROM address; default the authenticating mailbox. Giving it runs the MAIL FROM stage.</summary>
        public string? From { get; set; }

        /// <summary>Recipients for RCPT TO (and the test message). Giving them runs the RCPT TO stage.</summary>
        public string[]? To { get; set; }

        /// <summary>Where to stop; default: after AUTH, or after MAIL FROM / RCPT TO when -From / -To are given.</summary>
        public SmtpTestStopAfter? StopAfter { get; set; }

        /// <summary>Go all the way and send a short test message to <see cref="To"/>.</summary>
        public bool SendTestMessage { get; set; }

        /// <summary>The SASL mechanism (default: the best offered for the credential: XOAUTH2 for tokens, PLAIN/LOGIN for
        /// passwords).</summary>
        public SmtpAuthMechanism Mechanism { get; set; } = SmtpAuthMechanism.Auto;

        /// <summary>How long connecting and each reply may take, in seconds (default 30).</summary>
        public int TimeoutSeconds { get; set; } = 30;

        /// <summary>
        /// Issuer name fragments expected on a Microsoft 365 server certificate (default:
        /// <see cref="Exchange.MicrosoftCertificateIssuers.Default"/>); any other issuer is reported as likely TLS interception.
        /// </summary>
        public string[]? ExpectedIssuer { get; set; }

        /// <summary>The app is authorized through Exchange App RBAC, so an app-only token without SMTP.SendAsApp is expected.</summary>
        public bool AppRbac { get; set; }

        /// <summary>Try Basic authentication against Microsoft 365 even after its final removal date.</summary>
        public bool AllowRetiredBasicAuth { get; set; }

        /// <summary>Add the protocol transcript (secrets redacted) to the report.</summary>
        public bool Transcript { get; set; }

        /// <summary>With <see cref="ErrorOnFailure"/>: also write the report when the test fails.</summary>
        public bool PassThru { get; set; }

        /// <summary>A failed test is an error (<see cref="SmtpAuthTestFailedException"/>) whose message is the first finding.</summary>
        public bool ErrorOnFailure { get; set; }
    }

    /// <summary>Test-M365SmtpAuth -ErrorOnFailure: the test failed. The message is the first finding; the report is attached.</summary>
    public sealed class SmtpAuthTestFailedException : DiagnosticTestFailedException
    {
        internal SmtpAuthTestFailedException(SmtpAuthTestReport report, SmtpTestFinding? first, ErrorKind kind)
            : base(DiagnosticErrorCodes.SmtpAuthTestFailed, kind,
                first != null
                    ? $"Test-M365SmtpAuth failed at {report.FailedStage?.ToString() ?? first.Stage.ToString()} against {report.Target}: " +
                        $"{first.Id}: {first.Meaning} Evidence: {first.Evidence}"
                    : $"Test-M365SmtpAuth failed against {report.Target}.",
                report, first?.Remediation, first?.Commands ?? Array.Empty<string>())
        {
            Report = report;
        }

        /// <summary>The full report.</summary>
        public SmtpAuthTestReport Report { get; }
    }
}
