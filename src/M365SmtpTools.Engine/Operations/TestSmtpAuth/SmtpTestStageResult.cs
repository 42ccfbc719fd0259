using System;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>One stage of a Test-M365SmtpAuth run: what happened and how long it took.</summary>
    public sealed class SmtpTestStageResult : DiagnosticStageResult<SmtpTestStage>
    {
        internal SmtpTestStageResult(SmtpTestStage stage, SmtpTestStageStatus status, TimeSpan duration, string detail)
            : base(stage, status, duration, detail)
        {
        }
    }
}
