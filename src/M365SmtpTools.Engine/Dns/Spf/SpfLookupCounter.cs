using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;

namespace M365SmtpTools.Engine.Dns.Spf
{
    /// <summary>How many DNS lookups a domain's SPF record costs in the worst case (every term evaluated).</summary>
    public sealed class SpfLookupCount
    {
        /// <summary>The domain counted.</summary>
        public string Domain { get; internal set; } = "";
        /// <summary>Its SPF record, when it has exactly one.</summary>
        public string? Record { get; internal set; }
        /// <summary>DNS-querying terms (include, a, mx, ptr, exists, redirect) across the whole include tree.</summary>
        public int DnsLookups { get; internal set; }
        /// <summary>Lookups that found nothing (a, mx targets without records, includes of missing names).</summary>
        public int VoidLookups { get; internal set; }
        /// <summary>True when a receiver evaluating every term would hit the 10-lookup or 2-void limit (PermError).</summary>
        public bool ExceedsLimits => DnsLookups > SpfEvaluator.MaxDnsLookups || VoidLookups > SpfEvaluator.MaxVoidLookups;
        /// <summary>Each counted term as <c>domain: term</c>, in evaluation order.</summary>
        public IReadOnlyList<string> CountedTerms { get; internal set; } = new List<string>();
        /// <summary>Problems found on the way (no record, several records, syntax errors, loops, DNS failures).</summary>
        public IReadOnlyList<string> Problems { get; internal set; } = new List<string>();
    }

    /// <summary>
    /// Counts the DNS lookups of an SPF record tree without a client IP, as when planning a change ("will adding this
    /// include keep the record within 10 lookups?"). Terms whose target depends on the sender (macros in
    /// <c>exists</c>/<c>include</c>) are counted once and not followed.
    /// </summary>
    public sealed class SpfLookupCounter
    {
        private const int MaxWalk = 60;
        private readonly IDnsResolver _dns;

        /// <summary>Creates a counter that asks <paramref name="dns"/>.</summary>
        public SpfLookupCounter(IDnsResolver dns) => _dns = dns ?? throw new ArgumentNullException(nameof(dns));

        /// <summary>Counts the lookups of <paramref name="domain"/>'s SPF record; never throws for DNS or record problems.</summary>
        public async Task<SpfLookupCount> CountAsync(string domain, CancellationToken cancellationToken = default)
        {
            string d = DnsName.Normalize(domain, allowUnderscore: true);
            var state = new State();
            var result = new SpfLookupCount { Domain = d };
            result.Record = await WalkAsync(state, d, new List<string>(), cancellationToken).ConfigureAwait(false);
            result.DnsLookups = state.Lookups;
            result.VoidLookups = state.Voids;
            result.CountedTerms = state.Terms;
            result.Problems = state.Problems;
            return result;
        }

        /// <summary>
        /// Counts the lookups of a record text that isn't published yet (e.g. a proposed merged record) for <paramref name="domain"/>.
        /// </summary>
        public async Task<SpfLookupCount> CountRecordAsync(string domain, string record, CancellationToken cancellationToken = default)
        {
            string d = DnsName.Normalize(domain, allowUnderscore: true);
            var state = new State();
            await WalkRecordAsync(state, d, record, new List<string> { d }, cancellationToken).ConfigureAwait(false);
            return new SpfLookupCount { Domain = d, Record = record, DnsLookups = state.Lookups, VoidLookups = state.Voids,
                CountedTerms = state.Terms, Problems = state.Problems };
        }

        private sealed class State
        {
            public int Lookups;
            public int Voids;
            public int Walked;
            public List<string> Terms { get; } = new List<string>();
            public List<string> Problems { get; } = new List<string>();
        }

        private async Task<string?> WalkAsync(State s, string domain, List<string> stack, CancellationToken ct)
        {
            if (stack.Contains(domain))
            {
                s.Problems.Add($"SPF loop: {string.Join(" -> ", stack.Concat(new[] { domain }))}.");
                return null;
            }
            if (++s.Walked > MaxWalk) { s.Problems.Add("The include tree is too large to follow completely."); return null; }
            DnsAnswer a;
            try { a = await _dns.QueryAsync(domain, DnsRecordType.TXT, ct).ConfigureAwait(false); }
            catch (DnsException e) { s.Problems.Add($"Could not read the SPF record of {domain}: {e.Message}"); return null; }
            List<string> spf = a.Records.OfType<TxtRecord>().Select(t => t.Text).Where(SpfRecord.IsSpf).ToList();
            if (spf.Count == 0)
            {
                if (stack.Count > 0) s.Voids += a.Records.Count == 0 ? 1 : 0;
                s.Problems.Add($"{domain} has no SPF record" +
                    $"{(stack.Count > 0 ? $" (included from {stack[stack.Count - 1]}: a PermError for receivers)" : "")}.");
                return null;
            }
            if (spf.Count > 1) { s.Problems.Add($"{domain} publishes {spf.Count} SPF records; there must be exactly one."); return null; }
            var inner = new List<string>(stack) { domain };
            await WalkRecordAsync(s, domain, spf[0], inner, ct).ConfigureAwait(false);
            return spf[0];
        }

        private async Task WalkRecordAsync(State s, string domain, string text, List<string> stack, CancellationToken ct)
        {
            if (!SpfRecord.TryParse(text, out SpfRecord? record, out string? error))
            {
                s.Problems.Add($"The SPF record of {domain} is invalid: {error}.");
                return;
            }
            foreach (SpfMechanism m in record!.Mechanisms.Where(x => x.CountsAsLookup))
            {
                s.Lookups++;
                s.Terms.Add($"{domain}: {m.Text}");
                string? target = m.DomainSpec ?? domain;
                if (target.IndexOf('%') >= 0) continue; // depends on the sender: counted, not followed
                try
                {
                    switch (m.Kind)
                    {
                        case SpfMechanismKind.Include:
                            await WalkAsync(s, DnsName.Normalize(target, allowUnderscore: true), stack, ct).ConfigureAwait(false);
                            break;
                        case SpfMechanismKind.A:
                            if (!await HasAnyAsync(target, new[] { DnsRecordType.A, DnsRecordType.AAAA }, ct).ConfigureAwait(false))
                                s.Voids++;
                            break;
                        case SpfMechanismKind.Mx:
                            DnsAnswer mx = await _dns.QueryAsync(target, DnsRecordType.MX, ct).ConfigureAwait(false);
                            if (mx.Records.Count == 0) s.Voids++;
                            if (mx.Records.Count > 10) s.Problems.Add($"'{m.Text}' in {domain}: more than 10 MX records (a PermError).");
                            break;
                    }
                }
                catch (DnsException e) { s.Problems.Add($"'{m.Text}' in {domain} could not be checked: {e.Message}"); }
            }
            if (record.Redirect != null && !record.Mechanisms.Any(x => x.Kind == SpfMechanismKind.All))
            {
                s.Lookups++;
                s.Terms.Add($"{domain}: redirect={record.Redirect}");
                if (record.Redirect.IndexOf('%') < 0)
                    await WalkAsync(s, DnsName.Normalize(record.Redirect, allowUnderscore: true), stack, ct).ConfigureAwait(false);
            }
        }

        private async Task<bool> HasAnyAsync(string name, DnsRecordType[] types, CancellationToken ct)
        {
            foreach (DnsRecordType t in types)
                if ((await _dns.QueryAsync(name, t, ct).ConfigureAwait(false)).Records.Count > 0) return true;
            return false;
        }
    }
}
