using System;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using M365SmtpTools.Engine.Dns;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>
    /// Test-M365MailDomain: checks a domain's MX, SPF, DMARC and DKIM records the way Microsoft 365 needs them and, with a
    /// sender address, whether Direct Send from it would pass SPF. One <see cref="MailDomainReport"/> per domain; a domain
    /// that can't be reported on (invalid name, NXDOMAIN) is an error through the callback and the next domain goes on.
    /// DNS failures inside one check become findings of the report.
    /// </summary>
    public sealed class TestMailDomainOperation : PerDomainDnsOperation<TestMailDomainRequest, MailDomainReport>
    {
        /// <summary>
        /// The address the SPF record is evaluated for when judging the record itself: one no record lists (240.0.0.0/4 is
        /// reserved), so the evaluation walks every term as a receiver does for a forged message.
        /// </summary>
        public static readonly IPAddress ProbeAddress = IPAddress.Parse("240.0.0.1");

        /// <summary>Where the Microsoft Defender portal's DKIM page is.</summary>
        public const string DefenderDkimPage = "https://security.microsoft.com/authentication?viewid=DKIM";

        /// <summary>Creates the operation; it asks DNS with <see cref="DnsClient"/>.</summary>
        public TestMailDomainOperation()
        {
        }

        /// <summary>Creates the operation with another resolver (tests, C# callers with their own DNS).</summary>
        public TestMailDomainOperation(Func<TestMailDomainRequest, Action<string>, IDnsResolver> resolverFactory)
            : base(resolverFactory)
        {
        }

        // One report per domain; a name that is invalid or doesn't exist can't be reported on. DNS failures inside a
        // check (timeouts, SERVFAIL) become findings of that domain's report instead.
        private protected override bool IsDomainError(DnsException e) =>
            e.Code == DnsErrorCodes.InvalidDomainName || e.Code == DnsErrorCodes.NameNotFound;

        private protected override async Task RunDomainAsync(string input, TestMailDomainRequest request, IDnsResolver dns,
            IOperationHost<MailDomainReport> host, CancellationToken ct) =>
            host.WriteResult(await CheckAsync(input, request.SenderIPAddress, dns, host, ct).ConfigureAwait(false));

        private static async Task<MailDomainReport> CheckAsync(string input, IPAddress? sender, IDnsResolver dns, IOperationHost host,
            CancellationToken ct)
        {
            string domain = DnsName.Normalize(input);
            var state = new MailDomainCheckState(domain, host);
            host.WriteVerbose($"{domain}: checking MX, SPF, DMARC and DKIM.");
            await MxCheck.RunAsync(state, dns, ct).ConfigureAwait(false);
            await SpfCheck.RunAsync(state, dns, ct).ConfigureAwait(false);
            await DmarcCheck.RunAsync(state, dns, ct).ConfigureAwait(false);
            await DkimCheck.RunAsync(state, dns, ct).ConfigureAwait(false);
            if (sender != null) await DirectSendCheck.RunAsync(state, sender, dns, ct).ConfigureAwait(false);

            MailDomainReport r = state.Report;
            r.Findings = state.Findings.OrderByDescending(f => f.Severity).ToList();
            r.Overall = state.Findings.Any(f => f.Severity == FindingSeverity.Error) ? MailDomainStatus.Failed
                : state.Findings.Any(f => f.Severity == FindingSeverity.Warning) ? MailDomainStatus.Warning
                : MailDomainStatus.Passed;
            host.WriteVerbose($"{domain}: {r.Overall} ({r.Findings.Count(f => f.Severity == FindingSeverity.Error)} error(s), " +
                $"{r.Findings.Count(f => f.Severity == FindingSeverity.Warning)} warning(s)).");
            return r;
        }
    }
}
