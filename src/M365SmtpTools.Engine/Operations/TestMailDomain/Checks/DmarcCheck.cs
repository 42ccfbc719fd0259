using System;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using M365SmtpTools.Engine.Dns;
using M365SmtpTools.Engine.Dns.Dmarc;
using M365SmtpTools.Engine.Dns.Spf;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>
    /// Test-M365MailDomain's DMARC check: one record at _dmarc, its policy for the domain and subdomains, and its
    /// reporting.
    /// </summary>
    internal static class DmarcCheck
    {
        private static readonly Regex PolicyNone = new Regex(@"(?<lead>(^|;)\s*)p\s*=\s*none",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

        public static async Task RunAsync(MailDomainCheckState s, IDnsResolver dns, CancellationToken ct)
        {
            string d = s.Domain;
            MailDomainDmarc dmarc = s.Report.Dmarc;
            string suggested = $"v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@{d}";
            string suggestion = $"Publish one TXT record at _dmarc.{d}: {suggested} (use a mailbox that reads the reports; if you are " +
                $"not yet sure every service sending as {d} passes SPF or DKIM, start with p=none and move to quarantine, then reject, " +
                "once the reports are clean).";
            DmarcLookupResult found;
            try
            {
                found = await DmarcLookup.GetAsync(dns, d, ct).ConfigureAwait(false);
            }
            catch (DnsException e) when (MailDomainCheckState.IsLookupFailure(e))
            {
                s.Add(MailDomainCheck.Dmarc, "DmarcLookupFailed", FindingSeverity.Warning,
                    $"The DMARC record of {d} (_dmarc.{d}) could not be read, so it wasn't checked.", e.Message, e.RecommendedAction);
                return;
            }
            dmarc.RecordName = found.RecordName;
            dmarc.RecordCount = found.RecordsFound.Count;
            if (found.RecordsFound.Count == 0)
            {
                dmarc.SuggestedRecord = suggested;
                s.Add(MailDomainCheck.Dmarc, "DmarcMissing", FindingSeverity.Warning,
                    $"{d} publishes no DMARC record: receivers apply no policy to mail forged as {d}, you get no reports, and large " +
                        "mailbox providers junk or reject bulk mail from domains without one.",
                    found.Problem, suggestion);
                return;
            }
            if (found.RecordsFound.Count > 1)
            {
                s.Add(MailDomainCheck.Dmarc, "DmarcMultipleRecords", FindingSeverity.Error,
                    $"{found.RecordName} has {found.RecordsFound.Count} DMARC records; receivers then ignore DMARC for {d} entirely.",
                    string.Join("; ", found.RecordsFound.Select(t => "\"" + t + "\"")),
                    $"Keep one record at {found.RecordName} and delete the others.");
                return;
            }
            DmarcRecord r = found.Record!;
            s.Dmarc = r;
            dmarc.Record = r.Text;
            dmarc.IsValid = r.IsValid;
            dmarc.Policy = r.Policy;
            dmarc.SubdomainPolicy = r.SubdomainPolicy;
            dmarc.Percent = r.Percent;
            dmarc.DkimAlignment = r.DkimAlignment;
            dmarc.SpfAlignment = r.SpfAlignment;
            dmarc.AggregateReportUris = r.AggregateReportUris.ToList();
            dmarc.FailureReportUris = r.FailureReportUris.ToList();
            if (!r.IsValid)
            {
                dmarc.SuggestedRecord = suggested;
                s.Add(MailDomainCheck.Dmarc, "DmarcInvalid", FindingSeverity.Error,
                    $"The DMARC record of {d} is invalid ({string.Join("; ", r.Errors)}); receivers may ignore it.",
                    r.Text, $"Correct it, for example: {suggested}");
                return;
            }
            string reports = r.AggregateReportUris.Count > 0
                ? $"aggregate reports to {string.Join(", ", r.AggregateReportUris)}"
                : "no aggregate reports";
            string alignment = $"adkim={(r.DkimAlignment == DmarcAlignment.Strict ? "s" : "r")}, " +
                $"aspf={(r.SpfAlignment == DmarcAlignment.Strict ? "s" : "r")}";
            if (r.Policy == DmarcPolicy.None)
                s.Add(MailDomainCheck.Dmarc, "DmarcPolicyNone", FindingSeverity.Warning,
                    $"The DMARC policy of {d} is p=none: it only monitors, and mail forged as {d} is delivered as usual.",
                    r.Text, "Once the aggregate reports show that your own senders pass, " +
                        $"move to p=quarantine, then p=reject: {PolicyNone.Replace(r.Text, "${lead}p=quarantine", 1)}");
            else
                s.Add(MailDomainCheck.Dmarc, "DmarcEnforced", FindingSeverity.Information,
                    $"The DMARC policy of {d} is p={r.Policy.ToString().ToLowerInvariant()} ({r.Percent}% of failing mail, {alignment}, " +
                        $"{reports}).",
                    r.Text);
            if (r.Percent < 100 && r.Policy != DmarcPolicy.None)
                s.Add(MailDomainCheck.Dmarc, "DmarcPartialPercent", FindingSeverity.Warning,
                    $"The DMARC policy of {d} applies to only {r.Percent}% of failing mail (pct={r.Percent}); the rest is treated one " +
                        "step more leniently.",
                    r.Text, "Raise pct to 100 (or remove the tag) once the reports are clean.");
            if (r.AggregateReportUris.Count == 0)
                s.Add(MailDomainCheck.Dmarc, "DmarcNoAggregateReports", FindingSeverity.Information,
                    $"The DMARC record of {d} has no rua= address: nobody receives the aggregate reports that show who sends as {d} and " +
                        "whether it passes.",
                    r.Text, $"Add rua=mailto:dmarc-reports@{d} (a mailbox or a DMARC reporting service).");
            if (Strength(r.SubdomainPolicy) < Strength(r.Policy))
                s.Add(MailDomainCheck.Dmarc, "DmarcSubdomainPolicyWeaker", FindingSeverity.Information,
                    $"Subdomains of {d} have a weaker DMARC policy (sp={r.SubdomainPolicy.ToString().ToLowerInvariant()}) than {d} " +
                        $"itself (p={r.Policy.ToString().ToLowerInvariant()}): forged mail from made-up subdomains is treated more " +
                        "leniently.",
                    r.Text, "Unless a subdomain's senders are still being brought into line, set sp to the same policy or remove it.");
            foreach (string w in r.Warnings.Where(w => w.StartsWith("the tag", StringComparison.Ordinal)))
                s.Add(MailDomainCheck.Dmarc, "DmarcUnknownTag", FindingSeverity.Information, $"The DMARC record of {d}: {w}.", r.Text);
        }

        private static int Strength(DmarcPolicy p) =>
            p switch { DmarcPolicy.Reject => 3, DmarcPolicy.Quarantine => 2, DmarcPolicy.None => 1, _ => 0 };
    }
}
