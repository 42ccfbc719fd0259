using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;

namespace M365SmtpTools.Engine.Dns.Dkim
{
    /// <summary>What a DKIM selector name points to.</summary>
    public enum DkimSelectorState
    {
        /// <summary>A CNAME to <c>selectorN-&lt;domain&gt;._domainkey.&lt;tenant&gt;.onmicrosoft.com</c>.</summary>
        Microsoft365OnMicrosoft,
        /// <summary>
        /// A CNAME to the newer <c>selectorN-&lt;domain&gt;._domainkey.&lt;tenant&gt;.&lt;letter&gt;-v1.dkim.mail.microsoft</c>.
        /// </summary>
        Microsoft365DkimMailMicrosoft,
        /// <summary>A CNAME somewhere else (another provider).</summary>
        OtherCname,
        /// <summary>A key published directly as TXT (not how Microsoft 365 signs).</summary>
        TxtKey,
        /// <summary>Nothing published at the selector name.</summary>
        Missing,
    }

    /// <summary>The state of one selector.</summary>
    public sealed class DkimSelectorResult
    {
        /// <summary><c>selector1</c> or <c>selector2</c>.</summary>
        public string Selector { get; internal set; } = "";
        /// <summary>The name asked (<c>selectorN._domainkey.&lt;domain&gt;</c>).</summary>
        public string Name { get; internal set; } = "";
        /// <summary>What it points to.</summary>
        public DkimSelectorState State { get; internal set; }
        /// <summary>The CNAME target, when there is one.</summary>
        public string? Target { get; internal set; }
        /// <summary>The tenant name read from a Microsoft 365 target (e.g. <c>contoso</c> of contoso.onmicrosoft.com).</summary>
        public string? Tenant { get; internal set; }
        /// <summary>
        /// True when the target's first label is <c>selectorN-&lt;domain with dots as dashes&gt;</c>, as Microsoft 365 publishes it.
        /// </summary>
        public bool TargetLabelMatchesDomain { get; internal set; }
        /// <summary>What this means for the admin.</summary>
        public string Finding { get; internal set; } = "";

        /// <summary>One line, as a table cell or an Export-Csv column shows it.</summary>
        public override string ToString() => $"{Selector}: {State}" + (Target != null ? $" -> {Target}" : "");
    }

    /// <summary>Checks the <c>selector1</c>/<c>selector2</c> CNAMEs Microsoft 365 DKIM signing needs (DOMAIN.md).</summary>
    public static class DkimSelectorCheck
    {
        private static readonly Regex OnMicrosoft = new Regex(
            @"^(?<sel>selector[12])-(?<label>[a-z0-9-]+)\._domainkey\.(?<tenant>[a-z0-9-]+)\.onmicrosoft\.(com|us|de)$",
            RegexOptions.CultureInvariant);
        private static readonly Regex DkimMail = new Regex(
            @"^(?<sel>selector[12])-(?<label>[a-z0-9-]+)\._domainkey\.(?<tenant>[a-z0-9-]+)\.[a-z]-v1\.dkim\.mail\.microsoft$",
            RegexOptions.CultureInvariant);

        /// <summary>The two Microsoft 365 selectors.</summary>
        public static readonly IReadOnlyList<string> Microsoft365Selectors = new[] { "selector1", "selector2" };

        /// <summary>Checks both selectors of <paramref name="domain"/>. DNS failures throw <see cref="DnsException"/>.</summary>
        public static async Task<IReadOnlyList<DkimSelectorResult>> CheckAsync(IDnsResolver dns, string domain,
            CancellationToken cancellationToken = default)
        {
            string d = DnsName.Normalize(domain);
            var results = new List<DkimSelectorResult>();
            foreach (string selector in Microsoft365Selectors)
                results.Add(await CheckSelectorAsync(dns, d, selector, cancellationToken).ConfigureAwait(false));
            return results;
        }

        private static async Task<DkimSelectorResult> CheckSelectorAsync(IDnsResolver dns, string domain, string selector,
            CancellationToken ct)
        {
            string name = selector + "._domainkey." + domain;
            var r = new DkimSelectorResult { Selector = selector, Name = name };
            DnsAnswer cname = await dns.QueryAsync(name, DnsRecordType.CNAME, ct).ConfigureAwait(false);
            CnameRecord? c = cname.Records.OfType<CnameRecord>().FirstOrDefault();
            string expectedLabel = selector + "-" + domain.Replace('.', '-');
            if (c != null)
            {
                r.Target = c.Target;
                Match m = OnMicrosoft.Match(c.Target);
                bool newForm = false;
                if (!m.Success) { m = DkimMail.Match(c.Target); newForm = m.Success; }
                if (m.Success)
                {
                    r.State = newForm ? DkimSelectorState.Microsoft365DkimMailMicrosoft : DkimSelectorState.Microsoft365OnMicrosoft;
                    r.Tenant = m.Groups["tenant"].Value;
                    r.TargetLabelMatchesDomain = c.Target.StartsWith(expectedLabel + "._domainkey.", StringComparison.Ordinal);
                    r.Finding = r.TargetLabelMatchesDomain
                        ? $"{name} points to Microsoft 365 ({c.Target}); enable DKIM signing for {domain} in Microsoft Defender if it " +
                            "isn't already."
                        : $"{name} points to Microsoft 365 but to '{c.Target}', not to a name starting with '{expectedLabel}'; copy the " +
                            $"exact value shown for {domain} in Microsoft Defender (Email authentication settings > DKIM).";
                }
                else
                {
                    r.State = DkimSelectorState.OtherCname;
                    r.Finding = $"{name} is a CNAME to {c.Target}, which is not Microsoft 365: Microsoft 365 can't sign with {selector} " +
                        $"for {domain}.";
                }
                return r;
            }
            DnsAnswer txt = await dns.QueryAsync(name, DnsRecordType.TXT, ct).ConfigureAwait(false);
            if (txt.Records.OfType<TxtRecord>().Any())
            {
                r.State = DkimSelectorState.TxtKey;
                r.Finding = $"{name} holds a key directly (TXT). Microsoft 365 needs a CNAME there to its own key; this key belongs to " +
                    "another signer.";
                return r;
            }
            r.State = DkimSelectorState.Missing;
            r.Finding = $"{name} is not published; create the CNAME shown for {domain} in Microsoft Defender (Email authentication " +
                "settings > DKIM), then enable signing.";
            return r;
        }
    }
}
