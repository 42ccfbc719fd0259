using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>What the staged tests' reports (Test-M365SmtpAuth, Test-M365GraphSend) say the same way.</summary>
    internal static class DiagnosticReportText
    {
        /// <summary>The most serious finding's id and meaning (findings come most serious first), or "All stages passed.".</summary>
        public static string Summary<TStage>(IEnumerable<DiagnosticFinding<TStage>> findings, SmtpTestOutcome overall)
            where TStage : struct, Enum
        {
            DiagnosticFinding<TStage>? first = findings.FirstOrDefault(f => f.Severity != FindingSeverity.Information);
            if (first != null) return $"{first.Id}: {first.Meaning}";
            return overall == SmtpTestOutcome.Passed ? "All stages passed." : overall.ToString();
        }

        /// <summary>The Findings block of a report's text: each finding with its evidence, meaning, fix and commands.</summary>
        public static void AppendFindings<TStage>(StringBuilder b, IReadOnlyCollection<DiagnosticFinding<TStage>> findings)
            where TStage : struct, Enum
        {
            b.AppendLine("Findings  :");
            if (findings.Count == 0) b.AppendLine("  (none)");
            foreach (DiagnosticFinding<TStage> f in findings)
            {
                b.Append("  [").Append(f.Severity).Append("] ").Append(f.Id).Append(" (").Append(f.Stage).AppendLine(")");
                b.Append("    Evidence    : ").AppendLine(f.Evidence);
                b.Append("    Meaning     : ").AppendLine(f.Meaning);
                b.Append("    Remediation : ").AppendLine(f.Remediation);
                foreach (string c in f.Commands) b.Append("    > ").AppendLine(c);
            }
        }
    }
}
