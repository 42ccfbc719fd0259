namespace M365SmtpTools.Engine.Operations
{
    /// <summary>The error codes of the setup plans (New-M365SmtpAppAccessPlan, New-M365RelayConnectorPlan).</summary>
    public static class PlanErrorCodes
    {
        /// <summary>-Mailbox is required.</summary>
        public static readonly ErrorCode MailboxRequired = new ErrorCode("MailboxRequired", ErrorKind.InvalidArgument);
        /// <summary>-AppId or -ServicePrincipalObjectId is all zeros.</summary>
        public static readonly ErrorCode InvalidApplicationId = new ErrorCode("InvalidApplicationId", ErrorKind.InvalidArgument);
        /// <summary>-ScriptPath doesn't name a .ps1 file.</summary>
        public static readonly ErrorCode ScriptPathNotPs1 = new ErrorCode("ScriptPathNotPs1", ErrorKind.InvalidArgument);
        /// <summary>-EnableSmtpClientAuthentication with -Graph.</summary>
        public static readonly ErrorCode SmtpClientAuthenticationNotApplicable =
            new ErrorCode("SmtpClientAuthenticationNotApplicable", ErrorKind.InvalidArgument);
        /// <summary>The app access plan has errors, so its script was not written.</summary>
        public static readonly ErrorCode AppAccessPlanHasErrors = new ErrorCode("AppAccessPlanHasErrors", ErrorKind.InvalidOperation);
        /// <summary>No way for the connector to recognize the device was given.</summary>
        public static readonly ErrorCode RelayMethodMissing = new ErrorCode("RelayMethodMissing", ErrorKind.InvalidArgument);
        /// <summary>Both a certificate and -SenderIPAddress were given.</summary>
        public static readonly ErrorCode RelayMethodConflict = new ErrorCode("RelayMethodConflict", ErrorKind.InvalidArgument);
        /// <summary>The relay connector plan has errors, so its script was not written.</summary>
        public static readonly ErrorCode RelayPlanHasErrors = new ErrorCode("RelayPlanHasErrors", ErrorKind.InvalidOperation);
    }
}
