using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace M365SmtpTools.Engine.Dns.Dmarc
{
    /// <summary>A DMARC policy (RFC 7489 section 6.3, tag <c>p</c>).</summary>
    public enum DmarcPolicy
    {
        /// <summary>No policy could be read.</summary>
        Unknown,
        /// <summary>Monitor only.</summary>
        None,
        /// <summary>Treat failing mail as suspicious (junk).</summary>
        Quarantine,
        /// <summary>Reject failing mail.</summary>
        Reject,
    }

    /// <summary>Identifier alignment mode (tags <c>adkim</c>, <c>aspf</c>).</summary>
    public enum DmarcAlignment
    {
        /// <summary>Organizational domains must match (default).</summary>
        Relaxed,
        /// <summary>Domains must match exactly.</summary>
        Strict,
    }

    /// <summary>A parsed DMARC record, with the problems found in it.</summary>
    public sealed class DmarcRecord
    {
        private DmarcRecord(string text) => Text = text;

        /// <summary>The record as published.</summary>
        public string Text { get; }
        /// <summary>The policy for the domain (<c>p</c>).</summary>
        public DmarcPolicy Policy { get; private set; } = DmarcPolicy.Unknown;
        /// <summary>The policy for subdomains (<c>sp</c>; the domain's policy when absent).</summary>
        public DmarcPolicy SubdomainPolicy { get; private set; } = DmarcPolicy.Unknown;
        /// <summary>The percentage of failing mail the policy applies to (<c>pct</c>, default 100).</summary>
        public int Percent { get; private set; } = 100;
        /// <summary>DKIM alignment (<c>adkim</c>).</summary>
        public DmarcAlignment DkimAlignment { get; private set; }
        /// <summary>SPF alignment (<c>aspf</c>).</summary>
        public DmarcAlignment SpfAlignment { get; private set; }
        /// <summary>Aggregate report addresses (<c>rua</c>).</summary>
        public IReadOnlyList<string> AggregateReportUris { get; private set; } = new List<string>();
        /// <summary>Failure report addresses (<c>ruf</c>).</summary>
        public IReadOnlyList<string> FailureReportUris { get; private set; } = new List<string>();
        /// <summary>Failure reporting options (<c>fo</c>, default 0).</summary>
        public string FailureOptions { get; private set; } = "0";
        /// <summary>All tags as published (lower-case names).</summary>
        public IReadOnlyDictionary<string, string> Tags { get; private set; } = new Dictionary<string, string>();
        /// <summary>What makes the record invalid (empty when it is valid).</summary>
        public IReadOnlyList<string> Errors { get; private set; } = new List<string>();
        /// <summary>What is legal but worth changing.</summary>
        public IReadOnlyList<string> Warnings { get; private set; } = new List<string>();
        /// <summary>True when there are no <see cref="Errors"/>.</summary>
        public bool IsValid => Errors.Count == 0;

        /// <summary>True when a TXT string at <c>_dmarc</c> is meant as a DMARC record (starts with <c>v=DMARC1</c>).</summary>
        public static bool IsDmarc(string txt)
        {
            string t = txt.TrimStart();
            if (!t.StartsWith("v", StringComparison.OrdinalIgnoreCase)) return false;
            string first = t.Split(';')[0].Replace(" ", "").Replace("\t", "");
            return string.Equals(first, "v=DMARC1", StringComparison.Ordinal);
        }

        /// <summary>Parses a record. Never throws: problems are listed in <see cref="Errors"/> and <see cref="Warnings"/>.</summary>
        public static DmarcRecord Parse(string text)
        {
            var r = new DmarcRecord(text);
            var errors = new List<string>();
            var warnings = new List<string>();
            var tags = new Dictionary<string, string>(StringComparer.Ordinal);
            string[] parts = text.Split(';');
            for (int i = 0; i < parts.Length; i++)
            {
                string part = parts[i].Trim();
                if (part.Length == 0) continue;
                int eq = part.IndexOf('=');
                if (eq <= 0) { errors.Add($"'{part}' is not a tag=value pair"); continue; }
                string name = part.Substring(0, eq).Trim().ToLowerInvariant();
                string value = part.Substring(eq + 1).Trim();
                if (tags.ContainsKey(name)) { errors.Add($"the tag '{name}' appears twice"); continue; }
                tags[name] = value;
                if (i == 0 && !(name == "v" && value == "DMARC1")) errors.Add("the record must begin with 'v=DMARC1'");
            }
            if (!tags.ContainsKey("v")) errors.Add("the 'v=DMARC1' tag is missing");

            if (!tags.TryGetValue("p", out string? p)) errors.Add("the required policy tag 'p' is missing");
            else if (!TryPolicy(p, out DmarcPolicy policy)) errors.Add($"'p={p}' is not a policy (none, quarantine or reject)");
            else r.Policy = policy;
            r.SubdomainPolicy = r.Policy;
            if (tags.TryGetValue("sp", out string? sp))
            {
                if (TryPolicy(sp, out DmarcPolicy s)) r.SubdomainPolicy = s;
                else errors.Add($"'sp={sp}' is not a policy (none, quarantine or reject)");
            }
            if (tags.TryGetValue("pct", out string? pct))
            {
                if (int.TryParse(pct, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n <= 100) r.Percent = n;
                else errors.Add($"'pct={pct}' is not a whole number from 0 to 100");
            }
            r.DkimAlignment = Alignment(tags, "adkim", errors);
            r.SpfAlignment = Alignment(tags, "aspf", errors);
            r.AggregateReportUris = Uris(tags, "rua", errors);
            r.FailureReportUris = Uris(tags, "ruf", errors);
            if (tags.TryGetValue("fo", out string? fo))
            {
                if (fo.Split(':').All(x => x.Trim() == "0" || x.Trim() == "1" || x.Trim() == "d" || x.Trim() == "s")) r.FailureOptions = fo;
                else errors.Add($"'fo={fo}' is not a list of 0, 1, d, s");
            }
            foreach (string name in tags.Keys)
                if (Array.IndexOf(new[] { "v", "p", "sp", "pct", "adkim", "aspf", "rua", "ruf", "fo", "rf", "ri", "np", "psd", "t" },
                    name) < 0)
                    warnings.Add($"the tag '{name}' is unknown and will be ignored");

            if (r.Policy == DmarcPolicy.None) warnings.Add("p=none only monitors: failing mail is delivered as usual; move to " +
                "quarantine, then reject, once the reports are clean");
            if (r.Percent < 100 && r.Policy != DmarcPolicy.None) warnings.Add($"pct={r.Percent}: the policy applies to only {r.Percent}% " +
                "of failing mail");
            if (r.AggregateReportUris.Count == 0) warnings.Add("no 'rua': you receive no aggregate reports, so you can't see who sends " +
                "as your domain");
            r.Tags = tags;
            r.Errors = errors;
            r.Warnings = warnings;
            return r;
        }

        private static bool TryPolicy(string value, out DmarcPolicy policy)
        {
            switch (value.Trim().ToLowerInvariant())
            {
                case "none": policy = DmarcPolicy.None; return true;
                case "quarantine": policy = DmarcPolicy.Quarantine; return true;
                case "reject": policy = DmarcPolicy.Reject; return true;
                default: policy = DmarcPolicy.Unknown; return false;
            }
        }

        private static DmarcAlignment Alignment(Dictionary<string, string> tags, string name, List<string> errors)
        {
            if (!tags.TryGetValue(name, out string? v)) return DmarcAlignment.Relaxed;
            if (v == "r") return DmarcAlignment.Relaxed;
            if (v == "s") return DmarcAlignment.Strict;
            errors.Add($"'{name}={v}' must be r (relaxed) or s (strict)");
            return DmarcAlignment.Relaxed;
        }

        private static IReadOnlyList<string> Uris(Dictionary<string, string> tags, string name, List<string> errors)
        {
            var list = new List<string>();
            if (!tags.TryGetValue(name, out string? v)) return list;
            foreach (string raw in v.Split(','))
            {
                string uri = raw.Trim();
                int bang = uri.IndexOf('!'); // size limit suffix, e.g. !10m
                string bare = bang >= 0 ? uri.Substring(0, bang) : uri;
                if (!Uri.TryCreate(bare, UriKind.Absolute, out Uri? u) || u.Scheme.Length == 0)
                    errors.Add($"'{uri}' in '{name}' is not a URI (write mailto:address)");
                else list.Add(bare);
            }
            return list;
        }
    }

    /// <summary>What was found at <c>_dmarc.&lt;domain&gt;</c>.</summary>
    public sealed class DmarcLookupResult
    {
        /// <summary>The domain checked.</summary>
        public string Domain { get; internal set; } = "";
        /// <summary>The name asked (<c>_dmarc.&lt;domain&gt;</c>).</summary>
        public string RecordName { get; internal set; } = "";
        /// <summary>The DMARC records found (more than one is an error: receivers then ignore DMARC).</summary>
        public IReadOnlyList<string> RecordsFound { get; internal set; } = new List<string>();
        /// <summary>The parsed record when exactly one was found.</summary>
        public DmarcRecord? Record { get; internal set; }
        /// <summary>A problem with the lookup itself (none, several), or null.</summary>
        public string? Problem { get; internal set; }
    }

    /// <summary>Reads a domain's DMARC record.</summary>
    public static class DmarcLookup
    {
        /// <summary>
        /// Reads <c>_dmarc.&lt;domain&gt;</c>. No record or several are reported in <see cref="DmarcLookupResult.Problem"/>;
        /// DNS failures (timeouts, server failures) throw <see cref="DnsException"/>. The organizational-domain fallback of
        /// RFC 7489 section 6.6.3 (needing the Public Suffix List) is not applied.
        /// </summary>
        public static async Task<DmarcLookupResult> GetAsync(IDnsResolver dns, string domain, CancellationToken cancellationToken = default)
        {
            string d = DnsName.Normalize(domain);
            string name = "_dmarc." + d;
            DnsAnswer a = await dns.QueryAsync(name, DnsRecordType.TXT, cancellationToken).ConfigureAwait(false);
            List<string> found = a.Records.OfType<TxtRecord>().Select(t => t.Text).Where(DmarcRecord.IsDmarc).ToList();
            var result = new DmarcLookupResult { Domain = d, RecordName = name, RecordsFound = found };
            if (found.Count == 0)
            {
                List<string> other = a.Records.OfType<TxtRecord>().Select(t => t.Text).ToList();
                result.Problem = other.Count > 0
                    ? $"{name} has TXT records but none starts with 'v=DMARC1' (found \"{string.Join("\", \"", other)}\")"
                    : $"{name} has no DMARC record";
            }
            else if (found.Count > 1) result.Problem = $"{name} has {found.Count} DMARC records; receivers ignore DMARC when there is " +
                "more than one";
            else result.Record = DmarcRecord.Parse(found[0]);
            return result;
        }
    }
}
