using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using M365SmtpTools.Engine.Dns;
using M365SmtpTools.Engine.Exchange;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>
    /// Get-M365MxEndpoint: reads each domain's MX records and says which are Microsoft 365 endpoints, in which form.
    /// Results stream per record; a failure for one domain is reported through the error callback and the next domain
    /// goes on.
    /// </summary>
    public sealed class GetMxEndpointOperation : PerDomainDnsOperation<GetMxEndpointRequest, MxEndpointResult>
    {
        /// <summary>Creates the operation; it asks DNS with <see cref="DnsClient"/>.</summary>
        public GetMxEndpointOperation()
        {
        }

        /// <summary>Creates the operation with another resolver (tests, C# callers with their own DNS).</summary>
        public GetMxEndpointOperation(Func<GetMxEndpointRequest, Action<string>, IDnsResolver> resolverFactory)
            : base(resolverFactory)
        {
        }

        // Every failure of one domain (invalid name, NXDOMAIN, no MX, timeout, server failure) is that domain's error;
        // only an unusable DNS server stops the run.
        private protected override bool IsDomainError(DnsException e) =>
            e.Code != DnsErrorCodes.InvalidDnsServer && e.Code != DnsErrorCodes.NoDnsServers;

        private protected override async Task RunDomainAsync(string input, GetMxEndpointRequest request, IDnsResolver dns,
            IOperationHost<MxEndpointResult> host, CancellationToken ct)
        {
            foreach (MxEndpointResult r in await LookupAsync(input, request.IncludeDerivedGuess, dns, host, ct).ConfigureAwait(false))
                host.WriteResult(r);
        }

        private static async Task<List<MxEndpointResult>> LookupAsync(string input, bool includeGuess, IDnsResolver resolver,
            IOperationHost<MxEndpointResult> host, CancellationToken ct)
        {
            string domain = DnsName.Normalize(input);
            DnsAnswer answer = await resolver.QueryAsync(domain, DnsRecordType.MX, ct).ConfigureAwait(false);
            if (answer.IsNameError) throw DnsClient.NameNotFound(answer);
            var results = new List<MxEndpointResult>();
            List<MxRecord> records = answer.Records.OfType<MxRecord>().OrderBy(r => r.Preference)
                .ThenBy(r => r.Exchange, StringComparer.Ordinal).ToList();
            host.WriteVerbose($"{domain}: {records.Count} MX record(s) from {answer.Server}{(answer.ViaTcp ? " (over TCP after a truncated UDP answer)" : "")}.");
            if (records.Count == 0)
            {
                string guess = MxEndpointClassifier.DeriveLegacyEndpoint(domain);
                bool reliable = MxEndpointClassifier.IsDerivationReliable(domain);
                host.WriteError(new DnsException(DnsErrorCodes.NoMxRecords,
                    $"{domain} has no MX records (asked {answer.Server}), so mail for it can't be delivered and there is no Microsoft " +
                        "365 endpoint to read.")
                {
                    TargetObject = input,
                    QueryName = domain,
                    QueryType = DnsRecordType.MX,
                    Server = answer.Server,
                    RecommendedAction = "If the domain is an accepted domain in Microsoft 365, publish the MX record shown in the " +
                        "Microsoft 365 admin center (Settings > Domains). "
                        + $"The usual legacy endpoint would be {guess}"
                        + $"{(reliable ? "" : ", but that guess is unreliable for a domain with hyphens")}; "
                        + "use -IncludeDerivedGuess to output it.",
                });
                if (includeGuess)
                {
                    results.Add(new MxEndpointResult
                    {
                        Domain = domain,
                        MxHost = guess,
                        IsMicrosoft365 = true,
                        EndpointForm = MxEndpointForm.DerivedGuess,
                        IsGuess = true,
                        TenantLabel = guess.Substring(0, guess.IndexOf('.')),
                        DnsServer = answer.Server,
                        Note = reliable
                            ? "Derived from the domain name (dots to dashes), not read from DNS: confirm it in the Microsoft 365 " +
                                "admin center."
                            : "Derived from the domain name, not read from DNS, and unreliable: domains with hyphens get a different " +
                                "label (hyphens dropped, a suffix added). Read it from the Microsoft 365 admin center.",
                    });
                }
                return results;
            }
            foreach (MxRecord mx in records)
            {
                if (mx.Exchange.Length == 0)
                {
                    host.WriteWarning($"{domain} publishes a null MX (RFC 7505): it declares that it accepts no mail.");
                    results.Add(new MxEndpointResult
                    {
                        Domain = domain, MxHost = ".", Preference = mx.Preference, EndpointForm = MxEndpointForm.Other,
                        TimeToLive = (int)mx.TimeToLive, DnsServer = answer.Server, Note = "Null MX (RFC 7505): the domain " +
                            "accepts no mail.",
                    });
                    continue;
                }
                MxEndpointClassification c = MxEndpointClassifier.Classify(mx.Exchange);
                results.Add(new MxEndpointResult
                {
                    Domain = domain,
                    MxHost = c.Host,
                    Preference = mx.Preference,
                    IsMicrosoft365 = c.IsMicrosoft365,
                    EndpointForm = c.Form,
                    TenantLabel = c.TenantLabel,
                    TimeToLive = (int)mx.TimeToLive,
                    DnsServer = answer.Server,
                });
            }
            if (results.Any(r => r.IsMicrosoft365) && !results[0].IsMicrosoft365)
                host.WriteVerbose($"{domain}: the most preferred MX ({results[0].MxHost}) is not Microsoft 365; mail reaches Microsoft " +
                    "365 through it.");
            return results;
        }
    }
}
