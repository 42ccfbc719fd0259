using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using M365SmtpTools.Engine.Dns;
using M365SmtpTools.Engine.Exchange;
using M365SmtpTools.Engine.Mime;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>
    /// Where each message of a batch goes: the resolved endpoint for ClientSubmission and Graph; for Relay the sender
    /// domain's Microsoft 365 MX endpoint (unless -SmtpServer names one); for Direct Send the recipients' tenant MX
    /// endpoint, refusing recipients outside that tenant before anything connects. MX answers are looked up once per domain.
    /// </summary>
    internal sealed class SendRouteResolver
    {
        private sealed class MxLookup
        {
            public string Domain = "";
            public string? Microsoft365Host;
            public string[] Hosts = Array.Empty<string>();
            public bool NotFound;
            public M365SmtpException? Error;
        }

        private readonly SendMailRequest _request;
        private readonly SendMailOperationSettings _settings;
        private readonly IOperationHost _host;
        private readonly ResolvedSmtpEndpoint _endpoint;
        private readonly CancellationToken _ct;
        private readonly Dictionary<string, Task<MxLookup>> _mx = new Dictionary<string, Task<MxLookup>>(StringComparer.OrdinalIgnoreCase);
        private IDnsResolver? _dns;

        public SendRouteResolver(SendMailRequest request, SendMailOperationSettings settings, IOperationHost host,
            ResolvedSmtpEndpoint endpoint, CancellationToken ct)
        {
            _request = request;
            _settings = settings;
            _host = host;
            _endpoint = endpoint;
            _ct = ct;
        }

        /// <summary>The endpoint this message is sent to.</summary>
        /// <exception cref="M365SmtpException">No relay endpoint in DNS, a DNS failure, or a Direct Send recipient outside the
        /// tenant.</exception>
        public async Task<ResolvedSmtpEndpoint> ResolveAsync(MimeMessage m)
        {
            if (_request.Method == SendMethod.ClientSubmission || _request.Method == SendMethod.Graph) return _endpoint;
            if (_request.Method == SendMethod.Relay)
                return _endpoint.Host != null ? _endpoint
                    : _endpoint.WithHost(await RelayHostAsync(m.EnvelopeSender.AsciiDomain).ConfigureAwait(false));
            return _endpoint.WithHost(await DirectSendHostAsync(m).ConfigureAwait(false));
        }

        private Task<MxLookup> LookupMx(string domain)
        {
            lock (_mx)
            {
                if (!_mx.TryGetValue(domain, out Task<MxLookup>? t)) _mx[domain] = t = LookupMxCoreAsync(domain);
                return t;
            }
        }

        private async Task<MxLookup> LookupMxCoreAsync(string domain)
        {
            var result = new MxLookup { Domain = domain };
            _dns ??= _settings.DnsResolverFactory != null
                ? _settings.DnsResolverFactory(_request, _host.WriteVerbose)
                : DnsClient.Create(_request.DnsServer, null, _host.WriteVerbose);
            try
            {
                DnsAnswer answer = await _dns.QueryAsync(domain, DnsRecordType.MX, _ct).ConfigureAwait(false);
                if (answer.IsNameError) { result.NotFound = true; return result; }
                List<MxRecord> records = answer.Records.OfType<MxRecord>().Where(r => r.Exchange.Length > 0)
                    .OrderBy(r => r.Preference).ThenBy(r => r.Exchange, StringComparer.Ordinal).ToList();
                result.Hosts = records.Select(r => r.Exchange.TrimEnd('.')).ToArray();
                result.Microsoft365Host = result.Hosts.FirstOrDefault(h => MxEndpointClassifier.Classify(h).IsMicrosoft365);
                string hosts = result.Hosts.Length == 0 ? "none" : string.Join(", ", result.Hosts);
                _host.WriteVerbose($"MX of {domain}: {hosts}" +
                    $"{(result.Microsoft365Host != null ? $" (Microsoft 365 endpoint {result.Microsoft365Host})" : "")}.");
            }
            catch (DnsException e)
            {
                if (e.Code == DnsErrorCodes.NameNotFound) result.NotFound = true;
                else result.Error = e;
            }
            return result;
        }

        private async Task<string> RelayHostAsync(string domain)
        {
            MxLookup mx = await LookupMx(domain).ConfigureAwait(false);
            if (mx.Error != null) throw mx.Error;
            if (mx.Microsoft365Host != null) return mx.Microsoft365Host;
            string guess = MxEndpointClassifier.DeriveLegacyEndpoint(domain);
            throw new M365SmtpException(SendMailErrorCodes.RelayEndpointNotFound,
                mx.NotFound ? $"The sender's domain {domain} does not exist in DNS, so its Microsoft 365 MX endpoint (the relay server) " +
                    "can't be found."
                : mx.Hosts.Length == 0 ? $"The sender's domain {domain} has no MX records, so its Microsoft 365 MX endpoint (the relay " +
                    "server) can't be found."
                : $"The MX records of the sender's domain {domain} ({string.Join(", ", mx.Hosts)}) don't point to Microsoft 365, so the " +
                    "tenant's relay endpoint can't be read from DNS.")
            {
                TargetObject = domain,
                RecommendedAction = "Give the tenant MX endpoint with -SmtpServer (shown in the Microsoft 365 admin center under " +
                    $"Domains; usually {guess}), or send from an address in a domain whose MX is Microsoft 365.",
            };
        }

        private async Task<string> DirectSendHostAsync(MimeMessage m)
        {
            string? target = _endpoint.HostOverridden ? _endpoint.Host : null;
            var external = new List<string>();
            foreach (EmailAddress r in m.EnvelopeRecipients)
            {
                MxLookup mx = await LookupMx(r.AsciiDomain).ConfigureAwait(false);
                if (mx.Error != null) throw mx.Error;
                string? endpoint = mx.Microsoft365Host;
                target ??= endpoint;
                if (endpoint == null)
                    external.Add($"{r.Address} ({(mx.NotFound ? "the domain does not exist" : mx.Hosts.Length == 0 ? "no MX record" : "MX " + string.Join(", ", mx.Hosts) + ", not Microsoft 365")})");
                else if (!string.Equals(endpoint, target, StringComparison.OrdinalIgnoreCase))
                    external.Add($"{r.Address} (MX {endpoint}, another Microsoft 365 tenant or domain)");
            }
            if (external.Count > 0)
                throw new M365SmtpException(SendMailErrorCodes.DirectSendExternalRecipient,
                    $"Direct Send delivers only to mailboxes of the tenant whose MX endpoint is {target ?? "(none found)"}; " +
                        $"{(external.Count == 1 ? "this recipient is" : "these recipients are")} outside it: " +
                        $"{string.Join("; ", external)}. Nothing was sent.")
                {
                    TargetObject = string.Join(", ", external.Select(e => e.Substring(0, e.IndexOf(' ')))),
                    RecommendedAction = "Send to external recipients with -Method ClientSubmission (authenticated, from a mailbox) or " +
                        "-Method Relay (through an inbound connector), or remove them from this message.",
                };
            return target!;
        }
    }
}
