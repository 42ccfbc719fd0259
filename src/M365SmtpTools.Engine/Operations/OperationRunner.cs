using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>
    /// The runner for C# callers (scripts embedding the engine, the tests, the benchmarks): runs an operation and
    /// collects what it writes. The cmdlets and the CLI have runners of their own that stream instead.
    /// </summary>
    public static class OperationRunner
    {
        /// <summary>Runs the operation and returns every result and per-item error it wrote.</summary>
        public static async Task<OperationRun<TResult>> CollectAsync<TRequest, TResult>(this IOperation<TRequest, TResult> operation,
            TRequest request, IOperationHost? host = null, CancellationToken cancellationToken = default)
        {
            if (operation == null) throw new ArgumentNullException(nameof(operation));
            var results = new List<TResult>();
            var errors = new List<M365SmtpException>();
            var gate = new object();
            var collector = new OperationHost<TResult>(host ?? NullOperationHost.Instance,
                r => { lock (gate) results.Add(r); }, e => { lock (gate) errors.Add(e); });
            await operation.RunAsync(request, collector, cancellationToken).ConfigureAwait(false);
            return new OperationRun<TResult>(results, errors);
        }

        /// <summary>
        /// Runs an operation that writes one result (a connection, a plan, a report, one message's send result) and
        /// returns it; a per-item error it wrote is thrown (use <see cref="CollectAsync"/> to see both).
        /// </summary>
        public static async Task<TResult> RunForResultAsync<TRequest, TResult>(this IOperation<TRequest, TResult> operation,
            TRequest request, IOperationHost? host = null, CancellationToken cancellationToken = default)
        {
            OperationRun<TResult> run = await CollectAsync(operation, request, host, cancellationToken).ConfigureAwait(false);
            if (run.Errors.Count > 0) throw run.Errors[0];
            if (run.Results.Count != 1)
                throw new InvalidOperationException($"The operation wrote {run.Results.Count} results where one was expected.");
            return run.Results[0];
        }
    }
}
