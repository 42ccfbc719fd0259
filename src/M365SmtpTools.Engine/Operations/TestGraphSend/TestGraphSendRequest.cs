using System;
using M365SmtpTools.Engine.Auth;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>
    /// The parameters of Test-M365GraphSend: the auth options of Send-M365Mail -Method Graph, the mailbox (-UserName,
    /// else -From), whether to send a real test message, and what to return.
    /// </summary>
    public sealed class TestGraphSendRequest : SmtpAuthOptions
    {
        /// <summary>The From address; default the mailbox. Another address needs Send As (or Send on Behalf) on it.</summary>
        public string? From { get; set; }

        /// <summary>Recipients of the test message (-SendTestMessage); default the mailbox itself.</summary>
        public string[]? To { get; set; }

        /// <summary>After the checks, send one real test message (asks ShouldProcess first).</summary>
        public bool SendTestMessage { get; set; }

        /// <summary>The https:// base address instead of the cloud's Graph host (private endpoints, test servers).</summary>
        public string? GraphEndpoint { get; set; }

        /// <summary>Don't validate the server's TLS certificate (test servers given with <see cref="GraphEndpoint"/> only).</summary>
        public bool SkipCertificateValidation { get; set; }

        /// <summary>How long each Graph request may take, in seconds (default 30).</summary>
        public int TimeoutSeconds { get; set; } = 30;

        /// <summary>The app is authorized through RBAC for Applications ('Application Mail.Send'), so an app-only token without the
        /// Mail.Send role is expected.</summary>
        public bool AppRbac { get; set; }

        /// <summary>With <see cref="ErrorOnFailure"/>: also write the report when the test fails.</summary>
        public bool PassThru { get; set; }

        /// <summary>A failed test is an error (<see cref="GraphSendTestFailedException"/>) whose message is the first finding.</summary>
        public bool ErrorOnFailure { get; set; }
    }

    /// <summary>Test-M365GraphSend -ErrorOnFailure: the test failed. The message is the first finding; the report is attached.</summary>
    public sealed class GraphSendTestFailedException : DiagnosticTestFailedException
    {
        internal GraphSendTestFailedException(GraphSendTestReport report, GraphTestFinding? first, ErrorKind kind)
            : base(DiagnosticErrorCodes.GraphSendTestFailed, kind,
                first != null
                    ? $"Test-M365GraphSend failed at {report.FailedStage?.ToString() ?? first.Stage.ToString()} for " +
                        $"{report.Mailbox ?? report.Endpoint}: {first.Id}: {first.Meaning} Evidence: {first.Evidence}"
                    : $"Test-M365GraphSend failed for {report.Mailbox ?? report.Endpoint}.",
                report, first?.Remediation, first?.Commands ?? Array.Empty<string>())
        {
            Report = report;
        }

        /// <summary>The full report.</summary>
        public GraphSendTestReport Report { get; }
    }
}
