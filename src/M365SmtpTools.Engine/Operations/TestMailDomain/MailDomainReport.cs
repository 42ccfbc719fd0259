using M365SmtpTools.Engine.Dns.Dkim;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>
    /// Test-M365MailDomain's answer for one domain: MX, SPF, DMARC and DKIM as Microsoft 365 needs them, with findings
    /// and fixes.
    /// </summary>
    public sealed class MailDomainReport
    {
        /// <summary>The domain checked, normalized (lower case, A-labels).</summary>
        public string Domain { get; set; } = "";

        /// <summary>The verdict: Failed when any finding is an Error, Warning when any is a Warning, else Passed.</summary>
        public MailDomainStatus Overall { get; set; }

        /// <summary>True when the most preferred MX is a Microsoft 365 endpoint.</summary>
        public bool IsMicrosoft365 { get; set; }

        /// <summary>The MX records, most preferred first, each classified (Microsoft 365 or not, which form).</summary>
        public DisplayList<MxEndpointResult> Mx { get; set; } = DisplayList<MxEndpointResult>.Empty;

        /// <summary>The SPF record and its evaluation.</summary>
        public MailDomainSpf Spf { get; set; } = new MailDomainSpf();

        /// <summary>The DMARC record.</summary>
        public MailDomainDmarc Dmarc { get; set; } = new MailDomainDmarc();

        /// <summary>The two Microsoft 365 DKIM selectors (<c>selector1</c>, <c>selector2</c>).</summary>
        public DisplayList<DkimSelectorResult> Dkim { get; set; } = DisplayList<DkimSelectorResult>.Empty;

        /// <summary>Everything found, errors first.</summary>
        public DisplayList<MailDomainFinding> Findings { get; set; } = DisplayList<MailDomainFinding>.Empty;

        /// <summary>The DNS server that answered, as <c>host:port</c>.</summary>
        public string DnsServer { get; set; } = "";

        /// <inheritdoc />
        public override string ToString() => $"{Domain}: {Overall}";
    }
}
