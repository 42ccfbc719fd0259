using System.Collections.Generic;
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

        /// <summary>The MX records of <paramref name="domain"/> (host without the trailing dot, preference); empty when there are none.</summary>
        Task<IReadOnlyList<(string Host, int Preference)>> GetMxAsync(string domain, CancellationToken cancellationToken);
    }

    /// <summary>Where the plans get their default <see cref="IMailDomainLookup"/> from.</summary>
    public static class MailDomainLookup
    {
        /// <summary>
        /// The lookup used when an operation is created without one: <paramref name="dnsServer"/> as <c>host[:port]</c>
        /// (null = the system's resolvers), <paramref name="log"/> for verbose lines.
        /// </summary>
        public static IMailDomainLookup Create(string? dnsServer, System.Action<string>? log) => new UnavailableLookup();

        // Placeholder until the DNS client is wired in: every question fails, so the plans report "DNS not checked".
        private sealed class UnavailableLookup : IMailDomainLookup
        {
            public Task<IReadOnlyList<string>> GetTxtRecordsAsync(string name, CancellationToken cancellationToken) => throw Unavailable(name);
            public Task<IReadOnlyList<(string Host, int Preference)>> GetMxAsync(string domain, CancellationToken cancellationToken) => throw Unavailable(domain);
            private static M365SmtpException Unavailable(string name) =>
                new M365SmtpException("DnsLookupUnavailable", ErrorKind.ResourceUnavailable, $"DNS lookups are not available in this build, so {name} was not looked up.")
                { TargetObject = name, RecommendedAction = "Run Get-M365MxEndpoint and Test-M365MailDomain for the domain." };
        }
    }
}
