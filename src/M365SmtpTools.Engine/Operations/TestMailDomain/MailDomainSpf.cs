using M365SmtpTools.Engine.Dns.Spf;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>The SPF part of a <see cref="MailDomainReport"/>.</summary>
    public sealed class MailDomainSpf
    {
        /// <summary>The SPF record, when the domain publishes exactly one (several TXT strings joined).</summary>
        public string? Record { get; set; }

        /// <summary>How many SPF records the domain publishes (exactly one is valid).</summary>
        public int RecordCount { get; set; }

        /// <summary>The <c>all</c> term of the record (e.g. <c>-all</c>, <c>~all</c>), or null when it has none.</summary>
        public string? AllTerm { get; set; }

        /// <summary>
        /// True when the record, directly or through includes and redirects, includes the Microsoft 365 SPF record of
        /// the domain's cloud (<c>spf.protection.outlook.com</c> for commercial tenants).
        /// </summary>
        public bool IncludesMicrosoft365 { get; set; }

        /// <summary>
        /// DNS-querying terms across the whole include tree, counted the way a receiver counts them for a sender the
        /// record doesn't list (the limit is 10).
        /// </summary>
        public int DnsLookups { get; set; }

        /// <summary>Lookups in that evaluation that found nothing (the limit is 2).</summary>
        public int VoidLookups { get; set; }

        /// <summary>
        /// The result a receiver gets for a sender the record doesn't list: Fail, SoftFail or Neutral for a usable
        /// record; PermError or TempError when the record is broken or couldn't be read; None without a record.
        /// </summary>
        public SpfResult Result { get; set; }

        /// <summary>Why: the reason of that evaluation (names the term, the loop, the limit).</summary>
        public string? ResultReason { get; set; }

        /// <summary>The address given with -SenderIPAddress, or null.</summary>
        public string? SenderIPAddress { get; set; }

        /// <summary>
        /// The SPF result for <see cref="SenderIPAddress"/> (Pass means Direct Send from it passes SPF), or null when
        /// no address was given.
        /// </summary>
        public SpfResult? SenderResult { get; set; }

        /// <summary>Why <see cref="SenderResult"/>: the term that matched, or what was wrong.</summary>
        public string? SenderResultReason { get; set; }

        /// <summary>The term that decided <see cref="SenderResult"/> (e.g. <c>ip4:203.0.113.25</c>), when one did.</summary>
        public string? SenderMatchedMechanism { get; set; }

        /// <inheritdoc />
        public override string ToString() => Record ?? (RecordCount > 1 ? $"{RecordCount} SPF records" : "(no SPF record)");
    }
}
