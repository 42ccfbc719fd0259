namespace M365SmtpTools.Engine.Operations
{
    /// <summary>The input of <see cref="GetMxEndpointOperation"/>; one property per parameter of Get-M365MxEndpoint.</summary>
    public sealed class GetMxEndpointRequest : IDnsDomainRequest
    {
        /// <summary>The domains whose MX records to read.</summary>
        public string[] Domain { get; set; } = new string[0];

        /// <summary>The DNS server as <c>host[:port]</c> or <c>[IPv6]:port</c>; null asks the system's resolvers.</summary>
        public string? DnsServer { get; set; }

        /// <summary>Seconds to wait for one DNS answer; null means 3.</summary>
        public int? TimeoutSeconds { get; set; }

        /// <summary>When a domain has no MX records, also output the derived legacy endpoint, marked as a guess.</summary>
        public bool IncludeDerivedGuess { get; set; }
    }
}
