using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using M365SmtpTools.Engine.Dns;
using M365SmtpTools.Engine.Exchange;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>
    /// Test-M365MailDomain's MX check: where the domain receives mail, and whether that is Microsoft 365 (and which
    /// cloud).
    /// </summary>
    internal static class MxCheck
    {
        public static async Task RunAsync(MailDomainCheckState s, IDnsResolver dns, CancellationToken ct)
        {
            string d = s.Domain;
            DnsAnswer answer;
            try
            {
                answer = await dns.QueryAsync(d, DnsRecordType.MX, ct).ConfigureAwait(false);
            }
            catch (DnsException e) when (MailDomainCheckState.IsLookupFailure(e))
            {
                s.Add(MailDomainCheck.Mx, "MxLookupFailed", FindingSeverity.Warning,
                    $"The MX records of {d} could not be read, so it is unknown whether mail for it reaches Microsoft 365.",
                    e.Message, e.RecommendedAction);
                return;
            }
            if (answer.IsNameError)
            {
                DnsException nx = DnsClient.NameNotFound(answer);
                nx.RecommendedAction = $"Check the spelling of {d}; a domain that doesn't exist in DNS can't send or receive mail. If it " +
                    "was just created, wait for DNS to publish it.";
                throw nx;
            }
            s.Report.DnsServer = answer.Server;
            List<MxRecord> records = answer.Records.OfType<MxRecord>().OrderBy(r => r.Preference)
                .ThenBy(r => r.Exchange, StringComparer.Ordinal).ToList();
            var results = new List<MxEndpointResult>();
            foreach (MxRecord mx in records)
            {
                if (mx.Exchange.Length == 0)
                {
                    results.Add(new MxEndpointResult
                    {
                        Domain = d, MxHost = ".", Preference = mx.Preference, EndpointForm = MxEndpointForm.Other,
                        TimeToLive = (int)mx.TimeToLive, DnsServer = answer.Server, Note = "Null MX (RFC 7505): the domain " +
                            "accepts no mail.",
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
            string evidence = results.Count == 0
                ? $"{d} MX: no records (asked {answer.Server})"
                : string.Join("; ", results.Select(r => $"MX {r.Preference} {r.MxHost} ({r.EndpointForm})"));
            string guess = MxEndpointClassifier.DeriveLegacyEndpoint(d);
            bool reliable = MxEndpointClassifier.IsDerivationReliable(d);
            string guessText = "the legacy endpoint Microsoft 365 usually assigns is " +
                $"{guess}{(reliable ? "" : ", but for a domain with hyphens that guess is unreliable")}";

            if (results.Count == 0)
            {
                s.Add(MailDomainCheck.Mx, "MxMissing", FindingSeverity.Error,
                    $"{d} has no MX records: it can't receive mail, and there is no Microsoft 365 endpoint for relay or Direct Send " +
                        "devices to connect to.",
                    evidence,
                    $"If {d} is an accepted domain of your tenant, publish the MX record shown in the Microsoft 365 admin center " +
                        $"(Settings > Domains > {d} > DNS records); {guessText}.",
                    $"Get-AcceptedDomain -Identity '{d}'");
                return;
            }
            if (results.All(r => r.MxHost == "."))
            {
                s.Add(MailDomainCheck.Mx, "MxNullMx", FindingSeverity.Error,
                    $"{d} publishes a null MX (RFC 7505): it declares that it accepts no mail, so Direct Send and relay to it can't work.",
                    evidence,
                    $"Remove the null MX and publish the MX record shown in the Microsoft 365 admin center if {d} should receive mail in " +
                        "Microsoft 365.");
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
                    $"No MX record of {d} is a Microsoft 365 endpoint: inbound mail goes to {primary.MxHost}. Relay and Direct Send " +
                        "devices must still connect to the tenant's own endpoint, which DNS doesn't show here.",
                    evidence,
                    $"If {d} is hosted in Microsoft 365, use the MX endpoint shown in the Microsoft 365 admin center as the devices' " +
                        $"SMTP server ({guessText}); if mail for {d} is deliberately handled elsewhere, ignore this.");
            }
            else if (!primary.IsMicrosoft365)
            {
                s.Add(MailDomainCheck.Mx, "MxMicrosoft365NotPrimary", FindingSeverity.Information,
                    $"The most preferred MX of {d} is {primary.MxHost}, not Microsoft 365; {firstM365.MxHost} is listed with a lower " +
                        "preference. Mail reaches Microsoft 365 through the other service.",
                    evidence,
                    $"Relay and Direct Send devices should connect to {firstM365.MxHost}. With a third-party filter in front, turn on " +
                        "Enhanced Filtering for its inbound connector so Microsoft 365 sees the original sender's IP.");
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
                    $"The MX of {d} is the Microsoft 365 endpoint {firstM365.MxHost} ({formText}); relay and Direct Send devices use it " +
                        "as their SMTP server on port 25.",
                    evidence,
                    firstM365.EndpointForm == MxEndpointForm.Dnssec && !mixedForms
                        ? $"To confirm DNSSEC and SMTP DANE for {d} and the MX record Microsoft 365 expects, run the command."
                        : null,
                    firstM365.EndpointForm == MxEndpointForm.Dnssec && !mixedForms ? DnssecCommand(d) : null);
            }
            if (mixedForms)
            {
                s.Add(MailDomainCheck.Mx, "MxMixedForms", FindingSeverity.Warning,
                    $"{d} lists both the legacy (mail.protection.outlook.com) and the DNSSEC-capable (mx.microsoft) Microsoft 365 " +
                        "endpoints, as in the middle of a move to DNSSEC.",
                    evidence,
                    "Finish the change: keep only the MX record Microsoft 365 expects, which the command shows (ExpectedMxRecord), and " +
                        "remove the other.",
                    DnssecCommand(d));
            }
        }

        private static string DnssecCommand(string domain) => $"Get-DnssecStatusForVerifiedDomain -DomainName '{domain}'";
    }
}
