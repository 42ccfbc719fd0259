using System.Collections.Generic;
using M365SmtpTools.Engine.Dns.Dkim;
using M365SmtpTools.Engine.Dns.Dmarc;
using M365SmtpTools.Engine.Dns.Spf;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>The verdict of a <see cref="MailDomainReport"/>: the worst severity among its findings.</summary>
    public enum MailDomainStatus
    {
        /// <summary>No finding above Information.</summary>
        Passed,
        /// <summary>At least one Warning finding, no Error.</summary>
        Warning,
        /// <summary>At least one Error finding.</summary>
        Failed,
    }

    /// <summary>Which part of the domain's mail setup a finding is about.</summary>
    public enum MailDomainCheck
    {
        /// <summary>The MX records.</summary>
        Mx,
        /// <summary>The SPF record.</summary>
        Spf,
        /// <summary>The DMARC record.</summary>
        Dmarc,
        /// <summary>The DKIM selector CNAMEs.</summary>
        Dkim,
        /// <summary>Direct Send from the address given with -SenderIPAddress.</summary>
        DirectSend,
    }

    /// <summary>One thing found about a domain, with the evidence and what to do about it.</summary>
    public sealed class MailDomainFinding
    {
        /// <summary>The domain the finding is about.</summary>
        public string Domain { get; set; } = "";

        /// <summary>A stable identifier such as <c>SpfMissing</c> or <c>DmarcPolicyNone</c>; scripts may match on it.</summary>
        public string Id { get; set; } = "";

        /// <summary>Which check produced it.</summary>
        public MailDomainCheck Check { get; set; }

        /// <summary>How serious it is.</summary>
        public FindingSeverity Severity { get; set; }

        /// <summary>What was found, in one or two sentences.</summary>
        public string Message { get; set; } = "";

        /// <summary>What it is based on: the record as published, the DNS answer, the evaluation's reason.</summary>
        public string? Evidence { get; set; }

        /// <summary>What to do about it (the record to publish, the portal page to open), or null when nothing is needed.</summary>
        public string? Remediation { get; set; }

        /// <summary>An Exchange Online PowerShell command that checks or fixes it (run after Connect-ExchangeOnline), or null.</summary>
        public string? Command { get; set; }

        /// <inheritdoc />
        public override string ToString() => $"[{Severity}] {Id}: {Message}";
    }

    /// <summary>The SPF part of a <see cref="MailDomainReport"/>.</summary>
    public sealed class MailDomainSpf
    {
        /// <summary>The SPF record, when the domain publishes exactly one (several TXT strings joined).</summary>
        public string? Record { get; set; }

        /// <summary>How many SPF records the domain publishes (exactly one is valid).</summary>
        public int RecordCount { get; set; }

        /// <summary>The <c>all</c> term of the record (e.g. <c>-all</c>, <c>~all</c>), or null when it has none.</summary>
        public string? AllTerm { get; set; }

        /// <summary>True when the record, directly or through includes and redirects, includes the Microsoft 365 SPF record of the domain's cloud (<c>spf.protection.outlook.com</c> for commercial tenants).</summary>
        public bool IncludesMicrosoft365 { get; set; }

        /// <summary>DNS-querying terms across the whole include tree, counted the way a receiver counts them for a sender the record doesn't list (the limit is 10).</summary>
        public int DnsLookups { get; set; }

        /// <summary>Lookups in that evaluation that found nothing (the limit is 2).</summary>
        public int VoidLookups { get; set; }

        /// <summary>The result a receiver gets for a sender the record doesn't list: Fail, SoftFail or Neutral for a usable record; PermError or TempError when the record is broken or couldn't be read; None without a record.</summary>
        public SpfResult Result { get; set; }

        /// <summary>Why: the reason of that evaluation (names the term, the loop, the limit).</summary>
        public string? ResultReason { get; set; }

        /// <summary>The address given with -SenderIPAddress, or null.</summary>
        public string? SenderIPAddress { get; set; }

        /// <summary>The SPF result for <see cref="SenderIPAddress"/> (Pass means Direct Send from it passes SPF), or null when no address was given.</summary>
        public SpfResult? SenderResult { get; set; }

        /// <summary>Why <see cref="SenderResult"/>: the term that matched, or what was wrong.</summary>
        public string? SenderResultReason { get; set; }

        /// <summary>The term that decided <see cref="SenderResult"/> (e.g. <c>ip4:203.0.113.25</c>), when one did.</summary>
        public string? SenderMatchedMechanism { get; set; }

        /// <inheritdoc />
        public override string ToString() => Record ?? (RecordCount > 1 ? $"{RecordCount} SPF records" : "(no SPF record)");
    }

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

    /// <summary>Test-M365MailDomain's answer for one domain: MX, SPF, DMARC and DKIM as Microsoft 365 needs them, with findings and fixes.</summary>
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
