using System.Net;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>The input of <see cref="TestMailDomainOperation"/>; one property per parameter of Test-M365MailDomain.</summary>
    public sealed class TestMailDomainRequest : IDnsDomainRequest
    {
        /// <summary>The domains to check.</summary>
        public string[] Domain { get; set; } = new string[0];

        /// <summary>The DNS server as <c>host[:port]</c> or <c>[IPv6]:port</c>; null asks the system's resolvers.</summary>
        public string? DnsServer { get; set; }

        /// <summary>Seconds to wait for one DNS answer; null means 3.</summary>
        public int? TimeoutSeconds { get; set; }

        /// <summary>
        /// The public IP address a device would use for Direct Send; when given, the report says whether SPF passes for
        /// it.
        /// </summary>
        public IPAddress? SenderIPAddress { get; set; }
    }
}
