using System;
using System.Globalization;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>One stage of a diagnostic run: what happened and how long it took. Each command has its own sealed type.</summary>
    /// <typeparam name="TStage">The command's stages.</typeparam>
    public abstract class DiagnosticStageResult<TStage> where TStage : struct, Enum
    {
        private protected DiagnosticStageResult(TStage stage, SmtpTestStageStatus status, TimeSpan duration, string detail)
        {
            Stage = stage;
            Status = status;
            Duration = duration;
            Detail = detail;
        }

        /// <summary>The stage.</summary>
        public TStage Stage { get; }

        /// <summary>Passed, Warning, Failed or Skipped.</summary>
        public SmtpTestStageStatus Status { get; internal set; }

        /// <summary>How long the stage took.</summary>
        public TimeSpan Duration { get; }

        /// <summary>What happened, in one line (the server's reply, the TLS version, Graph's answer, the token's audience…).</summary>
        public string Detail { get; internal set; }

        /// <summary>Milliseconds, for display.</summary>
        public long DurationMs => (long)Duration.TotalMilliseconds;

        /// <summary>The stage as one line: <c>Tls       Passed     41 ms  Tls13 …</c>.</summary>
        public override string ToString() =>
            string.Format(CultureInfo.InvariantCulture, "{0,-9} {1,-7} {2,6} ms  {3}", Stage, Status, DurationMs, Detail);
    }
}
