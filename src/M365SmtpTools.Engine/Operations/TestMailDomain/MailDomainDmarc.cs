using M365SmtpTools.Engine.Dns.Dmarc;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>The DMARC part of a <see cref="MailDomainReport"/>.</summary>
    public sealed class MailDomainDmarc
    {
        /// <summary>The name asked (<c>_dmarc.&lt;domain&gt;</c>).</summary>
        public string RecordName { get; set; } = "";

        /// <summary>The DMARC record, when there is exactly one.</summary>
        public string? Record { get; set; }

        /// <summary>How many DMARC records were found (exactly one is valid).</summary>
        public int RecordCount { get; set; }

        /// <summary>True when exactly one record was found and it has no errors.</summary>
        public bool IsValid { get; set; }

        /// <summary>The policy (<c>p</c>); Unknown when there is no usable record.</summary>
        public DmarcPolicy Policy { get; set; }

        /// <summary>The subdomain policy (<c>sp</c>, else the policy).</summary>
        public DmarcPolicy SubdomainPolicy { get; set; }

        /// <summary>The percentage of failing mail the policy applies to (<c>pct</c>).</summary>
        public int Percent { get; set; } = 100;

        /// <summary>DKIM identifier alignment (<c>adkim</c>).</summary>
        public DmarcAlignment DkimAlignment { get; set; }

        /// <summary>SPF identifier alignment (<c>aspf</c>).</summary>
        public DmarcAlignment SpfAlignment { get; set; }

        /// <summary>Where aggregate reports go (<c>rua</c>).</summary>
        public DisplayList<string> AggregateReportUris { get; set; } = DisplayList<string>.Empty;

        /// <summary>Where failure reports go (<c>ruf</c>).</summary>
        public DisplayList<string> FailureReportUris { get; set; } = DisplayList<string>.Empty;

        /// <summary>A record to publish when there is none or it is unusable, or null.</summary>
        public string? SuggestedRecord { get; set; }

        /// <inheritdoc />
        public override string ToString() => Record ?? (RecordCount > 1 ? $"{RecordCount} DMARC records" : "(no DMARC record)");
    }
}
