using System;
using System.Collections.Generic;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>
    /// A diagnostic run with -ErrorOnFailure that failed: the message is the first finding, the recommended action its
    /// fix and commands, and the whole report is attached (also as the error's target).
    /// </summary>
    public abstract class DiagnosticTestFailedException : M365SmtpException
    {
        private protected DiagnosticTestFailedException(ErrorCode code, ErrorKind kind, string message, object report, string? remediation,
            IReadOnlyCollection<string> commands)
            : base(code, kind, message)
        {
            DiagnosticReport = report ?? throw new ArgumentNullException(nameof(report));
            TargetObject = report;
            RecommendedAction = remediation == null
                ? null
                : remediation + (commands.Count > 0 ? " Run: " + string.Join(" ; ", commands) : "");
        }

        /// <summary>The full report of the run.</summary>
        public object DiagnosticReport { get; }
    }
}
