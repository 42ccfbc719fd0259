using System.Collections.Generic;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>
    /// One conclusion of a Test-M365SmtpAuth run: what was seen (the exact reply), what it means, and what to do, with
    /// the exact Exchange Online / Entra ID commands to paste. Ids are the reply catalogue's for server replies.
    /// </summary>
    public sealed class SmtpTestFinding : DiagnosticFinding<SmtpTestStage>
    {
        internal SmtpTestFinding(string id, FindingSeverity severity, SmtpTestStage stage, string evidence, string meaning,
            string remediation, IReadOnlyList<string>? commands = null)
            : base(id, severity, stage, evidence, meaning, remediation, commands)
        {
        }
    }
}
