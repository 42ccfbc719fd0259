using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace M365SmtpTools.Engine.Dns
{
    /// <summary>
    /// The two DNS facts the plans need about a mail domain: its TXT records and its MX hosts. The DNS client implements
    /// it for real; tests give a fake. Failures are thrown as <see cref="M365SmtpException"/> (for example
    /// <c>DnsNameNotFound</c> for NXDOMAIN, <c>DnsTimeout</c>), which the plans turn into findings.
    /// </summary>
    public interface IMailDomainLookup
    {
        /// <summary>The TXT records of <paramref name="name"/>, each with its strings already joined; empty when there are none.</summary>
        Task<IReadOnlyList<string>> GetTxtRecordsAsync(string name, CancellationToken cancellationToken);

        /// <summary>
        /// The MX records of <paramref name="domain"/> (host without the trailing dot, preference); empty when there are none.
        /// </summary>
        Task<IReadOnlyList<(string Host, int Preference)>> GetMxAsync(string domain, CancellationToken cancellationToken);
    }

    /// <summary>Where the plans get their default <see cref="IMailDomainLookup"/> from.</summary>
    public static class MailDomainLookup
    {
        /// <summary>
        /// The lookup used when an operation is created without one: the DNS client asking <paramref name="dnsServer"/>
        /// (<c>host[:port]</c>; null = the system's resolvers), logging each query to <paramref name="log"/>. An invalid
        /// server throws <c>InvalidDnsServer</c> here.
        /// </summary>
        public static IMailDomainLookup Create(string? dnsServer, Action<string>? log) =>
            new DnsMailDomainLookup(DnsClient.Create(dnsServer, null, log));
    }

    /// <summary>
    /// The <see cref="IMailDomainLookup"/> over a DNS resolver: TXT strings joined, null MX records left out, NXDOMAIN thrown
    /// as <c>DnsNameNotFound</c>.
    /// </summary>
    public sealed class DnsMailDomainLookup : IMailDomainLookup
    {
        private readonly IDnsResolver _resolver;

        /// <summary>Creates the lookup over <paramref name="resolver"/>.</summary>
        public DnsMailDomainLookup(IDnsResolver resolver) => _resolver = resolver ?? throw new ArgumentNullException(nameof(resolver));

        /// <inheritdoc />
        public async Task<IReadOnlyList<string>> GetTxtRecordsAsync(string name, CancellationToken cancellationToken)
        {
            DnsAnswer answer = await _resolver.QueryAsync(name, DnsRecordType.TXT, cancellationToken).ConfigureAwait(false);
            if (answer.IsNameError) throw DnsClient.NameNotFound(answer);
            return answer.Records.OfType<TxtRecord>().Select(r => r.Text).ToList();
        }

        /// <inheritdoc />
        public async Task<IReadOnlyList<(string Host, int Preference)>> GetMxAsync(string domain, CancellationToken cancellationToken)
        {
            DnsAnswer answer = await _resolver.QueryAsync(domain, DnsRecordType.MX, cancellationToken).ConfigureAwait(false);
            if (answer.IsNameError) throw DnsClient.NameNotFound(answer);
            return answer.Records.OfType<MxRecord>().Where(r => r.Exchange.Length > 0)
                .Select(r => (r.Exchange, (int)r.Preference)).ToList();
        }
    }
}
