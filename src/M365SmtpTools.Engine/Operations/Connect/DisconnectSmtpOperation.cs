using System.Threading;
using System.Threading.Tasks;
using M365SmtpTools.Engine.Auth;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>Disconnect-M365Smtp: removes connections and clears their in-memory token caches.</summary>
    public sealed class DisconnectSmtpOperation
    {
        private readonly SmtpConnectionRegistry _registry;

        /// <summary>Creates the operation over a registry (default: the process's).</summary>
        public DisconnectSmtpOperation(SmtpConnectionRegistry? registry = null) => _registry = registry ?? SmtpConnectionRegistry.Default;

        /// <summary>Removes the matching connections (asking ShouldProcess for each); returns those removed.</summary>
        public Task<SmtpConnectionQueryResult> RunAsync(DisconnectSmtpRequest request, IOperationHost host, CancellationToken cancellationToken) =>
            Task.FromResult(GetSmtpConnectionOperation.Query(_registry, request.Name, remove: true, host));
    }
}
