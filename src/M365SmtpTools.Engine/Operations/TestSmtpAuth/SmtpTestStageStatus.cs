namespace M365SmtpTools.Engine.Operations
{
    /// <summary>How a stage went.</summary>
    public enum SmtpTestStageStatus
    {
        /// <summary>It worked.</summary>
        Passed,
        /// <summary>It worked, with something to look at (see the findings).</summary>
        Warning,
        /// <summary>It failed; the run stopped here.</summary>
        Failed,
        /// <summary>It did not apply (e.g. no token with Basic authentication).</summary>
        Skipped,
    }
}
