using System;
using System.Globalization;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>One stage of a Test-M365GraphSend run: what happened and how long it took.</summary>
    public sealed class GraphTestStageResult
    {
        internal GraphTestStageResult(GraphTestStage stage, SmtpTestStageStatus status, TimeSpan duration, string detail)
        {
            Stage = stage;
            Status = status;
            Duration = duration;
            Detail = detail;
        }

        /// <summary>The stage.</summary>
        public GraphTestStage Stage { get; }

        /// <summary>Passed, Warning, Failed or Skipped.</summary>
        public SmtpTestStageStatus Status { get; internal set; }

        /// <summary>How long the stage took.</summary>
        public TimeSpan Duration { get; }

        /// <summary>What happened, in one line (Graph's answer, the token's audience…).</summary>
        public string Detail { get; internal set; }

        /// <summary>Milliseconds, for display.</summary>
        public long DurationMs => (long)Duration.TotalMilliseconds;

        /// <summary>The stage as one line: <c>Mailbox   Passed     52 ms  400 ErrorInvalidRecipients …</c>.</summary>
        public override string ToString() =>
            string.Format(CultureInfo.InvariantCulture, "{0,-9} {1,-7} {2,6} ms  {3}", Stage, Status, DurationMs, Detail);
    }
}
