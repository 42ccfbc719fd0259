using System;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>One stage of a Test-M365GraphSend run: what happened and how long it took.</summary>
    public sealed class GraphTestStageResult : DiagnosticStageResult<GraphTestStage>
    {
        internal GraphTestStageResult(GraphTestStage stage, SmtpTestStageStatus status, TimeSpan duration, string detail)
            : base(stage, status, duration, detail)
        {
        }
    }
}
