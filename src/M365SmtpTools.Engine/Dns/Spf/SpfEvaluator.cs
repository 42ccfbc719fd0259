using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace M365SmtpTools.Engine.Dns.Spf
{
    /// <summary>The outcome of <see cref="SpfEvaluator.CheckHostAsync"/>.</summary>
    public sealed class SpfEvaluation
    {
        /// <summary>The SPF result.</summary>
        public SpfResult Result { get; internal set; }

        /// <summary>Why: the mechanism that matched, or what was wrong (names the record and term).</summary>
        public string Reason { get; internal set; } = "";

        /// <summary>
        /// The mechanism that decided the result (e.g. <c>include:spf.protection.outlook.com</c> or <c>-all</c>), when one did.
        /// </summary>
        public string? MatchedMechanism { get; internal set; }

        /// <summary>The domain whose record holds <see cref="MatchedMechanism"/>.</summary>
        public string? MatchedInDomain { get; internal set; }

        /// <summary>The top-level domain's SPF record, when it has one.</summary>
        public string? Record { get; internal set; }

        /// <summary>DNS-querying terms evaluated (include, a, mx, ptr, exists, redirect); the limit is 10.</summary>
        public int DnsLookups { get; internal set; }

        /// <summary>Lookups that returned NXDOMAIN or no records; the limit is 2.</summary>
        public int VoidLookups { get; internal set; }

        /// <summary>Each step of the evaluation, for the verbose stream.</summary>
        public IReadOnlyList<string> Trace { get; internal set; } = new List<string>();

        /// <inheritdoc />
        public override string ToString() => $"{Result}: {Reason}";
    }

    /// <summary>The inputs of check_host(): the client IP, the sender, the HELO name, and the counters.</summary>
    internal sealed class SpfContext
    {
        public SpfContext(IPAddress ip, string sender, string? helo)
        {
            Ip = ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip;
            int at = sender.LastIndexOf('@');
            LocalPart = at > 0 ? sender.Substring(0, at) : "postmaster";
            SenderDomain = at >= 0 ? sender.Substring(at + 1) : sender;
            Sender = LocalPart + "@" + SenderDomain;
            Helo = helo;
        }

        public IPAddress Ip { get; }
        public string Sender { get; }
        public string LocalPart { get; }
        public string SenderDomain { get; }
        public string? Helo { get; }
        public int Lookups { get; set; }
        public int Voids { get; set; }
        public List<string> Trace { get; } = new List<string>();
        public List<string> Stack { get; } = new List<string>();
        public string? TopRecord { get; set; }
        public string? Matched { get; set; }
        public string? MatchedDomain { get; set; }
    }

    /// <summary>A condition that makes the whole evaluation a PermError.</summary>
    internal sealed class SpfPermErrorException : Exception
    {
        public SpfPermErrorException(string message) : base(message) { }
    }

    /// <summary>A DNS failure that makes the whole evaluation a TempError.</summary>
    internal sealed class SpfTempErrorException : Exception
    {
        public SpfTempErrorException(string message, Exception inner) : base(message, inner) { }
    }

    /// <summary>
    /// Evaluates SPF per RFC 7208: check_host() with include, a, mx, ptr, ip4, ip6, exists, all, redirect=, macros,
    /// the 10-lookup limit (section 4.6.4), the void-lookup limit of 2, at most 10 MX/PTR names per term, and explicit
    /// include/redirect loop detection.
    /// </summary>
    public sealed class SpfEvaluator
    {
        /// <summary>The most DNS-querying terms one evaluation may use.</summary>
        public const int MaxDnsLookups = 10;
        /// <summary>The most lookups returning nothing one evaluation may see.</summary>
        public const int MaxVoidLookups = 2;

        private readonly IDnsResolver _dns;

        /// <summary>Creates an evaluator that asks <paramref name="dns"/>.</summary>
        public SpfEvaluator(IDnsResolver dns) => _dns = dns ?? throw new ArgumentNullException(nameof(dns));

        /// <summary>
        /// Would <paramref name="ip"/> be allowed to send mail from <paramref name="sender"/> (an address or, for the HELO
        /// check, a domain) for <paramref name="domain"/>? Never throws for DNS or record problems: they are TempError and
        /// PermError results with the reason.
        /// </summary>
        public async Task<SpfEvaluation> CheckHostAsync(IPAddress ip, string domain, string? sender = null, string? helo = null,
            CancellationToken cancellationToken = default)
        {
            if (ip == null) throw new ArgumentNullException(nameof(ip));
            var ctx = new SpfContext(ip, string.IsNullOrEmpty(sender) ? "postmaster@" + domain : sender!, helo);
            var eval = new SpfEvaluation();
            try
            {
                string d;
                try { d = DnsName.Normalize(domain, allowUnderscore: true); }
                catch (DnsException e)
                {
                    eval.Result = SpfResult.None;
                    eval.Reason = e.Message;
                    return eval;
                }
                SpfResult r = await CheckAsync(ctx, d, top: true, cancellationToken).ConfigureAwait(false);
                eval.Result = r;
                eval.MatchedMechanism = ctx.Matched;
                eval.MatchedInDomain = ctx.MatchedDomain;
                eval.Reason = r switch
                {
                    SpfResult.None => $"{d} publishes no SPF record.",
                    _ when ctx.Matched != null => $"{ip} matched '{ctx.Matched}' in the SPF record of {ctx.MatchedDomain}: {r}.",
                    SpfResult.Neutral => $"No mechanism in the SPF record of {d} matched {ip} and there is no 'all': Neutral.",
                    _ => r.ToString(),
                };
            }
            catch (SpfPermErrorException e)
            {
                eval.Result = SpfResult.PermError;
                eval.Reason = e.Message;
                ctx.Trace.Add("permerror: " + e.Message);
            }
            catch (SpfTempErrorException e)
            {
                eval.Result = SpfResult.TempError;
                eval.Reason = e.Message;
                ctx.Trace.Add("temperror: " + e.Message);
            }
            eval.Record = ctx.TopRecord;
            eval.DnsLookups = ctx.Lookups;
            eval.VoidLookups = ctx.Voids;
            eval.Trace = ctx.Trace;
            return eval;
        }

        /// <summary>
        /// The SPF record of a domain: null when there is none, the text of the only one otherwise. Two or more are a
        /// PermError (returned as an <see cref="M365SmtpException"/> with id <c>SpfMultipleRecords</c>).
        /// </summary>
        public async Task<string?> GetRecordAsync(string domain, CancellationToken cancellationToken = default)
        {
            DnsAnswer a = await _dns.QueryAsync(domain, DnsRecordType.TXT, cancellationToken).ConfigureAwait(false);
            List<string> spf = a.Records.OfType<TxtRecord>().Select(t => t.Text).Where(SpfRecord.IsSpf).ToList();
            if (spf.Count > 1)
                throw new M365SmtpException(SpfErrorCodes.MultipleRecords,
                    $"{a.Name} publishes {spf.Count} SPF records; RFC 7208 allows one, so every receiver reports PermError.")
                {
                    TargetObject = domain,
                    RecommendedAction = "Merge them into one 'v=spf1 …' TXT record and delete the others.",
                };
            return spf.Count == 1 ? spf[0] : null;
        }

        private async Task<SpfResult> CheckAsync(SpfContext ctx, string domain, bool top, CancellationToken ct)
        {
            if (ctx.Stack.Contains(domain))
                throw new SpfPermErrorException($"SPF loop: {string.Join(" -> ", ctx.Stack.Concat(new[] { domain }))}.");
            DnsAnswer answer = await Query(ctx, domain, DnsRecordType.TXT, countVoid: false, ct).ConfigureAwait(false);
            List<string> records = answer.Records.OfType<TxtRecord>().Select(t => t.Text).Where(SpfRecord.IsSpf).ToList();
            if (records.Count == 0)
            {
                ctx.Trace.Add($"{domain}: no SPF record{(answer.IsNameError ? " (NXDOMAIN)" : "")}.");
                return SpfResult.None;
            }
            if (records.Count > 1)
                throw new SpfPermErrorException($"{domain} publishes {records.Count} SPF records (\"{string.Join("\", \"", records)}\"); there must be exactly one.");
            string text = records[0];
            if (top) ctx.TopRecord = text;
            ctx.Trace.Add($"{domain}: {text}");
            if (!SpfRecord.TryParse(text, out SpfRecord? record, out string? error))
                throw new SpfPermErrorException($"The SPF record of {domain} is invalid: {error}.");

            ctx.Stack.Add(domain);
            try
            {
                foreach (SpfMechanism m in record!.Mechanisms)
                {
                    ct.ThrowIfCancellationRequested();
                    if (m.CountsAsLookup) CountLookup(ctx, domain, m.Text);
                    bool? matched = await MatchAsync(ctx, domain, m, ct).ConfigureAwait(false);
                    if (matched == true)
                    {
                        ctx.Trace.Add($"{domain}: '{m.Text}' matches {ctx.Ip}.");
                        // The outermost matching term is the one that decided; inner ones are in the trace.
                        ctx.Matched = m.Text;
                        ctx.MatchedDomain = domain;
                        return m.Qualifier switch
                        {
                            SpfQualifier.Fail => SpfResult.Fail,
                            SpfQualifier.SoftFail => SpfResult.SoftFail,
                            SpfQualifier.Neutral => SpfResult.Neutral,
                            _ => SpfResult.Pass,
                        };
                    }
                }
                bool hasAll = record.Mechanisms.Any(m => m.Kind == SpfMechanismKind.All);
                if (record.Redirect != null && !hasAll)
                {
                    CountLookup(ctx, domain, "redirect=" + record.Redirect);
                    string target = TargetDomain(ctx, record.Redirect, domain);
                    ctx.Trace.Add($"{domain}: redirect to {target}.");
                    ctx.Matched = null;
                    ctx.MatchedDomain = null;
                    SpfResult r = await CheckAsync(ctx, target, top: false, ct).ConfigureAwait(false);
                    if (r == SpfResult.None)
                        throw new SpfPermErrorException($"{domain} redirects to {target}, which has no SPF record.");
                    return r;
                }
                return SpfResult.Neutral;
            }
            finally
            {
                ctx.Stack.RemoveAt(ctx.Stack.Count - 1);
            }
        }

        private static void CountLookup(SpfContext ctx, string domain, string term)
        {
            ctx.Lookups++;
            if (ctx.Lookups > MaxDnsLookups)
                throw new SpfPermErrorException($"More than {MaxDnsLookups} DNS lookups: '{term}' in the SPF record of {domain} is " +
                    $"lookup number {ctx.Lookups}.");
        }

        private async Task<bool?> MatchAsync(SpfContext ctx, string domain, SpfMechanism m, CancellationToken ct)
        {
            IPAddress ip = ctx.Ip;
            bool v6 = ip.AddressFamily == AddressFamily.InterNetworkV6;
            switch (m.Kind)
            {
                case SpfMechanismKind.All:
                    return true;
                case SpfMechanismKind.Ip4:
                    return !v6 && InNetwork(ip, m.Network!, m.Ip4Prefix ?? 32);
                case SpfMechanismKind.Ip6:
                    return v6 && InNetwork(ip, m.Network!, m.Ip6Prefix ?? 128);
                case SpfMechanismKind.A:
                {
                    string target = m.DomainSpec == null ? domain : TargetDomain(ctx, m.DomainSpec, domain);
                    return await AddressMatchAsync(ctx, target, m, ct).ConfigureAwait(false);
                }
                case SpfMechanismKind.Mx:
                {
                    string target = m.DomainSpec == null ? domain : TargetDomain(ctx, m.DomainSpec, domain);
                    DnsAnswer mx = await Query(ctx, target, DnsRecordType.MX, countVoid: true, ct).ConfigureAwait(false);
                    var hosts = mx.Records.OfType<MxRecord>().Where(r => r.Exchange.Length > 0).Select(r => r.Exchange).ToList();
                    if (hosts.Count > 10) throw new SpfPermErrorException($"'{m.Text}' in the SPF record of {domain}: {target} has " +
                        $"{hosts.Count} MX records, more than 10.");
                    foreach (string h in hosts)
                        if (await AddressMatchAsync(ctx, h, m, ct).ConfigureAwait(false)) return true;
                    return false;
                }
                case SpfMechanismKind.Ptr:
                {
                    string target = m.DomainSpec == null ? domain : TargetDomain(ctx, m.DomainSpec, domain);
                    ctx.Trace.Add($"{domain}: 'ptr' is deprecated (RFC 7208 section 5.5); evaluating it anyway.");
                    DnsAnswer ptr = await Query(ctx, ReverseName(ip), DnsRecordType.PTR, countVoid: true, ct).ConfigureAwait(false);
                    foreach (string name in ptr.Records.OfType<PtrRecord>().Select(r => r.Target).Take(10))
                    {
                        DnsAnswer back = await Query(ctx, name, v6 ? DnsRecordType.AAAA : DnsRecordType.A, countVoid: false, ct)
                            .ConfigureAwait(false);
                        if (!back.Records.OfType<AddressRecord>().Any(r => r.Address.Equals(ip))) continue;
                        if (name == target || name.EndsWith("." + target, StringComparison.Ordinal)) return true;
                    }
                    return false;
                }
                case SpfMechanismKind.Exists:
                {
                    string target = TargetDomain(ctx, m.DomainSpec!, domain);
                    DnsAnswer a = await Query(ctx, target, DnsRecordType.A, countVoid: true, ct).ConfigureAwait(false);
                    return a.Records.Count > 0;
                }
                case SpfMechanismKind.Include:
                {
                    string target = TargetDomain(ctx, m.DomainSpec!, domain);
                    SpfResult r = await CheckAsync(ctx, target, top: false, ct).ConfigureAwait(false);
                    switch (r)
                    {
                        case SpfResult.Pass: return true;
                        case SpfResult.None: throw new SpfPermErrorException($"'{m.Text}' in the SPF record of {domain}: {target} has no " +
                            "SPF record.");
                        default:
                            ctx.Matched = null;
                            ctx.MatchedDomain = null;
                            ctx.Trace.Add($"{domain}: '{m.Text}' gave {r}, no match.");
                            return false;
                    }
                }
            }
            return false; // not reached: every mechanism kind returns inside the switch
        }

        private async Task<bool> AddressMatchAsync(SpfContext ctx, string host, SpfMechanism m, CancellationToken ct)
        {
            bool v6 = ctx.Ip.AddressFamily == AddressFamily.InterNetworkV6;
            DnsAnswer a = await Query(ctx, host, v6 ? DnsRecordType.AAAA : DnsRecordType.A, countVoid: true, ct).ConfigureAwait(false);
            int prefix = v6 ? m.Ip6Prefix ?? 128 : m.Ip4Prefix ?? 32;
            return a.Records.OfType<AddressRecord>().Any(r => InNetwork(ctx.Ip, r.Address, prefix));
        }

        private static string TargetDomain(SpfContext ctx, string spec, string domain)
        {
            string expanded = SpfMacro.Expand(spec, ctx, domain).TrimEnd('.');
            // RFC 7208 section 7.3: over 253 characters, drop labels from the left.
            while (expanded.Length > 253 && expanded.IndexOf('.') >= 0) expanded = expanded.Substring(expanded.IndexOf('.') + 1);
            try { return DnsName.Normalize(expanded, allowUnderscore: true); }
            catch (DnsException e) { throw new SpfPermErrorException($"'{spec}' in the SPF record of {domain} expands to an invalid " +
                $"domain: {e.Message}"); }
        }

        private async Task<DnsAnswer> Query(SpfContext ctx, string name, DnsRecordType type, bool countVoid, CancellationToken ct)
        {
            DnsAnswer a;
            try
            {
                a = await _dns.QueryAsync(name, type, ct).ConfigureAwait(false);
            }
            catch (DnsException e) when (e.Code == DnsErrorCodes.InvalidDomainName)
            {
                throw new SpfPermErrorException($"'{name}' is not a valid domain name.");
            }
            catch (DnsException e)
            {
                throw new SpfTempErrorException($"DNS lookup of {name} ({type}) failed: {e.Message}", e);
            }
            if (countVoid && a.Records.Count == 0)
            {
                ctx.Voids++;
                ctx.Trace.Add($"void lookup {ctx.Voids}: {name} {type} ({(a.IsNameError ? "NXDOMAIN" : "no records")}).");
                if (ctx.Voids > MaxVoidLookups)
                    throw new SpfPermErrorException($"More than {MaxVoidLookups} void lookups: {name} ({type}) is the {ctx.Voids}rd " +
                        "lookup that found nothing.");
            }
            return a;
        }

        private static string ReverseName(IPAddress ip)
        {
            string dotted = SpfMacro.DottedIp(ip);
            string reversed = string.Join(".", Enumerable.Reverse(dotted.Split('.')));
            return reversed + (ip.AddressFamily == AddressFamily.InterNetwork ? ".in-addr.arpa" : ".ip6.arpa");
        }

        /// <summary>
        /// True when <paramref name="ip"/> is in <paramref name="network"/>/<paramref name="prefix"/> (same address family only).
        /// </summary>
        internal static bool InNetwork(IPAddress ip, IPAddress network, int prefix)
        {
            if (ip.AddressFamily != network.AddressFamily) return false;
            byte[] a = ip.GetAddressBytes();
            byte[] b = network.GetAddressBytes();
            int full = prefix / 8, bits = prefix % 8;
            for (int i = 0; i < full; i++) if (a[i] != b[i]) return false;
            if (bits == 0) return true;
            int mask = 0xFF << (8 - bits) & 0xFF;
            return (a[full] & mask) == (b[full] & mask);
        }
    }
}
