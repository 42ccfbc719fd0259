namespace M365SmtpTools.Engine.Operations
{
    /// <summary>
    /// The error codes of the argument checks the operations make on their requests (ranges, combinations, batch
    /// rows). Each names the parameter it is about in <see cref="M365SmtpException.ParameterName"/>.
    /// </summary>
    public static class RequestErrorCodes
    {
        /// <summary>-Port is not a TCP port.</summary>
        public static readonly ErrorCode PortOutOfRange = new ErrorCode("PortOutOfRange", ErrorKind.InvalidArgument);
        /// <summary>-TimeoutSeconds is out of range.</summary>
        public static readonly ErrorCode TimeoutOutOfRange = new ErrorCode("TimeoutOutOfRange", ErrorKind.InvalidArgument);
        /// <summary>-MaxRetry is out of range.</summary>
        public static readonly ErrorCode MaxRetryOutOfRange = new ErrorCode("MaxRetryOutOfRange", ErrorKind.InvalidArgument);
        /// <summary>-MaxMessagesPerMinute is not positive.</summary>
        public static readonly ErrorCode MaxMessagesPerMinuteOutOfRange =
            new ErrorCode("MaxMessagesPerMinuteOutOfRange", ErrorKind.InvalidArgument);
        /// <summary>-MaxRecipientsPerDay is not positive.</summary>
        public static readonly ErrorCode MaxRecipientsPerDayOutOfRange =
            new ErrorCode("MaxRecipientsPerDayOutOfRange", ErrorKind.InvalidArgument);
        /// <summary>-MaxConnections is out of range.</summary>
        public static readonly ErrorCode MaxConnectionsOutOfRange = new ErrorCode("MaxConnectionsOutOfRange", ErrorKind.InvalidArgument);
        /// <summary>Auth parameters with a method that doesn't authenticate (relay, Direct Send).</summary>
        public static readonly ErrorCode AuthNotApplicable = new ErrorCode("AuthNotApplicable", ErrorKind.InvalidArgument);
        /// <summary>-DeliveryNotification Never with other values.</summary>
        public static readonly ErrorCode DeliveryNotificationConflict =
            new ErrorCode("DeliveryNotificationConflict", ErrorKind.InvalidArgument);
        /// <summary>-SkipCertificateValidation against Microsoft 365 or Microsoft Graph, whose certificates are valid.</summary>
        public static readonly ErrorCode SkipCertificateValidationNotAllowed =
            new ErrorCode("SkipCertificateValidationNotAllowed", ErrorKind.SecurityError);
        /// <summary>The test needs -To.</summary>
        public static readonly ErrorCode ToMissing = new ErrorCode("ToMissing", ErrorKind.InvalidArgument);
        /// <summary>The test needs -From.</summary>
        public static readonly ErrorCode FromMissing = new ErrorCode("FromMissing", ErrorKind.InvalidArgument);
        /// <summary>-StopAfter with -SendTestMessage.</summary>
        public static readonly ErrorCode StopAfterWithSendTestMessage =
            new ErrorCode("StopAfterWithSendTestMessage", ErrorKind.InvalidArgument);
        /// <summary>A batch row's value isn't one of the allowed names.</summary>
        public static readonly ErrorCode InvalidRowValue = new ErrorCode("InvalidRowValue", ErrorKind.InvalidArgument);
        /// <summary>A message's -Priority isn't Normal, Low or High.</summary>
        public static readonly ErrorCode InvalidPriority = new ErrorCode("InvalidPriority", ErrorKind.InvalidArgument);
        /// <summary>A message's -Header is neither a hashtable nor 'Name: value' pairs.</summary>
        public static readonly ErrorCode InvalidHeader = new ErrorCode("InvalidHeader", ErrorKind.InvalidArgument);
        /// <summary>An -InlineImage item isn't a Content-ID → file pair.</summary>
        public static readonly ErrorCode InvalidInlineImage = new ErrorCode("InvalidInlineImage", ErrorKind.InvalidArgument);
    }
}
