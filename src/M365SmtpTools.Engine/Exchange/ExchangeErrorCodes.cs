namespace M365SmtpTools.Engine.Exchange
{
    /// <summary>The error codes of Microsoft 365's clouds and submission endpoints, and of relay connector inputs.</summary>
    public static class ExchangeErrorCodes
    {
        /// <summary>-Environment isn't a known cloud.</summary>
        public static readonly ErrorCode UnknownEnvironment = new ErrorCode("UnknownEnvironment", ErrorKind.InvalidArgument);
        /// <summary>-Endpoint with a method it doesn't apply to.</summary>
        public static readonly ErrorCode EndpointNotApplicable = new ErrorCode("EndpointNotApplicable", ErrorKind.InvalidArgument);
        /// <summary>-Endpoint isn't available in the cloud.</summary>
        public static readonly ErrorCode EndpointNotInCloud = new ErrorCode("EndpointNotInCloud", ErrorKind.InvalidArgument);
        /// <summary>Port 465 (implicit TLS) for a Microsoft 365 endpoint.</summary>
        public static readonly ErrorCode ImplicitTlsNotSupported = new ErrorCode("ImplicitTlsNotSupported", ErrorKind.InvalidArgument);
        /// <summary>-SenderIPAddress isn't a usable public IPv4 address or range.</summary>
        public static readonly ErrorCode InvalidSenderIPAddress = new ErrorCode("InvalidSenderIPAddress", ErrorKind.InvalidArgument);
    }
}
