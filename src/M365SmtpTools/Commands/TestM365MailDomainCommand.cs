using System.Management.Automation;
using System.Net;
using M365SmtpTools.Engine;
using M365SmtpTools.Engine.Operations;

namespace M365SmtpTools.Commands
{
    /// <summary>Checks a domain's MX, SPF, DMARC and DKIM records for Microsoft 365 and says whether Direct Send from
    /// an IP address would pass SPF.</summary>
    /// <remarks>
    /// <para>Test-M365MailDomain reads a domain's mail records from DNS (the system's resolvers, or the server named
    /// with -DnsServer) and outputs one report per domain. Mx lists the MX records, each classified as a Microsoft 365
    /// endpoint (Legacy mail.protection.outlook.com, the DNSSEC-capable mx.microsoft form, China or GCC High) or not.
    /// Spf holds the SPF record, evaluated as RFC 7208 prescribes with include, a, mx, ip4, ip6, exists and redirect=,
    /// the limit of 10 DNS lookups, the limit of 2 void lookups, loop detection, syntax checks and the rule of one
    /// record per domain; it also says whether the record includes spf.protection.outlook.com (or the include of the
    /// tenant's cloud). Dmarc holds the DMARC record with its policy, percentage, alignment modes and report addresses.
    /// Dkim shows whether selector1 and selector2 are the CNAMEs Microsoft 365 signs with, in the onmicrosoft.com or
    /// the newer dkim.mail.microsoft form.</para>
    /// <para>Every observation is a finding with an Id, a Severity (Information, Warning, Error), the Message, the
    /// Evidence it rests on and the Remediation: the record to publish, the Microsoft Defender portal page to open,
    /// and, where an Exchange Online command checks or fixes it, the exact Command to run after Connect-ExchangeOnline
    /// (for example Get-DnssecStatusForVerifiedDomain for the DNSSEC-capable MX). Overall is Failed when any finding is
    /// an Error, Warning when any is a Warning, and Passed otherwise. A missing DMARC record comes with a suggested
    /// record to publish.</para>
    /// <para>With -SenderIPAddress the report also answers the Direct Send question: a device that sends with Direct
    /// Send connects to the tenant's MX endpoint without authenticating, so its public IP address must pass the
    /// domain's SPF check. Spf.SenderResult is the SPF result for that address; if it isn't Pass, a finding gives the
    /// SPF record to publish with the address added. Findings also explain DKIM and DMARC alignment for Direct Send and
    /// show how to check whether the tenant rejects Direct Send (RejectDirectSend).</para>
    /// <para>A domain that can't be reported on produces a non-terminating error with the domain as its target and the
    /// next domain goes on: InvalidDomainName, or DnsNameNotFound when the domain doesn't exist (NXDOMAIN). A DNS
    /// failure inside one check (a timeout, SERVFAIL, an included domain whose servers don't answer) becomes a finding
    /// of the report instead. The cmdlet only reads DNS; it changes nothing.</para>
    /// </remarks>
    /// <example>
    /// <title>Check the mail records of a domain</title>
    /// <code>Test-M365MailDomain -Domain contoso.com</code>
    /// <para>A report for one domain. It shows the MX endpoints of contoso.com, the SPF record with its lookup count,
    /// the DMARC policy, the DKIM selectors and the findings that need attention. Run (Test-M365MailDomain -Domain
    /// contoso.com).Findings to see every finding with its remediation as a table.</para>
    /// </example>
    /// <example>
    /// <title>Check whether a Direct Send address passes SPF</title>
    /// <code>Test-M365MailDomain -Domain contoso.com -SenderIPAddress 203.0.113.25 | Select-Object -ExpandProperty Findings | Where-Object Check -eq 'DirectSend' | Format-List Id, Severity, Message, Remediation</code>
    /// <para>A Direct Send SPF check from an IP address. It asks whether a scanner that sends with Direct Send from the
    /// public address 203.0.113.25 passes SPF for contoso.com; when it doesn't, the DirectSendSpfFail finding's
    /// Remediation holds the SPF record to publish with ip4:203.0.113.25 added.</para>
    /// </example>
    /// <example>
    /// <title>Check every accepted domain of the tenant</title>
    /// <code>Get-AcceptedDomain | Test-M365MailDomain -DnsServer 1.1.1.1 | Where-Object Overall -ne 'Passed'</code>
    /// <para>Every accepted domain of the tenant. After Connect-ExchangeOnline, this checks each accepted domain (the
    /// DomainName property binds to -Domain) through the public resolver 1.1.1.1 and shows only the domains that need
    /// attention.</para>
    /// </example>
    /// <example>
    /// <title>List the recommended Exchange Online commands</title>
    /// <code>(Test-M365MailDomain -Domain fabrikam.com).Findings | Where-Object Command | Select-Object -ExpandProperty Command</code>
    /// <para>The recommended Exchange Online commands. This lists the commands the report recommends for fabrikam.com,
    /// ready to paste into a session opened with Connect-ExchangeOnline.</para>
    /// </example>
    /// <seealso href="https://learn.microsoft.com/defender-office-365/email-authentication-spf-configure">Set up SPF to help prevent spoofing</seealso>
    /// <seealso href="https://learn.microsoft.com/defender-office-365/email-authentication-dkim-configure">Set up DKIM to sign mail from your Microsoft 365 domain</seealso>
    /// <seealso href="https://learn.microsoft.com/defender-office-365/email-authentication-dmarc-configure">Set up DMARC to validate the From address domain</seealso>
    /// <seealso href="https://learn.microsoft.com/exchange/mail-flow-best-practices/how-to-set-up-a-multifunction-device-or-application-to-send-email-using-microsoft-365-or-office-365">How to set up a multifunction device or application to send email using Microsoft 365</seealso>
    [Cmdlet(VerbsDiagnostic.Test, "M365MailDomain")]
    [OutputType(typeof(MailDomainReport))]
    public sealed class TestM365MailDomainCommand : M365CmdletBase
    {
        /// <summary>The domain names to check, such as contoso.com. Internationalized names are accepted. Accepts
        /// pipeline input, including objects with a Name or DomainName property (for example the output of
        /// Get-AcceptedDomain).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("Name", "DomainName")]
        [ValidateNotNullOrEmpty]
        public string[] Domain { get; set; } = new string[0];

        /// <summary>The public IP address (IPv4 or IPv6) of a device or server that would send with Direct Send. The
        /// report then says whether SPF passes for it (Spf.SenderResult) and, if not, which SPF record to publish. Give
        /// the address Exchange Online sees, after network address translation, not the device's private
        /// address.</summary>
        [Parameter]
        [ValidateNotNull]
        public IPAddress? SenderIPAddress { get; set; }

        /// <summary>The DNS server to ask, as host, host:port, an IPv6 address or [IPv6]:port (for example 1.1.1.1 or
        /// 127.0.0.1:5353). By default the system's resolvers are used.</summary>
        /// <default>The system's resolvers</default>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? DnsServer { get; set; }

        /// <summary>Seconds to wait for each DNS answer before retrying or giving up, from 1 to 300. The default is 3.</summary>
        /// <default>3</default>
        [Parameter]
        [ValidateRange(1, 300)]
        public int? TimeoutSeconds { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            var request = new TestMailDomainRequest
            {
                Domain = Domain,
                SenderIPAddress = SenderIPAddress,
                DnsServer = DnsServer,
                TimeoutSeconds = TimeoutSeconds,
            };
            RunOperation(new TestMailDomainOperation(), request, errorTarget: DnsServer);
        }
    }
}
