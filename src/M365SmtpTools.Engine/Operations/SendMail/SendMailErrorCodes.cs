namespace M365SmtpTools.Engine.Operations
{
    /// <summary>The error codes of Send-M365Mail's routing and pacing.</summary>
    public static class SendMailErrorCodes
    {
        /// <summary>The sender's domain has no Microsoft 365 MX endpoint to relay through.</summary>
        public static readonly ErrorCode RelayEndpointNotFound =
            new ErrorCode("RelayEndpointNotFound", ErrorKind.ObjectNotFound, FailurePhase.Resolve);
        /// <summary>Direct Send to a recipient outside the tenant.</summary>
        public static readonly ErrorCode DirectSendExternalRecipient =
            new ErrorCode("DirectSendExternalRecipient", ErrorKind.InvalidArgument, FailurePhase.Recipients);
        /// <summary>One message has more recipients than the endpoint allows a day.</summary>
        public static readonly ErrorCode RecipientLimitExceeded = new ErrorCode("RecipientLimitExceeded", ErrorKind.LimitsExceeded);
        /// <summary>The batch reached the endpoint's recipients a day; the rest wasn't sent.</summary>
        public static readonly ErrorCode DailyRecipientLimitReached = new ErrorCode("DailyRecipientLimitReached", ErrorKind.LimitsExceeded);
    }
}
