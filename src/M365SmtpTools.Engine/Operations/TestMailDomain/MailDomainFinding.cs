namespace M365SmtpTools.Engine.Operations
{
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
}
