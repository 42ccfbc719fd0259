using System.Threading;
using System.Threading.Tasks;
using M365SmtpTools.Engine.Auth;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>Disconnect-M365Smtp: removes connections and clears their in-memory token caches.</summary>
    public sealed class DisconnectSmtpOperation : IOperation<DisconnectSmtpRequest, SmtpConnection>
    {
        private readonly SmtpConnectionRegistry _registry;

        /// <summary>Creates the operation over a registry (default: the process's).</summary>
        public DisconnectSmtpOperation(SmtpConnectionRegistry? registry = null) => _registry = registry ?? SmtpConnectionRegistry.Default;

        /// <summary>
        /// Removes the matching connections (asking ShouldProcess for each) and writes those removed; a name without
        /// wildcards that matched nothing is a ConnectionNotFound error.
        /// </summary>
        public Task RunAsync(DisconnectSmtpRequest request, IOperationHost<SmtpConnection> host, CancellationToken cancellationToken)
        {
            GetSmtpConnectionOperation.Query(_registry, request.Name, remove: true, host);
            return Task.CompletedTask;
        }
    }
}
