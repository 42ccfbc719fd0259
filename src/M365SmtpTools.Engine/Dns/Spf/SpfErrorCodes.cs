namespace M365SmtpTools.Engine.Dns.Spf
{
    /// <summary>The error codes of reading SPF records.</summary>
    public static class SpfErrorCodes
    {
        /// <summary>The domain publishes more than one SPF record (a PermError for every receiver).</summary>
        public static readonly ErrorCode MultipleRecords = new ErrorCode("SpfMultipleRecords", ErrorKind.InvalidOperation);
        /// <summary>The SPF record doesn't follow RFC 7208's syntax.</summary>
        public static readonly ErrorCode SyntaxError = new ErrorCode("SpfSyntaxError", ErrorKind.InvalidArgument);
    }
}
