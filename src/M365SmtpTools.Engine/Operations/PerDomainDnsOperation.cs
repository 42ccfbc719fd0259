using System;
using System.Threading;
using System.Threading.Tasks;
using M365SmtpTools.Engine.Dns;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>The parameters every per-domain DNS command takes (Get-M365MxEndpoint, Test-M365MailDomain).</summary>
    public interface IDnsDomainRequest
    {
        /// <summary>The domains, in order.</summary>
        string[] Domain { get; }

        /// <summary>The DNS server, or null for the system's resolvers.</summary>
        string? DnsServer { get; }

        /// <summary>Seconds per DNS query, or null for the default.</summary>
        int? TimeoutSeconds { get; }
    }

    /// <summary>
    /// A command that looks each of its domains up in DNS: one resolver for the run, the domains in order, results
    /// streamed as each domain is done, and a domain that can't be answered reported as that domain's error (the next
    /// domain goes on). Only what stops every domain (an invalid DNS server or timeout) is thrown.
    /// </summary>
    /// <typeparam name="TRequest">The command's request.</typeparam>
    /// <typeparam name="TResult">What it writes per domain (a report, or one result per record).</typeparam>
    public abstract class PerDomainDnsOperation<TRequest, TResult> : IOperation<TRequest, TResult> where TRequest : class, IDnsDomainRequest
    {
        private readonly Func<TRequest, Action<string>, IDnsResolver>? _resolverFactory;

        /// <summary>Asks DNS with <see cref="DnsClient"/>.</summary>
        private protected PerDomainDnsOperation()
        {
        }

        /// <summary>Asks DNS with another resolver (tests, C# callers with their own DNS).</summary>
        private protected PerDomainDnsOperation(Func<TRequest, Action<string>, IDnsResolver> resolverFactory) =>
            _resolverFactory = resolverFactory ?? throw new ArgumentNullException(nameof(resolverFactory));

        /// <summary>
        /// Runs the request: each result is written as soon as its domain is answered, and one error per domain that
        /// can't be reported on, with the domain as target.
        /// </summary>
        public async Task RunAsync(TRequest request, IOperationHost<TResult> host, CancellationToken cancellationToken)
        {
            if (request == null) throw new ArgumentNullException(nameof(request));
            if (host == null) throw new ArgumentNullException(nameof(host));
            DnsClient.ValidateTimeoutSeconds(request.TimeoutSeconds);

            IDnsResolver resolver = _resolverFactory != null
                ? _resolverFactory(request, host.WriteVerbose)
                : DnsClient.Create(request.DnsServer, request.TimeoutSeconds, host.WriteVerbose);

            foreach (string input in request.Domain ?? new string[0])
            {
                cancellationToken.ThrowIfCancellationRequested();
                try
                {
                    await RunDomainAsync(input, request, resolver, host, cancellationToken).ConfigureAwait(false);
                }
                catch (DnsException e) when (IsDomainError(e))
                {
                    e.TargetObject = input;
                    host.WriteError(e);
                }
            }
        }

        /// <summary>Looks one domain up and writes what it finds.</summary>
        private protected abstract Task RunDomainAsync(string input, TRequest request, IDnsResolver dns, IOperationHost<TResult> host,
            CancellationToken ct);

        /// <summary>True for a DNS failure that is this domain's error (reported, then the next domain), not the run's.</summary>
        private protected abstract bool IsDomainError(DnsException e);
    }
}
