using System.Collections.Generic;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>
    /// One conclusion of a Test-M365GraphSend run: what was seen (Graph's answer, the token's claims, never the token),
    /// what it means, what to do, and the commands to run. Ids are Send-M365Mail -Method Graph's for the same answer.
    /// </summary>
    public sealed class GraphTestFinding : DiagnosticFinding<GraphTestStage>
    {
        internal GraphTestFinding(string id, FindingSeverity severity, GraphTestStage stage, string evidence, string meaning,
            string remediation, IReadOnlyList<string>? commands = null)
            : base(id, severity, stage, evidence, meaning, remediation, commands)
        {
        }
    }
}
