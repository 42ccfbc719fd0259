using System.Collections.Generic;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>Everything one run wrote, in order: what <see cref="OperationRunner.CollectAsync"/> returns.</summary>
    /// <typeparam name="TResult">What the operation writes.</typeparam>
    public sealed class OperationRun<TResult>
    {
        internal OperationRun(IReadOnlyList<TResult> results, IReadOnlyList<M365SmtpException> errors)
        {
            Results = results;
            Errors = errors;
        }

        /// <summary>The results.</summary>
        public IReadOnlyList<TResult> Results { get; }

        /// <summary>The per-item errors.</summary>
        public IReadOnlyList<M365SmtpException> Errors { get; }
    }
}
