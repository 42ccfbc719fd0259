using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using M365SmtpTools.Engine.Dns;
using M365SmtpTools.Engine.Dns.Dkim;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>
    /// Test-M365MailDomain's DKIM check: the two Microsoft 365 selectors (selector1/selector2._domainkey) and what they
    /// point to.
    /// </summary>
    internal static class DkimCheck
    {
        private static string DefenderDkimSteps(string domain) =>
            $"In the Microsoft Defender portal ({TestMailDomainOperation.DefenderDkimPage}: Email & collaboration > Policies & rules > " +
                $"Threat policies > Email authentication settings > DKIM), select {domain}, publish the two CNAME records it shows " +
                "(selector1._domainkey and selector2._domainkey), then turn on 'Sign messages for this domain with DKIM signatures'.";

        public static async Task RunAsync(MailDomainCheckState s, IDnsResolver dns, CancellationToken ct)
        {
            string d = s.Domain;
            IReadOnlyList<DkimSelectorResult> selectors;
            try
            {
                selectors = await DkimSelectorCheck.CheckAsync(dns, d, ct).ConfigureAwait(false);
            }
            catch (DnsException e) when (MailDomainCheckState.IsLookupFailure(e))
            {
                s.Add(MailDomainCheck.Dkim, "DkimLookupFailed", FindingSeverity.Warning,
                    $"The DKIM selectors of {d} could not be read, so they weren't checked.", e.Message, e.RecommendedAction);
                return;
            }
            s.Report.Dkim = selectors.ToList();
            string evidence = string.Join("; ",
                selectors.Select(x => $"{x.Name}: {(x.Target != null ? "CNAME " + x.Target : x.State.ToString())}"));
            var missing = selectors.Where(x => x.State == DkimSelectorState.Missing).ToList();
            var microsoft = selectors.Where(x => x.State == DkimSelectorState.Microsoft365OnMicrosoft
                || x.State == DkimSelectorState.Microsoft365DkimMailMicrosoft).ToList();
            if (missing.Count == selectors.Count)
            {
                s.Add(MailDomainCheck.Dkim, "DkimNotConfigured", FindingSeverity.Warning,
                    $"{d} publishes neither Microsoft 365 DKIM selector, so Microsoft 365 can't sign its mail with d={d}: DMARC then " +
                        "depends on SPF alone, which forwarding breaks.",
                    evidence, DefenderDkimSteps(d));
                return;
            }
            foreach (DkimSelectorResult x in missing)
                s.Add(MailDomainCheck.Dkim, "DkimSelectorMissing", FindingSeverity.Warning,
                    $"{x.Name} is not published: Microsoft 365 rotates between selector1 and selector2, so signing breaks at the next " +
                        "key rotation.",
                    evidence, DefenderDkimSteps(d));
            foreach (DkimSelectorResult x in selectors.Where(x => x.State == DkimSelectorState.OtherCname
                || x.State == DkimSelectorState.TxtKey))
                s.Add(MailDomainCheck.Dkim, "DkimSelectorNotMicrosoft365", FindingSeverity.Warning,
                    x.Finding, evidence,
                    $"If {d} sends through Microsoft 365, {x.Name} must be the CNAME Microsoft 365 shows for it; another service signing " +
                        "with the same selector name must move to a different selector. " + DefenderDkimSteps(d));
            foreach (DkimSelectorResult x in microsoft.Where(x => !x.TargetLabelMatchesDomain))
                s.Add(MailDomainCheck.Dkim, "DkimSelectorTargetMismatch", FindingSeverity.Warning,
                    x.Finding, evidence, DefenderDkimSteps(d));
            if (microsoft.Select(x => x.Tenant).Distinct().Count() > 1)
                s.Add(MailDomainCheck.Dkim, "DkimTenantMismatch", FindingSeverity.Warning,
                    $"The DKIM selectors of {d} point to different tenants " +
                        $"({string.Join(", ", microsoft.Select(x => x.Tenant).Distinct())}): one of them is left over " +
                        "from another tenant.",
                    evidence, DefenderDkimSteps(d));
            if (microsoft.Count == selectors.Count && microsoft.All(x => x.TargetLabelMatchesDomain)
                && microsoft.Select(x => x.Tenant).Distinct().Count() == 1)
            {
                string form = microsoft[0].State == DkimSelectorState.Microsoft365DkimMailMicrosoft
                    ? "the dkim.mail.microsoft form"
                    : "the onmicrosoft.com form";
                s.Add(MailDomainCheck.Dkim, "DkimCnamesPublished", FindingSeverity.Information,
                    $"Both DKIM selectors of {d} point to Microsoft 365 (tenant {microsoft[0].Tenant}, {form}). DNS can't show whether " +
                        "signing is turned on: the Defender portal does.",
                    evidence, DefenderDkimSteps(d));
            }
        }
    }
}
