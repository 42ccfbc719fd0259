using System.Management.Automation;
using M365SmtpTools.Engine;
using M365SmtpTools.Engine.Operations;

namespace M365SmtpTools.Commands
{
    /// <summary>Gets the MX records of domains and shows which are Microsoft 365 endpoints, and in which form.</summary>
    /// <remarks>
    /// <para>Get-M365MxEndpoint reads the MX records of each domain from DNS (the system's resolvers, or the server
    /// named with -DnsServer) and outputs one object per MX record: the host, its preference, whether it is a Microsoft
    /// 365 (Exchange Online Protection) endpoint, and which form it has: Legacy (name.mail.protection.outlook.com),
    /// Dnssec (name.letter-v1.mx.microsoft, the DNSSEC-capable form), China (mail.protection.partner.outlook.cn),
    /// GccHigh (mail.protection.office365.us) or Other. The Microsoft 365 endpoint is the server that SMTP relay
    /// devices and Direct Send senders connect to on port 25.</para>
    /// <para>Queries go over UDP and are repeated over TCP when the answer is truncated. Each failing domain produces a
    /// non-terminating error with the domain as its target and the other domains go on: InvalidDomainName,
    /// DnsNameNotFound (NXDOMAIN), DnsNoMxRecords (the domain exists but publishes no MX), DnsTimeout (names the server
    /// that was asked), DnsServerFailure (SERVFAIL, REFUSED, unreachable) and DnsMalformedResponse.</para>
    /// <para>When a domain has no MX records, the error's recommended action shows the legacy endpoint Microsoft 365
    /// would usually assign (the domain with dots replaced by dashes, followed by .mail.protection.outlook.com). With
    /// -IncludeDerivedGuess that endpoint is also output, with EndpointForm DerivedGuess and IsGuess set to true. It is
    /// only a guess: domains that contain hyphens get a different label, so read the real endpoint from the Microsoft
    /// 365 admin center before configuring a device with it.</para>
    /// </remarks>
    /// <example>
    /// <title>Show the MX endpoints of a domain</title>
    /// <code>Get-M365MxEndpoint -Domain contoso.com</code>
    /// <para>Shows the MX records of contoso.com. A row with IsMicrosoft365 True and EndpointForm Legacy or Dnssec is
    /// the endpoint to use as the SMTP server for relay and Direct Send.</para>
    /// </example>
    /// <example>
    /// <title>Check two domains through a public resolver</title>
    /// <code>'contoso.com', 'fabrikam.com' | Get-M365MxEndpoint -DnsServer 1.1.1.1 -TimeoutSeconds 5</code>
    /// <para>Checks two domains through the public resolver 1.1.1.1, waiting up to five seconds for each answer. A
    /// domain that fails is reported as an error and the other still produces output.</para>
    /// </example>
    /// <example>
    /// <title>Get the SMTP server name for a scanner</title>
    /// <code>Get-M365MxEndpoint -Domain contoso.com -IncludeDerivedGuess | Where-Object IsMicrosoft365 | Select-Object -First 1 -ExpandProperty MxHost</code>
    /// <para>Returns the host name of the first Microsoft 365 endpoint, to paste into a scanner's SMTP server setting.
    /// If contoso.com has no MX records yet, the derived legacy endpoint is returned (IsGuess is true) along with a
    /// DnsNoMxRecords error.</para>
    /// </example>
    /// <seealso href="https://learn.microsoft.com/exchange/mail-flow-best-practices/how-to-set-up-a-multifunction-device-or-application-to-send-email-using-microsoft-365-or-office-365">How to set up a multifunction device or application to send email using Microsoft 365</seealso>
    /// <seealso href="https://learn.microsoft.com/purview/how-office-365-validates-the-from-address">How Microsoft 365 validates the From address</seealso>
    [Cmdlet(VerbsCommon.Get, "M365MxEndpoint")]
    [OutputType(typeof(MxEndpointResult))]
    public sealed class GetM365MxEndpointCommand : M365CmdletBase
    {
        /// <summary>The domain names to look up, such as contoso.com. Internationalized names are accepted. Accepts
        /// pipeline input, including objects with a Name or DomainName property (for example the output of
        /// Get-AcceptedDomain).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("Name", "DomainName")]
        [ValidateNotNullOrEmpty]
        public string[] Domain { get; set; } = new string[0];

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

        /// <summary>When a domain has no MX records, also output the legacy Microsoft 365 endpoint derived from the
        /// domain name, marked with IsGuess. The guess is unreliable for domains that contain hyphens, which get a
        /// different label.</summary>
        [Parameter]
        public SwitchParameter IncludeDerivedGuess { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            var request = new GetMxEndpointRequest
            {
                Domain = Domain,
                DnsServer = DnsServer,
                TimeoutSeconds = TimeoutSeconds,
                IncludeDerivedGuess = IncludeDerivedGuess.IsPresent,
            };
            RunOperation(new GetMxEndpointOperation(), request, errorTarget: DnsServer);
        }
    }
}
