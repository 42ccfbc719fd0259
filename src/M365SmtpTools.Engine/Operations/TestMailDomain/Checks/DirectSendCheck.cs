using System;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using M365SmtpTools.Engine.Dns;
using M365SmtpTools.Engine.Dns.Dmarc;
using M365SmtpTools.Engine.Dns.Spf;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>
    /// Test-M365MailDomain -SenderIPAddress: whether Direct Send from that address would pass SPF (and so DMARC) for
    /// the domain.
    /// </summary>
    internal static class DirectSendCheck
    {
        public static async Task RunAsync(MailDomainCheckState s, IPAddress ip, IDnsResolver dns, CancellationToken ct)
        {
            string d = s.Domain;
            IPAddress address = ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip;
            MailDomainSpf spf = s.Report.Spf;
            spf.SenderIPAddress = address.ToString();
            bool v6 = address.AddressFamily == AddressFamily.InterNetworkV6;
            string term = (v6 ? "ip6:" : "ip4:") + address;

            if (!IsPublic(address))
                s.Add(MailDomainCheck.DirectSend, "SenderIPAddressNotPublic", FindingSeverity.Warning,
                    $"{address} is not a public address (private, loopback, shared or link-local range). Exchange Online sees the public " +
                        "address your network translates it to, and that is the one SPF must list.",
                    address.ToString(), "Find the public address (for example from the device's network, or a what-is-my-IP page opened " +
                        "on that network) and test with it.");

            SpfEvaluation e = await new SpfEvaluator(dns).CheckHostAsync(address, d, null, null, ct).ConfigureAwait(false);
            foreach (string line in e.Trace) s.Host.WriteVerbose($"{d}: SPF for {address}: {line}");
            spf.SenderResult = e.Result;
            spf.SenderResultReason = e.Reason;
            spf.SenderMatchedMechanism = e.MatchedMechanism;

            DmarcRecord? dmarc = s.Dmarc;
            string dmarcEffect = dmarc != null && dmarc.IsValid && dmarc.Policy != DmarcPolicy.None
                ? $" With DMARC p={dmarc.Policy.ToString().ToLowerInvariant()}, Microsoft 365 can " +
                    $"{(dmarc.Policy == DmarcPolicy.Reject ? "reject" : "quarantine")} these messages as spoofed."
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
                        ? SpfTerm.InsertFirst(spf.Record, term)
                        : $"v=spf1 {term} include:{s.Microsoft365Include} ~all";
                    string remediation = spf.RecordCount > 1
                        ? $"Merge the SPF records of {d} into one and add {term} to it."
                        : $"Publish this as the only SPF record of {d}: " +
                            $"{proposed}" + (proposed.Length > 255
                                ? " (longer than 255 characters: split it into several strings within the one TXT record)"
                                : "");
                    s.Add(MailDomainCheck.DirectSend, "DirectSendSpfFail", FindingSeverity.Error,
                        (e.Result == SpfResult.None
                            ? $"{d} publishes no SPF record, so Direct Send from {address} fails SPF."
                            : $"SPF gives {e.Result} for {address}: Direct Send from it fails SPF.") + dmarcEffect,
                        e.Reason, remediation);
                    break;
                }
            }

            string aligned = dmarc != null && dmarc.SpfAlignment == DmarcAlignment.Strict
                ? $"exactly {d} (the DMARC record has aspf=s)"
                : $"{d} or one of its subdomains (relaxed alignment)";
            s.Add(MailDomainCheck.DirectSend, "DirectSendAlignment", FindingSeverity.Information,
                $"Direct Send messages reach Microsoft 365 as anonymous inbound mail and carry no DKIM signature for {d} unless the " +
                    "device signs them itself, so DMARC passes only through SPF: SPF must pass for the device's public address and the " +
                    $"envelope sender (MAIL FROM) must be in {aligned}, matching the From address's domain.",
                dmarc != null ? dmarc.Text : $"_dmarc.{d}: no usable DMARC record");
            s.Add(MailDomainCheck.DirectSend, "DirectSendRejectSetting", FindingSeverity.Information,
                "A tenant can refuse Direct Send altogether (RejectDirectSend is True): devices then get '550 5.7.68 " +
                    "TenantInboundAttribution; Direct Send not allowed for this organization from unauthorized sources'. The command " +
                    "shows the setting.",
                null,
                "If it is True, send through an inbound connector (SMTP relay) or authenticated client submission instead.",
                "(Get-OrganizationConfig).RejectDirectSend");
        }

        /// <summary>
        /// False for private (RFC 1918, unique local), loopback, shared (100.64/10), link-local and unspecified
        /// addresses.
        /// </summary>
        internal static bool IsPublic(IPAddress ip)
        {
            IPAddress a = ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip;
            string[] blocked = a.AddressFamily == AddressFamily.InterNetwork
                ? new[] { "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16" }
                : new[] { "::/127", "fc00::/7", "fe80::/10" };
            foreach (string net in blocked)
            {
                int slash = net.IndexOf('/');
                if (SpfEvaluator.InNetwork(a, IPAddress.Parse(net.Substring(0, slash)),
                    int.Parse(net.Substring(slash + 1), System.Globalization.CultureInfo.InvariantCulture)))
                    return false;
            }
            return true;
        }
    }
}
