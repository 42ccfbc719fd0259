using M365SmtpTools.Engine.Exchange;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>One MX record of a domain (or the derived guess), classified as a Microsoft 365 endpoint or not.</summary>
    public sealed class MxEndpointResult
    {
        /// <summary>The domain asked about, normalized (lower case, A-labels).</summary>
        public string Domain { get; set; } = "";

        /// <summary>The mail exchanger host, without the trailing dot; <c>.</c> for a null MX (the domain accepts no mail).</summary>
        public string MxHost { get; set; } = "";

        /// <summary>The MX preference (lower is tried first); null for a guess.</summary>
        public int? Preference { get; set; }

        /// <summary>True when the host is a Microsoft 365 (Exchange Online Protection) endpoint.</summary>
        public bool IsMicrosoft365 { get; set; }

        /// <summary>Which form the endpoint has.</summary>
        public MxEndpointForm EndpointForm { get; set; }

        /// <summary>True when the host was derived from the domain name instead of read from DNS.</summary>
        public bool IsGuess { get; set; }

        /// <summary>The tenant label of a Microsoft 365 endpoint (its first label, e.g. <c>contoso-com</c>).</summary>
        public string? TenantLabel { get; set; }

        /// <summary>The record's time to live in seconds; null for a guess.</summary>
        public int? TimeToLive { get; set; }

        /// <summary>The DNS server that answered, as <c>host:port</c>.</summary>
        public string DnsServer { get; set; } = "";

        /// <summary>A remark for the reader (why a guess is unreliable, a null MX), or null.</summary>
        public string? Note { get; set; }

        /// <inheritdoc />
        public override string ToString() => $"{Domain} MX {Preference} {MxHost} ({EndpointForm})";
    }
}
