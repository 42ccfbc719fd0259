using System.Threading;
using System.Threading.Tasks;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>
    /// The one shape of every engine operation (each cmdlet and each CLI command runs one): a request in; results and
    /// per-item errors out through <see cref="IOperationHost{TResult}"/> as soon as each is known; a thrown
    /// <see cref="M365SmtpException"/> for what stops the whole run (invalid parameters, an unusable DNS server, a failed
    /// diagnostic with -ErrorOnFailure). Each front end therefore needs one runner, whatever the operation.
    /// </summary>
    /// <typeparam name="TRequest">The request: the command's parameters, typed for the engine.</typeparam>
    /// <typeparam name="TResult">What the operation writes (zero, one or many).</typeparam>
    public interface IOperation<in TRequest, TResult>
    {
        /// <summary>Runs the request, writing results and per-item errors to <paramref name="host"/>.</summary>
        Task RunAsync(TRequest request, IOperationHost<TResult> host, CancellationToken cancellationToken);
    }
}
