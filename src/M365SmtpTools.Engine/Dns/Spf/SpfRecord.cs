using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace M365SmtpTools.Engine.Dns.Spf
{
    /// <summary>The result of an SPF check (RFC 7208 section 2.6).</summary>
    public enum SpfResult
    {
        /// <summary>The domain publishes no SPF record (or no usable domain was given).</summary>
        None,
        /// <summary>The domain makes no assertion about the IP (<c>?</c>, or nothing matched and no <c>all</c>).</summary>
        Neutral,
        /// <summary>The IP is authorized.</summary>
        Pass,
        /// <summary>The IP is not authorized (<c>-all</c>).</summary>
        Fail,
        /// <summary>The IP is probably not authorized (<c>~all</c>).</summary>
        SoftFail,
        /// <summary>A transient DNS error (timeout, SERVFAIL).</summary>
        TempError,
        /// <summary>The record can't be interpreted: syntax error, two records, over 10 lookups, over 2 void lookups, a loop.</summary>
        PermError,
    }

    /// <summary>A mechanism's qualifier.</summary>
    public enum SpfQualifier
    {
        /// <summary><c>+</c> (the default): Pass.</summary>
        Pass,
        /// <summary><c>-</c>: Fail.</summary>
        Fail,
        /// <summary><c>~</c>: SoftFail.</summary>
        SoftFail,
        /// <summary><c>?</c>: Neutral.</summary>
        Neutral,
    }

    /// <summary>The mechanisms of RFC 7208 section 5.</summary>
    public enum SpfMechanismKind
    {
        /// <summary><c>all</c></summary>
        All,
        /// <summary><c>include:domain</c></summary>
        Include,
        /// <summary><c>a[:domain][/cidr]</c></summary>
        A,
        /// <summary><c>mx[:domain][/cidr]</c></summary>
        Mx,
        /// <summary><c>ptr[:domain]</c> (deprecated)</summary>
        Ptr,
        /// <summary><c>ip4:network[/cidr]</c></summary>
        Ip4,
        /// <summary><c>ip6:network[/cidr]</c></summary>
        Ip6,
        /// <summary><c>exists:domain</c></summary>
        Exists,
    }

    /// <summary>One mechanism of an SPF record.</summary>
    public sealed class SpfMechanism
    {
        internal SpfMechanism(string text, SpfQualifier qualifier, SpfMechanismKind kind, string? domainSpec, IPAddress? network,
            int? ip4Prefix, int? ip6Prefix)
        {
            Text = text;
            Qualifier = qualifier;
            Kind = kind;
            DomainSpec = domainSpec;
            Network = network;
            Ip4Prefix = ip4Prefix;
            Ip6Prefix = ip6Prefix;
        }

        /// <summary>The term as written.</summary>
        public string Text { get; }
        /// <summary>The qualifier.</summary>
        public SpfQualifier Qualifier { get; }
        /// <summary>The mechanism.</summary>
        public SpfMechanismKind Kind { get; }
        /// <summary>The domain-spec (may contain macros), when given.</summary>
        public string? DomainSpec { get; }
        /// <summary>The network of ip4/ip6.</summary>
        public IPAddress? Network { get; }
        /// <summary>The IPv4 prefix length (ip4, a, mx), when given.</summary>
        public int? Ip4Prefix { get; }
        /// <summary>The IPv6 prefix length (ip6, a, mx), when given.</summary>
        public int? Ip6Prefix { get; }
        /// <summary>True for the mechanisms that cost a DNS lookup (include, a, mx, ptr, exists).</summary>
        public bool CountsAsLookup => Kind == SpfMechanismKind.Include || Kind == SpfMechanismKind.A || Kind == SpfMechanismKind.Mx
            || Kind == SpfMechanismKind.Ptr || Kind == SpfMechanismKind.Exists;

        /// <inheritdoc />
        public override string ToString() => Text;
    }

    /// <summary>A parsed SPF record (RFC 7208 section 4.6 and 12).</summary>
    public sealed class SpfRecord
    {
        private SpfRecord(string text) => Text = text;

        /// <summary>The record as published (strings joined).</summary>
        public string Text { get; }

        /// <summary>The mechanisms, in order.</summary>
        public IReadOnlyList<SpfMechanism> Mechanisms { get; private set; } = new List<SpfMechanism>();

        /// <summary>The <c>redirect=</c> domain-spec, if any.</summary>
        public string? Redirect { get; private set; }

        /// <summary>The <c>exp=</c> domain-spec, if any.</summary>
        public string? Explanation { get; private set; }

        /// <summary>Modifiers other than redirect and exp (ignored by evaluation).</summary>
        public IReadOnlyList<string> UnknownModifiers { get; private set; } = new List<string>();

        /// <summary>True when a TXT string is an SPF record: <c>v=spf1</c> followed by a space or the end (case-insensitive).</summary>
        public static bool IsSpf(string txt) =>
            txt.StartsWith("v=spf1", StringComparison.OrdinalIgnoreCase) && (txt.Length == 6 || txt[6] == ' ');

        /// <summary>Parses a record; returns false with a message naming the bad term on a syntax error.</summary>
        public static bool TryParse(string text, out SpfRecord? record, out string? error)
        {
            record = null;
            error = null;
            if (!IsSpf(text)) { error = "the record doesn't start with 'v=spf1'"; return false; }
            var r = new SpfRecord(text);
            var mechanisms = new List<SpfMechanism>();
            var unknown = new List<string>();
            foreach (SpfTerm t in SpfTerm.Split(text))
            {
                string term = t.Text;
                if (t.IsModifier)
                {
                    string name = t.Name;
                    string value = t.Value;
                    if (!SpfMacro.IsValidMacroString(value, out string? why))
                    { error = $"the modifier '{term}' is invalid: {why}"; return false; }
                    if (name == "redirect")
                    {
                        if (r.Redirect != null) { error = "'redirect=' appears twice"; return false; }
                        if (!IsDomainSpec(value)) { error = $"'{term}' does not name a domain"; return false; }
                        r.Redirect = value;
                    }
                    else if (name == "exp")
                    {
                        if (r.Explanation != null) { error = "'exp=' appears twice"; return false; }
                        if (!IsDomainSpec(value)) { error = $"'{term}' does not name a domain"; return false; }
                        r.Explanation = value;
                    }
                    else unknown.Add(term);
                    continue;
                }
                SpfMechanism? m = ParseMechanism(term, out error);
                if (m == null) return false;
                mechanisms.Add(m);
            }
            r.Mechanisms = mechanisms;
            r.UnknownModifiers = unknown;
            record = r;
            return true;
        }

        /// <summary>Parses a record; throws <see cref="M365SmtpException"/> <c>SpfSyntaxError</c> on a syntax error.</summary>
        public static SpfRecord Parse(string text)
        {
            if (TryParse(text, out SpfRecord? r, out string? error)) return r!;
            throw new M365SmtpException(SpfErrorCodes.SyntaxError, $"The SPF record \"{text}\" is invalid: {error}.")
            {
                TargetObject = text,
                RecommendedAction = "Fix the record at your DNS host; RFC 7208 section 12 gives the syntax.",
            };
        }

        private static SpfMechanism? ParseMechanism(string term, out string? error)
        {
            var errors = new List<string>();
            SpfMechanism? m = ParseMechanism(term, errors);
            error = errors.Count > 0 ? errors[0] : null;
            return m;
        }

        private static SpfMechanism? ParseMechanism(string term, List<string> errors)
        {
            string t = term;
            var q = SpfQualifier.Pass;
            switch (t[0])
            {
                case '+': q = SpfQualifier.Pass; t = t.Substring(1); break;
                case '-': q = SpfQualifier.Fail; t = t.Substring(1); break;
                case '~': q = SpfQualifier.SoftFail; t = t.Substring(1); break;
                case '?': q = SpfQualifier.Neutral; t = t.Substring(1); break;
            }
            int end = t.IndexOfAny(new[] { ':', '/' });
            string name = (end < 0 ? t : t.Substring(0, end)).ToLowerInvariant();
            string rest = end < 0 ? "" : t.Substring(end);
            string? Fail(string why) { errors.Add($"the term '{term}' is invalid: {why}"); return null; }
            switch (name)
            {
                case "all":
                    if (rest.Length > 0) { Fail("'all' takes no argument"); return null; }
                    return new SpfMechanism(term, q, SpfMechanismKind.All, null, null, null, null);
                case "include":
                case "exists":
                    if (!rest.StartsWith(":", StringComparison.Ordinal) || rest.Length == 1)
                    { Fail($"'{name}' needs ':domain'"); return null; }
                    string spec = rest.Substring(1);
                    if (!SpfMacro.IsValidMacroString(spec, out string? why) || !IsDomainSpec(spec))
                    { Fail(why ?? "it does not name a domain"); return null; }
                    return new SpfMechanism(term, q, name == "include" ? SpfMechanismKind.Include : SpfMechanismKind.Exists, spec,
                        null, null, null);
                case "a":
                case "mx":
                case "ptr":
                {
                    string? domain = null;
                    string cidr = rest;
                    if (rest.StartsWith(":", StringComparison.Ordinal))
                    {
                        int slash = rest.IndexOf('/');
                        domain = slash < 0 ? rest.Substring(1) : rest.Substring(1, slash - 1);
                        cidr = slash < 0 ? "" : rest.Substring(slash);
                        if (domain.Length == 0 || !SpfMacro.IsValidMacroString(domain, out string? why2) || !IsDomainSpec(domain))
                        { Fail("it does not name a domain"); return null; }
                    }
                    int? p4 = null, p6 = null;
                    if (cidr.Length > 0)
                    {
                        if (name == "ptr") { Fail("'ptr' takes no prefix length"); return null; }
                        if (!ParseDualCidr(cidr, out p4, out p6))
                        { Fail($"'{cidr}' is not a valid prefix length (/0-32 for IPv4, //0-128 for IPv6)"); return null; }
                    }
                    var kind = name == "a" ? SpfMechanismKind.A : name == "mx" ? SpfMechanismKind.Mx : SpfMechanismKind.Ptr;
                    return new SpfMechanism(term, q, kind, domain, null, p4, p6);
                }
                case "ip4":
                case "ip6":
                {
                    if (!rest.StartsWith(":", StringComparison.Ordinal)) { Fail($"'{name}' needs ':address'"); return null; }
                    string value = rest.Substring(1);
                    int slash = value.IndexOf('/');
                    string addr = slash < 0 ? value : value.Substring(0, slash);
                    bool v4 = name == "ip4";
                    if (!IPAddress.TryParse(addr, out IPAddress? ip)
                        || ip.AddressFamily != (v4 ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6)
                        || (v4 && addr.Split('.').Length != 4))
                    { Fail($"'{addr}' is not an {(v4 ? "IPv4" : "IPv6")} address"); return null; }
                    int? prefix = null;
                    if (slash >= 0)
                    {
                        string p = value.Substring(slash + 1);
                        int max = v4 ? 32 : 128;
                        if (!int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n > max
                            || (p.Length > 1 && p[0] == '0'))
                        { Fail($"'/{p}' is not a prefix length from 0 to {max}"); return null; }
                        prefix = n;
                    }
                    return new SpfMechanism(term, q, v4 ? SpfMechanismKind.Ip4 : SpfMechanismKind.Ip6, null, ip, v4 ? prefix : null,
                        v4 ? null : prefix);
                }
                default:
                    Fail($"'{name}' is not an SPF mechanism (all, include, a, mx, ptr, ip4, ip6, exists) or modifier (name=value)");
                    return null;
            }
        }

        private static bool ParseDualCidr(string s, out int? p4, out int? p6)
        {
            p4 = null; p6 = null;
            // "/n", "//m", "/n//m"
            int dbl = s.IndexOf("//", StringComparison.Ordinal);
            string v4 = dbl < 0 ? s : s.Substring(0, dbl);
            string v6 = dbl < 0 ? "" : s.Substring(dbl + 2);
            if (v4.Length > 0)
            {
                if (!v4.StartsWith("/", StringComparison.Ordinal) || !Num(v4.Substring(1), 32, out int a)) return false;
                p4 = a;
            }
            if (dbl >= 0)
            {
                if (!Num(v6, 128, out int b)) return false;
                p6 = b;
            }
            return v4.Length > 0 || dbl >= 0;
        }

        private static bool Num(string s, int max, out int n) =>
            int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out n) && n <= max && !(s.Length > 1 && s[0] == '0');

        /// <summary>A domain-spec must end in a top label (or a macro): at least one dot-separated label, no empty labels.</summary>
        private static bool IsDomainSpec(string spec)
        {
            if (spec.IndexOf('%') >= 0) return true; // checked after expansion
            string s = spec.EndsWith(".", StringComparison.Ordinal) ? spec.Substring(0, spec.Length - 1) : spec;
            if (s.Length == 0 || s.IndexOf('.') < 0) return false;
            return DnsName.IsValid(s, allowUnderscore: true);
        }
    }
}
