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
}
