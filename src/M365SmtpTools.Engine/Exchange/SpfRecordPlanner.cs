using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using M365SmtpTools.Engine.Dns.Spf;

namespace M365SmtpTools.Engine.Exchange
{
    /// <summary>The SPF part of a relay plan: the record the domain publishes now and the one to publish instead.</summary>
    public sealed class SpfChange
    {
        /// <summary>The domain whose TXT records were read.</summary>
        public string Domain { get; internal set; } = "";

        /// <summary>False when the TXT records couldn't be read (see the DnsLookupFailed finding).</summary>
        public bool Checked { get; internal set; }

        /// <summary>Every SPF record (TXT starting with <c>v=spf1</c>) the domain publishes; more than one is an error.</summary>
        public string[] CurrentRecords { get; internal set; } = new string[0];

        /// <summary>The current SPF record when there is exactly one, else null.</summary>
        public string? Current { get; internal set; }

        /// <summary>True when the record has to change (or be created).</summary>
        public bool ChangeNeeded { get; internal set; }

        /// <summary>
        /// The SPF record to publish instead of <see cref="Current"/>, or null when no change is needed or none can be
        /// proposed.
        /// </summary>
        public string? Proposed { get; internal set; }

        /// <summary>
        /// <see cref="Proposed"/> as the strings of one TXT record (each at most 255 characters; DNS joins them without
        /// spaces).
        /// </summary>
        public string[] ProposedStrings { get; internal set; } = new string[0];

        /// <summary>
        /// Whether the sender's IP range is authorized by an <c>ip4:</c> term of the current record: true, false, or null when
        /// not known (certificate plans, no record, DNS not read). Includes are not evaluated here.
        /// </summary>
        public bool? AuthorizesSender { get; internal set; }

        /// <summary>
        /// DNS-querying terms (include, a, mx, ptr, exists, redirect) at the top level of the proposed record (or the
        /// current one when unchanged).
        /// </summary>
        public int DnsLookupTerms { get; internal set; }

        /// <summary>One line, as a table cell or an Export-Csv column shows it.</summary>
        public override string ToString() =>
            !Checked ? $"{Domain}: not checked (DNS couldn't be read)"
            : ChangeNeeded ? $"{Domain}: publish {Proposed ?? "(no proposal)"}"
                + (CurrentRecords.Length > 0 ? $" instead of {string.Join(" | ", CurrentRecords)}" : " (no SPF record yet)")
            : $"{Domain}: no change ({Current ?? string.Join(" | ", CurrentRecords)})";
    }

    /// <summary>
    /// A syntactic look at a domain's SPF record for a relay plan, and the merged record that adds the relay sender. It
    /// does not evaluate include/redirect/a/mx: Test-M365MailDomain does (RFC 7208).
    /// </summary>
    internal static class SpfRecordPlanner
    {
        public const string MicrosoftInclude = "include:spf.protection.outlook.com";
        public const int MaxTxtString = 255;
        private static readonly HashSet<string> LookupTerms = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
            { "include", "a", "mx", "ptr", "exists", "redirect" };

        /// <summary>
        /// Plans the SPF change. <paramref name="txtRecords"/> null means the records couldn't be read.
        /// <paramref name="sender"/> null (certificate plans) only makes sure Microsoft 365's include is there.
        /// </summary>
        public static SpfChange Plan(string domain, IReadOnlyList<string>? txtRecords, SenderAddressRange? sender,
            List<PlanFinding> findings)
        {
            var change = new SpfChange { Domain = domain, Checked = txtRecords != null };
            if (txtRecords == null) return change;
            string senderTerm = sender == null ? "" : "ip4:" + sender.Text;
            var spf = txtRecords.Where(SpfRecord.IsSpf).Select(r => r.Trim()).ToArray();
            change.CurrentRecords = spf;

            if (spf.Length > 1)
            {
                findings.Add(new PlanFinding("SpfMultipleRecords", FindingSeverity.Error,
                    $"{domain} publishes {spf.Length} SPF records. RFC 7208 allows one; with several, every SPF check returns permerror " +
                        "and receivers may reject or junk the domain's mail. Records: " +
                        string.Join(" | ", spf.Select(TerminalText.Escape)),
                    "Merge them into one TXT record that starts with v=spf1 (keeping every sender's mechanisms once, " +
                        $"{MicrosoftInclude}{(sender == null ? "" : " and " + senderTerm)} and one all at the end), delete the others, " +
                        "then run this plan again."));
                change.ChangeNeeded = true;
                return change;
            }

            if (spf.Length == 0)
            {
                // ~all rather than -all: a domain with no SPF record so far may have senders nobody has listed yet
                // (newsletters, ticketing, other services); softfail lets DMARC reports reveal them before anything is
                // rejected. Move to -all once the reports show every sender covered.
                string proposed = "v=spf1" + (sender == null ? "" : " " + senderTerm) + " " + MicrosoftInclude + " ~all";
                change.ChangeNeeded = true;
                change.AuthorizesSender = sender == null ? (bool?)null : false;
                SetProposed(change, proposed);
                findings.Add(new PlanFinding("SpfMissing", FindingSeverity.Warning,
                    $"{domain} publishes no SPF record, so receivers can't tell that mail from " +
                        $"{(sender == null ? "Microsoft 365" : sender.Text + " and Microsoft 365")} is legitimate and will often junk it.",
                    $"Publish one TXT record at {domain}: {proposed} (~all = softfail: switch to -all once DMARC reports show every " +
                        "sender of the domain is listed)."));
                AddLengthFinding(change, findings);
                return change;
            }

            string current = spf[0];
            change.Current = current;
            if (current.Any(c => c < ' ' || c > '~'))
            {
                // RFC 7208 4.6.1: terms are printable ASCII separated by spaces. A record with line breaks, control or
                // non-ASCII characters is a permerror at every receiver, and merging into it would carry them along.
                findings.Add(new PlanFinding("SpfRecordInvalidCharacters", FindingSeverity.Error,
                    $"The SPF record of {domain} contains characters that are not printable ASCII (line breaks, control or non-ASCII " +
                        $"characters): {TerminalText.Escape(current)}. RFC 7208 allows only ASCII terms separated by spaces, so " +
                        "receivers return permerror; the plan doesn't merge into it.",
                    "Publish the record again as one line of printable ASCII, with " +
                        $"{MicrosoftInclude}{(sender == null ? "" : " and " + senderTerm)} in it, then run this plan again."));
                change.ChangeNeeded = true;
                return change;
            }
            List<SpfTerm> terms = SpfTerm.Split(current);
            bool hasMicrosoft = terms.Any(t => !t.IsModifier && t.Name == "include"
                && t.Value.Equals("spf.protection.outlook.com", StringComparison.OrdinalIgnoreCase));
            bool? authorizes = null;
            if (sender != null)
            {
                authorizes = false;
                foreach (SpfTerm t in terms.Where(t => !t.IsModifier && t.Name == "ip4"))
                {
                    if (!SenderAddressRange.TryParseIp4Term(t.Value, out uint net, out int len) || !sender.IsWithin(net, len)) continue;
                    authorizes = t.Qualifier == '+';
                    if (t.Qualifier != '+')
                        findings.Add(new PlanFinding("SpfDeniesSender", FindingSeverity.Error,
                            $"The SPF record of {domain} lists {sender.Text} in '{t.Text}', whose qualifier '{t.Qualifier}' makes it " +
                                $"{QualifierMeaning(t.Qualifier)} rather than pass.",
                            $"Change '{t.Text}' to '{senderTerm}' in the record."));
                    break;
                }
                change.AuthorizesSender = authorizes;
            }

            SpfTerm? all = terms.FirstOrDefault(t => !t.IsModifier && t.Name == "all");
            if (all != null && (all.Qualifier == '+' || all.Qualifier == '?'))
                findings.Add(new PlanFinding("SpfPermissiveAll", FindingSeverity.Warning,
                    $"The SPF record of {domain} ends with '{all.Text}', which " +
                        $"{(all.Qualifier == '+' ? "lets every host on the internet pass SPF as " + domain : "says nothing about hosts that aren't listed (neutral)")}, " +
                        "so it protects nothing. The plan keeps it as it is.",
                    "Use ~all (softfail) or -all (fail) once every legitimate sender is listed."));
            if (all == null && !terms.Any(t => t.IsModifier && t.Name == "redirect"))
                findings.Add(new PlanFinding("SpfNoAll", FindingSeverity.Warning,
                    $"The SPF record of {domain} has no all mechanism and no redirect, so hosts that aren't listed get neutral: it " +
                        "doesn't protect the domain.",
                    "End the record with ~all or -all."));

            bool addSender = sender != null && authorizes == false && !findings.Any(f => f.Id == "SpfDeniesSender");
            if (!addSender && hasMicrosoft)
            {
                change.DnsLookupTerms = CountLookups(terms.Select(t => t.Name).Where(n => n.Length > 0));
                if (sender != null && authorizes == true)
                    findings.Add(new PlanFinding("SpfAuthorizesSender", FindingSeverity.Information,
                        $"The SPF record of {domain} already lists {sender.Text} and {MicrosoftInclude}: no change needed."));
                else if (sender == null)
                    findings.Add(new PlanFinding("SpfIncludesMicrosoft365", FindingSeverity.Information,
                        $"The SPF record of {domain} includes spf.protection.outlook.com, which covers the mail Microsoft 365 relays for " +
                            "the device: no change needed."));
                CheckLookups(change, domain, findings, proposed: false);
                return change;
            }

            // Merge: keep every term in order; the sender's ip4 before the first include/all, Microsoft's include before
            // all (or before the trailing modifiers, or at the end).
            var merged = terms.Select(t => t.Text).ToList();
            if (addSender)
            {
                int at = IndexOf(terms, t => !t.IsModifier && (t.Name == "include" || t.Name == "all"));
                if (at < 0) at = IndexOf(terms, t => t.IsModifier);
                if (at < 0) at = terms.Count;
                merged.Insert(at, senderTerm);
                terms.Insert(at, SpfTerm.Lex(senderTerm));
            }
            if (!hasMicrosoft)
            {
                int at = IndexOf(terms, t => !t.IsModifier && t.Name == "all");
                if (at < 0) at = IndexOf(terms, t => t.IsModifier);
                if (at < 0) at = terms.Count;
                merged.Insert(at, MicrosoftInclude);
                terms.Insert(at, SpfTerm.Lex(MicrosoftInclude));
            }
            string record = "v=spf1 " + string.Join(" ", merged);
            change.ChangeNeeded = true;
            SetProposed(change, record);
            change.DnsLookupTerms = CountLookups(terms.Select(t => t.Name).Where(n => n.Length > 0));

            if (addSender)
                findings.Add(new PlanFinding("SpfNotAuthorized", FindingSeverity.Warning,
                    $"The SPF record of {domain} has no ip4: term covering {sender!.Text}" +
                        $"{(hasMicrosoft ? "" : " and doesn't include spf.protection.outlook.com")}. (Only ip4: terms are read here: " +
                        "an include, a, mx or redirect might still cover the address; " +
                        "Test-M365MailDomain -SenderIPAddress evaluates the whole record.)",
                    $"Replace the SPF record of {domain} with: {record}"));
            else
                findings.Add(new PlanFinding("SpfMissingMicrosoftInclude", FindingSeverity.Warning,
                    $"The SPF record of {domain} doesn't include spf.protection.outlook.com, so mail that Microsoft 365 relays for the " +
                        "device to outside recipients can fail SPF.",
                    $"Replace the SPF record of {domain} with: {record}"));
            CheckLookups(change, domain, findings, proposed: true);
            AddLengthFinding(change, findings);
            return change;
        }

        private static void CheckLookups(SpfChange change, string domain, List<PlanFinding> findings, bool proposed)
        {
            if (change.DnsLookupTerms <= 10) return;
            findings.Add(new PlanFinding("SpfTooManyLookups", FindingSeverity.Warning,
                $"The {(proposed ? "merged" : "current")} SPF record of {domain} has {change.DnsLookupTerms} DNS-querying terms (include, a, mx, ptr, exists, redirect) at its top level; RFC 7208 allows 10 lookups in all (nested includes count too), and beyond that SPF returns permerror.",
                "Remove includes of services the domain no longer uses, or replace a, mx and ptr terms with ip4: ranges; " +
                    "Test-M365MailDomain counts the nested lookups."));
        }

        private static void AddLengthFinding(SpfChange change, List<PlanFinding> findings)
        {
            if (change.Proposed == null || change.Proposed.Length <= MaxTxtString) return;
            findings.Add(new PlanFinding("SpfRecordSplit", FindingSeverity.Information,
                $"The proposed SPF record is {change.Proposed.Length} characters; one TXT string holds at most 255, so it has to be " +
                    $"published as {change.ProposedStrings.Length} strings in one TXT record (DNS joins them without adding spaces).",
                "Enter it as the quoted strings in ProposedStrings, in order, in one " +
                    "TXT record: " + string.Join(" ", change.ProposedStrings.Select(s => "\"" + s + "\""))));
        }

        private static void SetProposed(SpfChange change, string record)
        {
            change.Proposed = record;
            change.ProposedStrings = Split(record);
        }

        /// <summary>Splits a TXT value into strings of at most 255 characters, cutting before a space where possible.</summary>
        public static string[] Split(string record)
        {
            var parts = new List<string>();
            int start = 0;
            while (record.Length - start > MaxTxtString)
            {
                int cut = record.LastIndexOf(' ', start + MaxTxtString, MaxTxtString);
                if (cut <= start) cut = start + MaxTxtString;
                parts.Add(record.Substring(start, cut - start));
                start = cut;
            }
            parts.Add(record.Substring(start));
            return parts.ToArray();
        }

        private static int CountLookups(IEnumerable<string> names) => names.Count(n => LookupTerms.Contains(n));

        private static int IndexOf(List<SpfTerm> terms, Func<SpfTerm, bool> predicate)
        {
            for (int i = 0; i < terms.Count; i++) if (predicate(terms[i])) return i;
            return -1;
        }

        private static string QualifierMeaning(char q) => q == '-' ? "fail" : q == '~' ? "softfail" : q == '?' ? "neutral" : "pass";
    }
}
