using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using M365SmtpTools.Engine.Dns;
using M365SmtpTools.Engine.Dns.Spf;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>
    /// Test-M365MailDomain's SPF check: one valid record, its all term, its lookups as a receiver counts them, and
    /// Microsoft 365's include.
    /// </summary>
    internal static class SpfCheck
    {
        private const int LookupsNearLimit = 8;

        public static async Task RunAsync(MailDomainCheckState s, IDnsResolver dns, CancellationToken ct)
        {
            string d = s.Domain;
            MailDomainSpf spf = s.Report.Spf;
            DnsAnswer answer;
            try
            {
                answer = await dns.QueryAsync(d, DnsRecordType.TXT, ct).ConfigureAwait(false);
            }
            catch (DnsException e) when (MailDomainCheckState.IsLookupFailure(e))
            {
                spf.Result = SpfResult.TempError;
                spf.ResultReason = e.Message;
                s.Add(MailDomainCheck.Spf, "SpfLookupFailed", FindingSeverity.Warning,
                    $"The TXT records of {d} could not be read, so its SPF record wasn't checked.", e.Message, e.RecommendedAction);
                return;
            }
            List<TxtRecord> spfRecords = answer.Records.OfType<TxtRecord>().Where(t => SpfRecord.IsSpf(t.Text)).ToList();
            spf.RecordCount = spfRecords.Count;
            string include = s.Microsoft365Include;
            if (spfRecords.Count == 0)
            {
                spf.Result = SpfResult.None;
                spf.ResultReason = $"{d} publishes no SPF record.";
                s.Add(MailDomainCheck.Spf, "SpfMissing", FindingSeverity.Error,
                    $"{d} publishes no SPF record: receivers can't tell which servers may send as {d}, and Direct Send and relay mail is " +
                        "likely to be junked.",
                    $"{d} TXT: {(answer.Records.Count == 0 ? "none" : string.Join("; ", answer.Records.OfType<TxtRecord>().Select(t => "\"" + t.Text + "\"")))}",
                    $"Publish one TXT record at {d}: v=spf1 include:{include} ~all (add ip4:<address> for each device or server that " +
                        "sends directly, such as Direct Send or relay devices; tighten ~all to -all once every sender is listed).");
                return;
            }
            if (spfRecords.Count > 1)
            {
                spf.Result = SpfResult.PermError;
                spf.ResultReason = $"{d} publishes {spfRecords.Count} SPF records; there must be exactly one.";
                s.Add(MailDomainCheck.Spf, "SpfMultipleRecords", FindingSeverity.Error,
                    $"{d} publishes {spfRecords.Count} SPF records. RFC 7208 allows one, so every receiver gets PermError and SPF fails " +
                        $"for all mail from {d}.",
                    string.Join("; ", spfRecords.Select(t => "\"" + t.Text + "\"")),
                    "Merge them into one 'v=spf1 …' TXT record (every mechanism once, one 'all' at the end) and delete the others.");
                return;
            }
            TxtRecord txt = spfRecords[0];
            spf.Record = txt.Text;
            if (txt.Strings.Count > 1)
                s.Host.WriteVerbose($"{d}: the SPF record is published as {txt.Strings.Count} strings, joined without separators as RFC " +
                    "7208 section 3.3 says.");

            if (!SpfRecord.TryParse(txt.Text, out SpfRecord? record, out string? syntaxError))
            {
                spf.Result = SpfResult.PermError;
                spf.ResultReason = $"The SPF record of {d} is invalid: {syntaxError}.";
                s.Add(MailDomainCheck.Spf, "SpfSyntaxError", FindingSeverity.Error,
                    $"The SPF record of {d} is invalid ({syntaxError}), so every receiver gets PermError and SPF fails " +
                        $"for all mail from {d}.",
                    txt.Text,
                    "Correct the term at your DNS host (RFC 7208 section 5 gives each mechanism's syntax).");
                return;
            }
            SpfMechanism? all = record!.Mechanisms.FirstOrDefault(m => m.Kind == SpfMechanismKind.All);
            spf.AllTerm = all?.Text;
            if (all != null && all.Qualifier == SpfQualifier.Pass)
                s.Add(MailDomainCheck.Spf, "SpfPlusAll", FindingSeverity.Warning,
                    $"The SPF record of {d} ends in '{all.Text}', which authorizes every server on the internet to send as {d}.",
                    txt.Text, $"Replace '{all.Text}' with -all (or ~all while you confirm every sender is listed).");
            else if (all != null && all.Qualifier == SpfQualifier.Neutral)
                s.Add(MailDomainCheck.Spf, "SpfNeutralAll", FindingSeverity.Warning,
                    $"The SPF record of {d} ends in '{all.Text}': it asserts nothing about servers it doesn't list, so forged mail from " +
                        $"{d} gets no SPF verdict against it.",
                    txt.Text, $"Replace '{all.Text}' with -all (or ~all while you confirm every sender is listed).");
            else if (all == null && record.Redirect == null)
                s.Add(MailDomainCheck.Spf, "SpfNoAll", FindingSeverity.Warning,
                    $"The SPF record of {d} has no 'all' term and no redirect=, so servers it doesn't list get Neutral: forged mail from " +
                        $"{d} gets no SPF verdict against it.",
                    txt.Text, "End the record with -all (or ~all while you confirm every sender is listed).");
            if (record.Mechanisms.Any(m => m.Kind == SpfMechanismKind.Ptr))
                s.Add(MailDomainCheck.Spf, "SpfPtrMechanism", FindingSeverity.Warning,
                    $"The SPF record of {d} uses 'ptr', which RFC 7208 says not to use: it is slow, costs many lookups and some " +
                        "receivers skip it.",
                    txt.Text, "Replace 'ptr' with ip4:/ip6: ranges or a: names of the sending servers.");

            // The record as receivers see it for a sender it doesn't list: walks every term (limits, loops, nested errors).
            var evaluator = new SpfEvaluator(dns);
            SpfEvaluation probe = await evaluator.CheckHostAsync(TestMailDomainOperation.ProbeAddress, d, null, null, ct)
                .ConfigureAwait(false);
            foreach (string line in probe.Trace) s.Host.WriteVerbose($"{d}: SPF: {line}");
            spf.Result = probe.Result;
            spf.ResultReason = probe.Reason;
            spf.DnsLookups = probe.DnsLookups;
            spf.VoidLookups = probe.VoidLookups;

            SpfLookupCount count = await new SpfLookupCounter(dns).CountAsync(d, ct).ConfigureAwait(false);
            var includeTerm = new Regex(@":\s*\+?include:" + Regex.Escape(include) + @"\.?$",
                RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
            spf.IncludesMicrosoft365 = count.CountedTerms.Any(t => includeTerm.IsMatch(t));

            switch (probe.Result)
            {
                case SpfResult.PermError:
                    ReportPermError(s, probe, txt.Text);
                    break;
                case SpfResult.TempError:
                    s.Add(MailDomainCheck.Spf, "SpfLookupFailed", FindingSeverity.Warning,
                        $"Part of the SPF record of {d} could not be read, so receivers may get TempError too; the rest of the record " +
                            "wasn't checked.",
                        probe.Reason, "Check that every domain the record includes exists and its DNS servers answer; then test again.");
                    break;
                case SpfResult.Pass:
                    if (all == null || all.Qualifier != SpfQualifier.Pass)
                        s.Add(MailDomainCheck.Spf, "SpfAuthorizesEveryone", FindingSeverity.Warning,
                            $"The SPF record of {d} passes for {TestMailDomainOperation.ProbeAddress}, an address no sender uses: it " +
                                "authorizes (nearly) every server on the internet.",
                            probe.Reason, "Replace the over-broad term with the exact ranges of your sending servers.");
                    break;
                default:
                    s.Add(MailDomainCheck.Spf, "SpfValid", FindingSeverity.Information,
                        $"The SPF record of {d} is valid: {probe.DnsLookups} of {SpfEvaluator.MaxDnsLookups} DNS lookups, " +
                            $"{probe.VoidLookups} of {SpfEvaluator.MaxVoidLookups} void lookups; servers it doesn't list get " +
                            $"{probe.Result}.",
                        txt.Text);
                    if (probe.DnsLookups >= LookupsNearLimit)
                        s.Add(MailDomainCheck.Spf, "SpfLookupsNearLimit", FindingSeverity.Information,
                            $"The SPF record of {d} uses {probe.DnsLookups} of the {SpfEvaluator.MaxDnsLookups} DNS lookups receivers " +
                                "allow; one or two more includes will break it for every sender.",
                            string.Join("; ", count.CountedTerms),
                            "Before adding an include, replace includes you no longer need, or use ip4:/ip6: ranges (they cost " +
                                "no lookup).");
                    break;
            }

            if (s.Microsoft365Form != null && !spf.IncludesMicrosoft365 && probe.Result != SpfResult.PermError)
                s.Add(MailDomainCheck.Spf, "SpfMissingMicrosoft365Include", FindingSeverity.Warning,
                    $"{d} receives mail in Microsoft 365, but its SPF record doesn't include {include}: mail Microsoft 365 sends to the " +
                        $"internet for {d} fails SPF.",
                    txt.Text,
                    $"Publish instead: {SpfTerm.InsertBeforeAll(txt.Text, "include:" + include)} (unless mail from {d} leaves through " +
                        "another gateway, which is then the one to list).");
        }

        private static void ReportPermError(MailDomainCheckState s, SpfEvaluation probe, string text)
        {
            string d = s.Domain;
            string consequence = $"every receiver gets PermError and SPF fails for all mail from {d}";
            string early = $"receivers stop with PermError, so SPF fails for every sender of {d} that isn't matched before that point";
            if (probe.DnsLookups > SpfEvaluator.MaxDnsLookups)
                s.Add(MailDomainCheck.Spf, "SpfTooManyLookups", FindingSeverity.Error,
                    $"The SPF record of {d} needs more than {SpfEvaluator.MaxDnsLookups} DNS lookups: {early}.",
                    probe.Reason,
                    "Remove includes you no longer need, replace include/a/mx terms with ip4:/ip6: ranges, or move a group of senders to " +
                        "a subdomain with its own record.");
            else if (probe.VoidLookups > SpfEvaluator.MaxVoidLookups)
                s.Add(MailDomainCheck.Spf, "SpfTooManyVoidLookups", FindingSeverity.Error,
                    $"The SPF record of {d} names more than {SpfEvaluator.MaxVoidLookups} hosts or domains that don't exist or have no " +
                        $"records: {early}.",
                    probe.Reason, "Remove the terms that point to names without records.");
            else if (probe.Reason.StartsWith("SPF loop", StringComparison.Ordinal))
                s.Add(MailDomainCheck.Spf, "SpfLoop", FindingSeverity.Error,
                    $"The SPF record of {d} includes itself through a loop: {consequence}.",
                    probe.Reason, "Break the loop: an include or redirect must not lead back to a record already being evaluated.");
            else
                s.Add(MailDomainCheck.Spf, "SpfPermError", FindingSeverity.Error,
                    $"The SPF record of {d} can't be evaluated: {consequence}.",
                    probe.Reason + " Record: " + text,
                    "Fix what the evidence names (an included domain without an SPF record, a syntax error in an included record, two " +
                        "records in one place).");
        }
    }
}
