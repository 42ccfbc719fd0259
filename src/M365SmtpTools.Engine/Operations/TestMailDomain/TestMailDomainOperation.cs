using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using M365SmtpTools.Engine.Dns;
using M365SmtpTools.Engine.Dns.Dkim;
using M365SmtpTools.Engine.Dns.Dmarc;
using M365SmtpTools.Engine.Dns.Spf;
using M365SmtpTools.Engine.Exchange;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>
    /// Test-M365MailDomain: checks a domain's MX, SPF, DMARC and DKIM records the way Microsoft 365 needs them and, with a
    /// sender address, whether Direct Send from it would pass SPF. One <see cref="MailDomainReport"/> per domain; a domain
    /// that can't be reported on (invalid name, NXDOMAIN) is an error through the callback and the next domain goes on.
    /// DNS failures inside one check become findings of the report.
    /// </summary>
    public sealed class TestMailDomainOperation
    {
        /// <summary>
        /// The address the SPF record is evaluated for when judging the record itself: one no record lists (240.0.0.0/4 is
        /// reserved), so the evaluation walks every term as a receiver does for a forged message.
        /// </summary>
        public static readonly IPAddress ProbeAddress = IPAddress.Parse("240.0.0.1");

        /// <summary>Where the Microsoft Defender portal's DKIM page is.</summary>
        public const string DefenderDkimPage = "https://security.microsoft.com/authentication?viewid=DKIM";

        private const int LookupsNearLimit = 8;
        private static readonly Regex PolicyNone = new Regex(@"(?<lead>(^|;)\s*)p\s*=\s*none", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        private static readonly Regex AllTerm = new Regex(@"^[+\-~?]?all$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

        private readonly Func<TestMailDomainRequest, Action<string>, IDnsResolver>? _resolverFactory;

        /// <summary>Creates the operation; it asks DNS with <see cref="DnsClient"/>.</summary>
        public TestMailDomainOperation()
        {
        }

        /// <summary>Creates the operation with another resolver (tests, C# callers with their own DNS).</summary>
        public TestMailDomainOperation(Func<TestMailDomainRequest, Action<string>, IDnsResolver> resolverFactory) =>
            _resolverFactory = resolverFactory ?? throw new ArgumentNullException(nameof(resolverFactory));

        /// <summary>
        /// Runs the request. <paramref name="onResult"/> receives one report per domain as soon as it is complete;
        /// <paramref name="onError"/> receives one error per domain that can't be reported on (InvalidDomainName,
        /// DnsNameNotFound) with the domain as target. Throws only for what stops every domain (an invalid DNS server,
        /// an invalid timeout); DNS failures of one check (timeouts, SERVFAIL) become findings of that domain's report.
        /// </summary>
        public async Task RunAsync(TestMailDomainRequest request, IOperationHost host, Action<MailDomainReport> onResult,
            Action<M365SmtpException> onError, CancellationToken cancellationToken = default)
        {
            if (request == null) throw new ArgumentNullException(nameof(request));
            if (host == null) throw new ArgumentNullException(nameof(host));
            if (onResult == null) throw new ArgumentNullException(nameof(onResult));
            if (onError == null) throw new ArgumentNullException(nameof(onError));
            DnsClient.ValidateTimeoutSeconds(request.TimeoutSeconds);

            IDnsResolver resolver = _resolverFactory != null
                ? _resolverFactory(request, host.WriteVerbose)
                : DnsClient.Create(request.DnsServer, request.TimeoutSeconds, host.WriteVerbose);

            foreach (string input in request.Domain ?? new string[0])
            {
                cancellationToken.ThrowIfCancellationRequested();
                MailDomainReport report;
                try
                {
                    report = await CheckAsync(input, request.SenderIPAddress, resolver, host, cancellationToken).ConfigureAwait(false);
                }
                catch (DnsException e) when (e.ErrorId == DnsErrorIds.InvalidDomainName || e.ErrorId == DnsErrorIds.NameNotFound)
                {
                    e.TargetObject = input;
                    onError(e);
                    continue;
                }
                onResult(report);
            }
        }

        private static async Task<MailDomainReport> CheckAsync(string input, IPAddress? sender, IDnsResolver dns, IOperationHost host, CancellationToken ct)
        {
            string domain = DnsName.Normalize(input);
            var state = new DomainState(domain, host);
            host.WriteVerbose($"{domain}: checking MX, SPF, DMARC and DKIM.");
            await CheckMxAsync(state, dns, ct).ConfigureAwait(false);
            await CheckSpfAsync(state, dns, ct).ConfigureAwait(false);
            await CheckDmarcAsync(state, dns, ct).ConfigureAwait(false);
            await CheckDkimAsync(state, dns, ct).ConfigureAwait(false);
            if (sender != null) await CheckDirectSendAsync(state, sender, dns, ct).ConfigureAwait(false);

            MailDomainReport r = state.Report;
            r.Findings = state.Findings.OrderByDescending(f => f.Severity).ToList();
            r.Overall = state.Findings.Any(f => f.Severity == FindingSeverity.Error) ? MailDomainStatus.Failed
                : state.Findings.Any(f => f.Severity == FindingSeverity.Warning) ? MailDomainStatus.Warning
                : MailDomainStatus.Passed;
            host.WriteVerbose($"{domain}: {r.Overall} ({r.Findings.Count(f => f.Severity == FindingSeverity.Error)} error(s), {r.Findings.Count(f => f.Severity == FindingSeverity.Warning)} warning(s)).");
            return r;
        }

        private sealed class DomainState
        {
            public DomainState(string domain, IOperationHost host)
            {
                Domain = domain;
                Host = host;
                Report = new MailDomainReport { Domain = domain };
                Report.Dmarc.RecordName = "_dmarc." + domain;
            }

            public string Domain { get; }
            public IOperationHost Host { get; }
            public MailDomainReport Report { get; }
            public List<MailDomainFinding> Findings { get; } = new List<MailDomainFinding>();
            /// <summary>The Microsoft 365 form of the most preferred Microsoft 365 MX, when there is one.</summary>
            public MxEndpointForm? Microsoft365Form { get; set; }
            public DmarcRecord? Dmarc { get; set; }

            /// <summary>The SPF include of the tenant's cloud, judged from the MX.</summary>
            public string Microsoft365Include => SpfIncludeFor(Microsoft365Form);

            public MailDomainFinding Add(MailDomainCheck check, string id, FindingSeverity severity, string message,
                string? evidence = null, string? remediation = null, string? command = null)
            {
                var f = new MailDomainFinding
                {
                    Domain = Domain, Check = check, Id = id, Severity = severity, Message = message,
                    Evidence = evidence, Remediation = remediation, Command = command,
                };
                Findings.Add(f);
                Host.WriteVerbose($"{Domain}: [{severity}] {id}: {message}");
                return f;
            }
        }

        /// <summary>The SPF include Microsoft publishes for a cloud, chosen by the MX endpoint's form.</summary>
        public static string SpfIncludeFor(MxEndpointForm? form) => form switch
        {
            MxEndpointForm.GccHigh => "spf.protection.office365.us",
            MxEndpointForm.China => "spf.protection.partner.outlook.cn",
            _ => "spf.protection.outlook.com",
        };

        // ---------------------------------------------------------------- MX

        private static async Task CheckMxAsync(DomainState s, IDnsResolver dns, CancellationToken ct)
        {
            string d = s.Domain;
            DnsAnswer answer;
            try
            {
                answer = await dns.QueryAsync(d, DnsRecordType.MX, ct).ConfigureAwait(false);
            }
            catch (DnsException e) when (IsLookupFailure(e))
            {
                s.Add(MailDomainCheck.Mx, "MxLookupFailed", FindingSeverity.Warning,
                    $"The MX records of {d} could not be read, so it is unknown whether mail for it reaches Microsoft 365.",
                    e.Message, e.RecommendedAction);
                return;
            }
            if (answer.IsNameError)
            {
                DnsException nx = DnsClient.NameNotFound(answer);
                nx.RecommendedAction = $"Check the spelling of {d}; a domain that doesn't exist in DNS can't send or receive mail. If it was just created, wait for DNS to publish it.";
                throw nx;
            }
            s.Report.DnsServer = answer.Server;
            List<MxRecord> records = answer.Records.OfType<MxRecord>().OrderBy(r => r.Preference).ThenBy(r => r.Exchange, StringComparer.Ordinal).ToList();
            var results = new List<MxEndpointResult>();
            foreach (MxRecord mx in records)
            {
                if (mx.Exchange.Length == 0)
                {
                    results.Add(new MxEndpointResult
                    {
                        Domain = d, MxHost = ".", Preference = mx.Preference, EndpointForm = MxEndpointForm.Other,
                        TimeToLive = (int)mx.TimeToLive, DnsServer = answer.Server, Note = "Null MX (RFC 7505): the domain accepts no mail.",
                    });
                    continue;
                }
                MxEndpointClassification c = MxEndpointClassifier.Classify(mx.Exchange);
                results.Add(new MxEndpointResult
                {
                    Domain = d, MxHost = c.Host, Preference = mx.Preference, IsMicrosoft365 = c.IsMicrosoft365, EndpointForm = c.Form,
                    TenantLabel = c.TenantLabel, TimeToLive = (int)mx.TimeToLive, DnsServer = answer.Server,
                });
            }
            s.Report.Mx = results;
            string evidence = results.Count == 0 ? $"{d} MX: no records (asked {answer.Server})" : string.Join("; ", results.Select(r => $"MX {r.Preference} {r.MxHost} ({r.EndpointForm})"));
            string guess = MxEndpointClassifier.DeriveLegacyEndpoint(d);
            bool reliable = MxEndpointClassifier.IsDerivationReliable(d);
            string guessText = $"the legacy endpoint Microsoft 365 usually assigns is {guess}{(reliable ? "" : ", but for a domain with hyphens that guess is unreliable")}";

            if (results.Count == 0)
            {
                s.Add(MailDomainCheck.Mx, "MxMissing", FindingSeverity.Error,
                    $"{d} has no MX records: it can't receive mail, and there is no Microsoft 365 endpoint for relay or Direct Send devices to connect to.",
                    evidence,
                    $"If {d} is an accepted domain of your tenant, publish the MX record shown in the Microsoft 365 admin center (Settings > Domains > {d} > DNS records); {guessText}.",
                    $"Get-AcceptedDomain -Identity '{d}'");
                return;
            }
            if (results.All(r => r.MxHost == "."))
            {
                s.Add(MailDomainCheck.Mx, "MxNullMx", FindingSeverity.Error,
                    $"{d} publishes a null MX (RFC 7505): it declares that it accepts no mail, so Direct Send and relay to it can't work.",
                    evidence,
                    $"Remove the null MX and publish the MX record shown in the Microsoft 365 admin center if {d} should receive mail in Microsoft 365.");
                return;
            }
            var forms = results.Where(r => r.IsMicrosoft365).Select(r => r.EndpointForm).Distinct().ToList();
            bool mixedForms = forms.Contains(MxEndpointForm.Legacy) && forms.Contains(MxEndpointForm.Dnssec);
            MxEndpointResult primary = results.First(r => r.MxHost != ".");
            MxEndpointResult? firstM365 = results.FirstOrDefault(r => r.IsMicrosoft365);
            s.Report.IsMicrosoft365 = primary.IsMicrosoft365;
            s.Microsoft365Form = firstM365?.EndpointForm;
            if (firstM365 == null)
            {
                s.Add(MailDomainCheck.Mx, "MxNotMicrosoft365", FindingSeverity.Warning,
                    $"No MX record of {d} is a Microsoft 365 endpoint: inbound mail goes to {primary.MxHost}. Relay and Direct Send devices must still connect to the tenant's own endpoint, which DNS doesn't show here.",
                    evidence,
                    $"If {d} is hosted in Microsoft 365, use the MX endpoint shown in the Microsoft 365 admin center as the devices' SMTP server ({guessText}); if mail for {d} is deliberately handled elsewhere, ignore this.");
            }
            else if (!primary.IsMicrosoft365)
            {
                s.Add(MailDomainCheck.Mx, "MxMicrosoft365NotPrimary", FindingSeverity.Information,
                    $"The most preferred MX of {d} is {primary.MxHost}, not Microsoft 365; {firstM365.MxHost} is listed with a lower preference. Mail reaches Microsoft 365 through the other service.",
                    evidence,
                    $"Relay and Direct Send devices should connect to {firstM365.MxHost}. With a third-party filter in front, turn on Enhanced Filtering for its inbound connector so Microsoft 365 sees the original sender's IP.");
            }
            else
            {
                string formText = firstM365.EndpointForm switch
                {
                    MxEndpointForm.Dnssec => "the DNSSEC-capable form",
                    MxEndpointForm.Legacy => "the legacy form",
                    MxEndpointForm.China => "the 21Vianet (China) form",
                    MxEndpointForm.GccHigh => "the GCC High / DoD form",
                    _ => firstM365.EndpointForm.ToString(),
                };
                s.Add(MailDomainCheck.Mx, "MxMicrosoft365", FindingSeverity.Information,
                    $"The MX of {d} is the Microsoft 365 endpoint {firstM365.MxHost} ({formText}); relay and Direct Send devices use it as their SMTP server on port 25.",
                    evidence,
                    firstM365.EndpointForm == MxEndpointForm.Dnssec && !mixedForms ? $"To confirm DNSSEC and SMTP DANE for {d} and the MX record Microsoft 365 expects, run the command." : null,
                    firstM365.EndpointForm == MxEndpointForm.Dnssec && !mixedForms ? DnssecCommand(d) : null);
            }
            if (mixedForms)
            {
                s.Add(MailDomainCheck.Mx, "MxMixedForms", FindingSeverity.Warning,
                    $"{d} lists both the legacy (mail.protection.outlook.com) and the DNSSEC-capable (mx.microsoft) Microsoft 365 endpoints, as in the middle of a move to DNSSEC.",
                    evidence,
                    $"Finish the change: keep only the MX record Microsoft 365 expects, which the command shows (ExpectedMxRecord), and remove the other.",
                    DnssecCommand(d));
            }
        }

        private static string DnssecCommand(string domain) => $"Get-DnssecStatusForVerifiedDomain -DomainName '{domain}'";

        // ---------------------------------------------------------------- SPF

        private static async Task CheckSpfAsync(DomainState s, IDnsResolver dns, CancellationToken ct)
        {
            string d = s.Domain;
            MailDomainSpf spf = s.Report.Spf;
            DnsAnswer answer;
            try
            {
                answer = await dns.QueryAsync(d, DnsRecordType.TXT, ct).ConfigureAwait(false);
            }
            catch (DnsException e) when (IsLookupFailure(e))
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
                    $"{d} publishes no SPF record: receivers can't tell which servers may send as {d}, and Direct Send and relay mail is likely to be junked.",
                    $"{d} TXT: {(answer.Records.Count == 0 ? "none" : string.Join("; ", answer.Records.OfType<TxtRecord>().Select(t => "\"" + t.Text + "\"")))}",
                    $"Publish one TXT record at {d}: v=spf1 include:{include} ~all (add ip4:<address> for each device or server that sends directly, such as Direct Send or relay devices; tighten ~all to -all once every sender is listed).");
                return;
            }
            if (spfRecords.Count > 1)
            {
                spf.Result = SpfResult.PermError;
                spf.ResultReason = $"{d} publishes {spfRecords.Count} SPF records; there must be exactly one.";
                s.Add(MailDomainCheck.Spf, "SpfMultipleRecords", FindingSeverity.Error,
                    $"{d} publishes {spfRecords.Count} SPF records. RFC 7208 allows one, so every receiver gets PermError and SPF fails for all mail from {d}.",
                    string.Join("; ", spfRecords.Select(t => "\"" + t.Text + "\"")),
                    "Merge them into one 'v=spf1 …' TXT record (every mechanism once, one 'all' at the end) and delete the others.");
                return;
            }
            TxtRecord txt = spfRecords[0];
            spf.Record = txt.Text;
            if (txt.Strings.Count > 1)
                s.Host.WriteVerbose($"{d}: the SPF record is published as {txt.Strings.Count} strings, joined without separators as RFC 7208 section 3.3 says.");

            if (!SpfRecord.TryParse(txt.Text, out SpfRecord? record, out string? syntaxError))
            {
                spf.Result = SpfResult.PermError;
                spf.ResultReason = $"The SPF record of {d} is invalid: {syntaxError}.";
                s.Add(MailDomainCheck.Spf, "SpfSyntaxError", FindingSeverity.Error,
                    $"The SPF record of {d} is invalid ({syntaxError}), so every receiver gets PermError and SPF fails for all mail from {d}.",
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
                    $"The SPF record of {d} ends in '{all.Text}': it asserts nothing about servers it doesn't list, so forged mail from {d} gets no SPF verdict against it.",
                    txt.Text, $"Replace '{all.Text}' with -all (or ~all while you confirm every sender is listed).");
            else if (all == null && record.Redirect == null)
                s.Add(MailDomainCheck.Spf, "SpfNoAll", FindingSeverity.Warning,
                    $"The SPF record of {d} has no 'all' term and no redirect=, so servers it doesn't list get Neutral: forged mail from {d} gets no SPF verdict against it.",
                    txt.Text, "End the record with -all (or ~all while you confirm every sender is listed).");
            if (record.Mechanisms.Any(m => m.Kind == SpfMechanismKind.Ptr))
                s.Add(MailDomainCheck.Spf, "SpfPtrMechanism", FindingSeverity.Warning,
                    $"The SPF record of {d} uses 'ptr', which RFC 7208 says not to use: it is slow, costs many lookups and some receivers skip it.",
                    txt.Text, "Replace 'ptr' with ip4:/ip6: ranges or a: names of the sending servers.");

            // The record as receivers see it for a sender it doesn't list: walks every term (limits, loops, nested errors).
            var evaluator = new SpfEvaluator(dns);
            SpfEvaluation probe = await evaluator.CheckHostAsync(ProbeAddress, d, null, null, ct).ConfigureAwait(false);
            foreach (string line in probe.Trace) s.Host.WriteVerbose($"{d}: SPF: {line}");
            spf.Result = probe.Result;
            spf.ResultReason = probe.Reason;
            spf.DnsLookups = probe.DnsLookups;
            spf.VoidLookups = probe.VoidLookups;

            SpfLookupCount count = await new SpfLookupCounter(dns).CountAsync(d, ct).ConfigureAwait(false);
            var includeTerm = new Regex(@":\s*\+?include:" + Regex.Escape(include) + @"\.?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
            spf.IncludesMicrosoft365 = count.CountedTerms.Any(t => includeTerm.IsMatch(t));

            switch (probe.Result)
            {
                case SpfResult.PermError:
                    ReportPermError(s, probe, txt.Text);
                    break;
                case SpfResult.TempError:
                    s.Add(MailDomainCheck.Spf, "SpfLookupFailed", FindingSeverity.Warning,
                        $"Part of the SPF record of {d} could not be read, so receivers may get TempError too; the rest of the record wasn't checked.",
                        probe.Reason, "Check that every domain the record includes exists and its DNS servers answer; then test again.");
                    break;
                case SpfResult.Pass:
                    if (all == null || all.Qualifier != SpfQualifier.Pass)
                        s.Add(MailDomainCheck.Spf, "SpfAuthorizesEveryone", FindingSeverity.Warning,
                            $"The SPF record of {d} passes for {ProbeAddress}, an address no sender uses: it authorizes (nearly) every server on the internet.",
                            probe.Reason, "Replace the over-broad term with the exact ranges of your sending servers.");
                    break;
                default:
                    s.Add(MailDomainCheck.Spf, "SpfValid", FindingSeverity.Information,
                        $"The SPF record of {d} is valid: {probe.DnsLookups} of {SpfEvaluator.MaxDnsLookups} DNS lookups, {probe.VoidLookups} of {SpfEvaluator.MaxVoidLookups} void lookups; servers it doesn't list get {probe.Result}.",
                        txt.Text);
                    if (probe.DnsLookups >= LookupsNearLimit)
                        s.Add(MailDomainCheck.Spf, "SpfLookupsNearLimit", FindingSeverity.Information,
                            $"The SPF record of {d} uses {probe.DnsLookups} of the {SpfEvaluator.MaxDnsLookups} DNS lookups receivers allow; one or two more includes will break it for every sender.",
                            string.Join("; ", count.CountedTerms),
                            "Before adding an include, replace includes you no longer need, or use ip4:/ip6: ranges (they cost no lookup).");
                    break;
            }

            if (s.Microsoft365Form != null && !spf.IncludesMicrosoft365 && probe.Result != SpfResult.PermError)
                s.Add(MailDomainCheck.Spf, "SpfMissingMicrosoft365Include", FindingSeverity.Warning,
                    $"{d} receives mail in Microsoft 365, but its SPF record doesn't include {include}: mail Microsoft 365 sends to the internet for {d} fails SPF.",
                    txt.Text,
                    $"Publish instead: {InsertBeforeAll(txt.Text, "include:" + include)} (unless mail from {d} leaves through another gateway, which is then the one to list).");
        }

        private static void ReportPermError(DomainState s, SpfEvaluation probe, string text)
        {
            string d = s.Domain;
            string consequence = $"every receiver gets PermError and SPF fails for all mail from {d}";
            string early = $"receivers stop with PermError, so SPF fails for every sender of {d} that isn't matched before that point";
            if (probe.DnsLookups > SpfEvaluator.MaxDnsLookups)
                s.Add(MailDomainCheck.Spf, "SpfTooManyLookups", FindingSeverity.Error,
                    $"The SPF record of {d} needs more than {SpfEvaluator.MaxDnsLookups} DNS lookups: {early}.",
                    probe.Reason,
                    "Remove includes you no longer need, replace include/a/mx terms with ip4:/ip6: ranges, or move a group of senders to a subdomain with its own record.");
            else if (probe.VoidLookups > SpfEvaluator.MaxVoidLookups)
                s.Add(MailDomainCheck.Spf, "SpfTooManyVoidLookups", FindingSeverity.Error,
                    $"The SPF record of {d} names more than {SpfEvaluator.MaxVoidLookups} hosts or domains that don't exist or have no records: {early}.",
                    probe.Reason, "Remove the terms that point to names without records.");
            else if (probe.Reason.StartsWith("SPF loop", StringComparison.Ordinal))
                s.Add(MailDomainCheck.Spf, "SpfLoop", FindingSeverity.Error,
                    $"The SPF record of {d} includes itself through a loop: {consequence}.",
                    probe.Reason, "Break the loop: an include or redirect must not lead back to a record already being evaluated.");
            else
                s.Add(MailDomainCheck.Spf, "SpfPermError", FindingSeverity.Error,
                    $"The SPF record of {d} can't be evaluated: {consequence}.",
                    probe.Reason + " Record: " + text,
                    "Fix what the evidence names (an included domain without an SPF record, a syntax error in an included record, two records in one place).");
        }

        /// <summary>Inserts <paramref name="term"/> before the <c>all</c> term or the first modifier (at the end when there is neither).</summary>
        internal static string InsertBeforeAll(string record, string term)
        {
            var terms = record.Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries).ToList();
            int at = terms.FindIndex(1, t => AllTerm.IsMatch(t) || t.IndexOf('=') > 0);
            if (at < 0) at = terms.Count;
            terms.Insert(at, term);
            return string.Join(" ", terms);
        }

        /// <summary>Inserts <paramref name="term"/> right after <c>v=spf1</c>, so it is matched first and costs no lookup.</summary>
        internal static string InsertFirst(string record, string term)
        {
            var terms = record.Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries).ToList();
            terms.Insert(1, term);
            return string.Join(" ", terms);
        }

        // ---------------------------------------------------------------- DMARC

        private static async Task CheckDmarcAsync(DomainState s, IDnsResolver dns, CancellationToken ct)
        {
            string d = s.Domain;
            MailDomainDmarc dmarc = s.Report.Dmarc;
            string suggested = $"v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@{d}";
            string suggestion = $"Publish one TXT record at _dmarc.{d}: {suggested} (use a mailbox that reads the reports; if you are not yet sure every service sending as {d} passes SPF or DKIM, start with p=none and move to quarantine, then reject, once the reports are clean).";
            DmarcLookupResult found;
            try
            {
                found = await DmarcLookup.GetAsync(dns, d, ct).ConfigureAwait(false);
            }
            catch (DnsException e) when (IsLookupFailure(e))
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
                    $"{d} publishes no DMARC record: receivers apply no policy to mail forged as {d}, you get no reports, and large mailbox providers junk or reject bulk mail from domains without one.",
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
            string reports = r.AggregateReportUris.Count > 0 ? $"aggregate reports to {string.Join(", ", r.AggregateReportUris)}" : "no aggregate reports";
            string alignment = $"adkim={(r.DkimAlignment == DmarcAlignment.Strict ? "s" : "r")}, aspf={(r.SpfAlignment == DmarcAlignment.Strict ? "s" : "r")}";
            if (r.Policy == DmarcPolicy.None)
                s.Add(MailDomainCheck.Dmarc, "DmarcPolicyNone", FindingSeverity.Warning,
                    $"The DMARC policy of {d} is p=none: it only monitors, and mail forged as {d} is delivered as usual.",
                    r.Text, $"Once the aggregate reports show that your own senders pass, move to p=quarantine, then p=reject: {PolicyNone.Replace(r.Text, "${lead}p=quarantine", 1)}");
            else
                s.Add(MailDomainCheck.Dmarc, "DmarcEnforced", FindingSeverity.Information,
                    $"The DMARC policy of {d} is p={r.Policy.ToString().ToLowerInvariant()} ({r.Percent}% of failing mail, {alignment}, {reports}).",
                    r.Text);
            if (r.Percent < 100 && r.Policy != DmarcPolicy.None)
                s.Add(MailDomainCheck.Dmarc, "DmarcPartialPercent", FindingSeverity.Warning,
                    $"The DMARC policy of {d} applies to only {r.Percent}% of failing mail (pct={r.Percent}); the rest is treated one step more leniently.",
                    r.Text, "Raise pct to 100 (or remove the tag) once the reports are clean.");
            if (r.AggregateReportUris.Count == 0)
                s.Add(MailDomainCheck.Dmarc, "DmarcNoAggregateReports", FindingSeverity.Information,
                    $"The DMARC record of {d} has no rua= address: nobody receives the aggregate reports that show who sends as {d} and whether it passes.",
                    r.Text, $"Add rua=mailto:dmarc-reports@{d} (a mailbox or a DMARC reporting service).");
            if (Strength(r.SubdomainPolicy) < Strength(r.Policy))
                s.Add(MailDomainCheck.Dmarc, "DmarcSubdomainPolicyWeaker", FindingSeverity.Information,
                    $"Subdomains of {d} have a weaker DMARC policy (sp={r.SubdomainPolicy.ToString().ToLowerInvariant()}) than {d} itself (p={r.Policy.ToString().ToLowerInvariant()}): forged mail from made-up subdomains is treated more leniently.",
                    r.Text, "Unless a subdomain's senders are still being brought into line, set sp to the same policy or remove it.");
            foreach (string w in r.Warnings.Where(w => w.StartsWith("the tag", StringComparison.Ordinal)))
                s.Add(MailDomainCheck.Dmarc, "DmarcUnknownTag", FindingSeverity.Information, $"The DMARC record of {d}: {w}.", r.Text);
        }

        private static int Strength(DmarcPolicy p) => p switch { DmarcPolicy.Reject => 3, DmarcPolicy.Quarantine => 2, DmarcPolicy.None => 1, _ => 0 };

        // ---------------------------------------------------------------- DKIM

        private static string DefenderDkimSteps(string domain) =>
            $"In the Microsoft Defender portal ({DefenderDkimPage}: Email & collaboration > Policies & rules > Threat policies > Email authentication settings > DKIM), select {domain}, publish the two CNAME records it shows (selector1._domainkey and selector2._domainkey), then turn on 'Sign messages for this domain with DKIM signatures'.";

        private static async Task CheckDkimAsync(DomainState s, IDnsResolver dns, CancellationToken ct)
        {
            string d = s.Domain;
            IReadOnlyList<DkimSelectorResult> selectors;
            try
            {
                selectors = await DkimSelectorCheck.CheckAsync(dns, d, ct).ConfigureAwait(false);
            }
            catch (DnsException e) when (IsLookupFailure(e))
            {
                s.Add(MailDomainCheck.Dkim, "DkimLookupFailed", FindingSeverity.Warning,
                    $"The DKIM selectors of {d} could not be read, so they weren't checked.", e.Message, e.RecommendedAction);
                return;
            }
            s.Report.Dkim = selectors.ToList();
            string evidence = string.Join("; ", selectors.Select(x => $"{x.Name}: {(x.Target != null ? "CNAME " + x.Target : x.State.ToString())}"));
            var missing = selectors.Where(x => x.State == DkimSelectorState.Missing).ToList();
            var microsoft = selectors.Where(x => x.State == DkimSelectorState.Microsoft365OnMicrosoft || x.State == DkimSelectorState.Microsoft365DkimMailMicrosoft).ToList();
            if (missing.Count == selectors.Count)
            {
                s.Add(MailDomainCheck.Dkim, "DkimNotConfigured", FindingSeverity.Warning,
                    $"{d} publishes neither Microsoft 365 DKIM selector, so Microsoft 365 can't sign its mail with d={d}: DMARC then depends on SPF alone, which forwarding breaks.",
                    evidence, DefenderDkimSteps(d));
                return;
            }
            foreach (DkimSelectorResult x in missing)
                s.Add(MailDomainCheck.Dkim, "DkimSelectorMissing", FindingSeverity.Warning,
                    $"{x.Name} is not published: Microsoft 365 rotates between selector1 and selector2, so signing breaks at the next key rotation.",
                    evidence, DefenderDkimSteps(d));
            foreach (DkimSelectorResult x in selectors.Where(x => x.State == DkimSelectorState.OtherCname || x.State == DkimSelectorState.TxtKey))
                s.Add(MailDomainCheck.Dkim, "DkimSelectorNotMicrosoft365", FindingSeverity.Warning,
                    x.Finding, evidence,
                    $"If {d} sends through Microsoft 365, {x.Name} must be the CNAME Microsoft 365 shows for it; another service signing with the same selector name must move to a different selector. " + DefenderDkimSteps(d));
            foreach (DkimSelectorResult x in microsoft.Where(x => !x.TargetLabelMatchesDomain))
                s.Add(MailDomainCheck.Dkim, "DkimSelectorTargetMismatch", FindingSeverity.Warning,
                    x.Finding, evidence, DefenderDkimSteps(d));
            if (microsoft.Select(x => x.Tenant).Distinct().Count() > 1)
                s.Add(MailDomainCheck.Dkim, "DkimTenantMismatch", FindingSeverity.Warning,
                    $"The DKIM selectors of {d} point to different tenants ({string.Join(", ", microsoft.Select(x => x.Tenant).Distinct())}): one of them is left over from another tenant.",
                    evidence, DefenderDkimSteps(d));
            if (microsoft.Count == selectors.Count && microsoft.All(x => x.TargetLabelMatchesDomain) && microsoft.Select(x => x.Tenant).Distinct().Count() == 1)
            {
                string form = microsoft[0].State == DkimSelectorState.Microsoft365DkimMailMicrosoft ? "the dkim.mail.microsoft form" : "the onmicrosoft.com form";
                s.Add(MailDomainCheck.Dkim, "DkimCnamesPublished", FindingSeverity.Information,
                    $"Both DKIM selectors of {d} point to Microsoft 365 (tenant {microsoft[0].Tenant}, {form}). DNS can't show whether signing is turned on: the Defender portal does.",
                    evidence, DefenderDkimSteps(d));
            }
        }

        // ---------------------------------------------------------------- Direct Send

        private static async Task CheckDirectSendAsync(DomainState s, IPAddress ip, IDnsResolver dns, CancellationToken ct)
        {
            string d = s.Domain;
            IPAddress address = ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip;
            MailDomainSpf spf = s.Report.Spf;
            spf.SenderIPAddress = address.ToString();
            bool v6 = address.AddressFamily == AddressFamily.InterNetworkV6;
            string term = (v6 ? "ip6:" : "ip4:") + address;

            if (!IsPublic(address))
                s.Add(MailDomainCheck.DirectSend, "SenderIPAddressNotPublic", FindingSeverity.Warning,
                    $"{address} is not a public address (private, loopback, shared or link-local range). Exchange Online sees the public address your network translates it to, and that is the one SPF must list.",
                    address.ToString(), "Find the public address (for example from the device's network, or a what-is-my-IP page opened on that network) and test with it.");

            SpfEvaluation e = await new SpfEvaluator(dns).CheckHostAsync(address, d, null, null, ct).ConfigureAwait(false);
            foreach (string line in e.Trace) s.Host.WriteVerbose($"{d}: SPF for {address}: {line}");
            spf.SenderResult = e.Result;
            spf.SenderResultReason = e.Reason;
            spf.SenderMatchedMechanism = e.MatchedMechanism;

            DmarcRecord? dmarc = s.Dmarc;
            string dmarcEffect = dmarc != null && dmarc.IsValid && dmarc.Policy != DmarcPolicy.None
                ? $" With DMARC p={dmarc.Policy.ToString().ToLowerInvariant()}, Microsoft 365 can {(dmarc.Policy == DmarcPolicy.Reject ? "reject" : "quarantine")} these messages as spoofed."
                : " Microsoft 365 is likely to send these messages to Junk Email or quarantine as spoofed.";
            switch (e.Result)
            {
                case SpfResult.Pass:
                    s.Add(MailDomainCheck.DirectSend, "DirectSendSpfPass", FindingSeverity.Information,
                        $"SPF passes for {address}: Direct Send from it with an envelope sender in {d} passes SPF.",
                        e.Reason);
                    break;
                case SpfResult.PermError:
                    s.Add(MailDomainCheck.DirectSend, "DirectSendSpfError", FindingSeverity.Error,
                        $"SPF can't pass for {address} while the SPF record of {d} is broken: receivers get PermError.{dmarcEffect}",
                        e.Reason, "Fix the SPF record first (see the Spf findings), then make sure it lists " + term + ".");
                    break;
                case SpfResult.TempError:
                    s.Add(MailDomainCheck.DirectSend, "DirectSendSpfError", FindingSeverity.Warning,
                        $"Whether SPF passes for {address} couldn't be decided: a DNS lookup failed.",
                        e.Reason, "Check that every domain the SPF record includes answers, then test again.");
                    break;
                default:
                {
                    string proposed = spf.Record != null
                        ? InsertFirst(spf.Record, term)
                        : $"v=spf1 {term} include:{s.Microsoft365Include} ~all";
                    string remediation = spf.RecordCount > 1
                        ? $"Merge the SPF records of {d} into one and add {term} to it."
                        : $"Publish this as the only SPF record of {d}: {proposed}" + (proposed.Length > 255 ? " (longer than 255 characters: split it into several strings within the one TXT record)" : "");
                    s.Add(MailDomainCheck.DirectSend, "DirectSendSpfFail", FindingSeverity.Error,
                        (e.Result == SpfResult.None ? $"{d} publishes no SPF record, so Direct Send from {address} fails SPF." : $"SPF gives {e.Result} for {address}: Direct Send from it fails SPF.") + dmarcEffect,
                        e.Reason, remediation);
                    break;
                }
            }

            string aligned = dmarc != null && dmarc.SpfAlignment == DmarcAlignment.Strict
                ? $"exactly {d} (the DMARC record has aspf=s)"
                : $"{d} or one of its subdomains (relaxed alignment)";
            s.Add(MailDomainCheck.DirectSend, "DirectSendAlignment", FindingSeverity.Information,
                $"Direct Send messages reach Microsoft 365 as anonymous inbound mail and carry no DKIM signature for {d} unless the device signs them itself, so DMARC passes only through SPF: SPF must pass for the device's public address and the envelope sender (MAIL FROM) must be in {aligned}, matching the From address's domain.",
                dmarc != null ? dmarc.Text : $"_dmarc.{d}: no usable DMARC record");
            s.Add(MailDomainCheck.DirectSend, "DirectSendRejectSetting", FindingSeverity.Information,
                "A tenant can refuse Direct Send altogether (RejectDirectSend is True): devices then get '550 5.7.68 TenantInboundAttribution; Direct Send not allowed for this organization from unauthorized sources'. The command shows the setting.",
                null,
                "If it is True, send through an inbound connector (SMTP relay) or authenticated client submission instead.",
                "(Get-OrganizationConfig).RejectDirectSend");
        }

        /// <summary>False for private (RFC 1918, unique local), loopback, shared (100.64/10), link-local and unspecified addresses.</summary>
        internal static bool IsPublic(IPAddress ip)
        {
            IPAddress a = ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip;
            string[] blocked = a.AddressFamily == AddressFamily.InterNetwork
                ? new[] { "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16" }
                : new[] { "::/127", "fc00::/7", "fe80::/10" };
            foreach (string net in blocked)
            {
                int slash = net.IndexOf('/');
                if (SpfEvaluator.InNetwork(a, IPAddress.Parse(net.Substring(0, slash)), int.Parse(net.Substring(slash + 1), System.Globalization.CultureInfo.InvariantCulture)))
                    return false;
            }
            return true;
        }

        /// <summary>A DNS failure that a finding can stand for (not a bad name, which stops the domain).</summary>
        private static bool IsLookupFailure(DnsException e) =>
            e.ErrorId == DnsErrorIds.Timeout || e.ErrorId == DnsErrorIds.ServerFailure || e.ErrorId == DnsErrorIds.MalformedResponse;
    }
}
