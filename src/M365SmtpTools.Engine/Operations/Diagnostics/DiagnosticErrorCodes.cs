namespace M365SmtpTools.Engine.Operations
{
    /// <summary>
    /// The error codes of the diagnostic commands. A failed test's kind is the failed stage's (so the code's kind is
    /// only the usual one); what failed is in its first finding.
    /// </summary>
    public static class DiagnosticErrorCodes
    {
        /// <summary>Test-M365SmtpAuth -ErrorOnFailure: the test failed.</summary>
        public static readonly ErrorCode SmtpAuthTestFailed = new ErrorCode("SmtpAuthTestFailed", ErrorKind.InvalidOperation);
        /// <summary>Test-M365GraphSend -ErrorOnFailure: the test failed.</summary>
        public static readonly ErrorCode GraphSendTestFailed = new ErrorCode("GraphSendTestFailed", ErrorKind.InvalidOperation);
        /// <summary>Connect-M365Smtp -Test without the SMTP client in this build.</summary>
        public static readonly ErrorCode SmtpAuthTestUnavailable = new ErrorCode("SmtpAuthTestUnavailable", ErrorKind.InvalidOperation);
    }
}
