using System;
using System.Globalization;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>One stage of the run: what happened and how long it took.</summary>
    public sealed class SmtpTestStageResult
    {
        internal SmtpTestStageResult(SmtpTestStage stage, SmtpTestStageStatus status, TimeSpan duration, string detail)
        {
            Stage = stage;
            Status = status;
            Duration = duration;
            Detail = detail;
        }

        /// <summary>The stage.</summary>
        public SmtpTestStage Stage { get; }

        /// <summary>Passed, Warning, Failed or Skipped.</summary>
        public SmtpTestStageStatus Status { get; internal set; }

        /// <summary>How long the stage took.</summary>
        public TimeSpan Duration { get; }

        /// <summary>What happened, in one line (the server's reply, the addresses, the TLS version…).</summary>
        public string Detail { get; internal set; }

        /// <summary>Milliseconds, for display.</summary>
        public long DurationMs => (long)Duration.TotalMilliseconds;

        /// <summary>The stage as one line: <c>Tls        Passed   41 ms  Tls13 …</c>.</summary>
        public override string ToString() =>
            string.Format(CultureInfo.InvariantCulture, "{0,-9} {1,-7} {2,6} ms  {3}", Stage, Status, DurationMs, Detail);
    }
}
