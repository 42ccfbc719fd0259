namespace M365SmtpTools.Engine.Operations
{
    /// <summary>The verdict of a Test-M365SmtpAuth run.</summary>
    public enum SmtpTestOutcome
    {
        /// <summary>Every stage that ran passed and nothing needs attention.</summary>
        Passed,
        /// <summary>Every stage that ran passed, but something should be changed (e.g. Basic authentication, an IP address as
        /// server).</summary>
        Warning,
        /// <summary>A stage failed: sending would fail the same way.</summary>
        Failed,
    }
}
