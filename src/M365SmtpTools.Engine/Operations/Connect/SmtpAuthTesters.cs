namespace M365SmtpTools.Engine.Operations
{
    /// <summary>Where Connect-M365Smtp finds the SMTP AUTH tester: set once by the SMTP client at start-up.</summary>
    public static class SmtpAuthTesters
    {
        /// <summary>
        /// The tester used when none is passed to the operation: the SMTP client (<see cref="SmtpClientAuthTester"/>)
        /// by default.
        /// </summary>
        public static ISmtpAuthTester? Default { get; set; } = new SmtpClientAuthTester();
    }
}
