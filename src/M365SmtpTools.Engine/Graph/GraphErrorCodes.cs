namespace M365SmtpTools.Engine.Graph
{
    /// <summary>
    /// The error codes of sending through Microsoft Graph: its error answers (explained by <c>GraphErrors</c>), the
    /// HTTPS transport, and the checks of what Graph can carry.
    /// </summary>
    public static class GraphErrorCodes
    {
        // ---- Graph's error answers -------------------------------------------------------------------------------

        /// <summary>ErrorAccessDenied: no Mail.Send, or an access policy or management scope excludes the mailbox.</summary>
        public static readonly ErrorCode ErrorAccessDenied =
            new ErrorCode("GraphErrorAccessDenied", ErrorKind.PermissionDenied, FailurePhase.Auth);
        /// <summary>403 without a code this module knows.</summary>
        public static readonly ErrorCode Forbidden = new ErrorCode("GraphForbidden", ErrorKind.PermissionDenied, FailurePhase.Auth);
        /// <summary>401 without a code this module knows.</summary>
        public static readonly ErrorCode Unauthorized =
            new ErrorCode("GraphUnauthorized", ErrorKind.AuthenticationError, FailurePhase.Auth);
        /// <summary>The access token is not for Microsoft Graph.</summary>
        public static readonly ErrorCode TokenWrongAudience =
            new ErrorCode("GraphTokenWrongAudience", ErrorKind.AuthenticationError, FailurePhase.Auth);
        /// <summary>The access token has expired.</summary>
        public static readonly ErrorCode TokenExpired =
            new ErrorCode("GraphTokenExpired", ErrorKind.AuthenticationError, FailurePhase.Auth);
        /// <summary>Graph refused the access token as invalid.</summary>
        public static readonly ErrorCode InvalidAuthenticationToken =
            new ErrorCode("GraphInvalidAuthenticationToken", ErrorKind.AuthenticationError, FailurePhase.Auth);
        /// <summary>MailboxNotEnabledForRESTAPI: no Exchange Online mailbox Graph can use.</summary>
        public static readonly ErrorCode MailboxNotEnabledForRestApi =
            new ErrorCode("GraphMailboxNotEnabledForRESTAPI", ErrorKind.ObjectNotFound, FailurePhase.Sender);
        /// <summary>404: no such user.</summary>
        public static readonly ErrorCode MailboxNotFound =
            new ErrorCode("GraphMailboxNotFound", ErrorKind.ObjectNotFound, FailurePhase.Sender);
        /// <summary>ErrorSendAsDenied: the mailbox may not send as the From address.</summary>
        public static readonly ErrorCode ErrorSendAsDenied =
            new ErrorCode("GraphErrorSendAsDenied", ErrorKind.PermissionDenied, FailurePhase.Sender);
        /// <summary>ErrorInvalidRecipients: a recipient isn't valid.</summary>
        public static readonly ErrorCode ErrorInvalidRecipients =
            new ErrorCode("GraphErrorInvalidRecipients", ErrorKind.InvalidArgument, FailurePhase.Recipients);
        /// <summary>ErrorMessageSizeExceeded: the message is over the mailbox's or recipient's limit.</summary>
        public static readonly ErrorCode ErrorMessageSizeExceeded =
            new ErrorCode("GraphErrorMessageSizeExceeded", ErrorKind.InvalidArgument, FailurePhase.Data);
        /// <summary>429: throttled.</summary>
        public static readonly ErrorCode Throttled = new ErrorCode("GraphThrottled", ErrorKind.LimitsExceeded);
        /// <summary>5xx: Graph couldn't take the request now.</summary>
        public static readonly ErrorCode ServiceUnavailable = new ErrorCode("GraphServiceUnavailable", ErrorKind.ResourceUnavailable);
        /// <summary>A refusal without an error code (other refusals are "Graph" + Graph's code).</summary>
        public static readonly ErrorCode RequestFailed = new ErrorCode("GraphRequestFailed", ErrorKind.InvalidOperation);

        // ---- the HTTPS transport ---------------------------------------------------------------------------------

        /// <summary>The connection to Graph failed before the request was sent.</summary>
        public static readonly ErrorCode ConnectionFailed =
            new ErrorCode("GraphConnectionFailed", ErrorKind.ConnectionError, FailurePhase.Connect);
        /// <summary>Graph didn't answer in time, before the request was sent.</summary>
        public static readonly ErrorCode Timeout = new ErrorCode("GraphTimeout", ErrorKind.OperationTimeout, FailurePhase.Connect);
        /// <summary>The request was sent and its answer lost: the message may or may not have been sent.</summary>
        public static readonly ErrorCode DeliveryUnknown =
            new ErrorCode("GraphDeliveryUnknown", ErrorKind.ConnectionError, FailurePhase.DeliveryUnknown);
        /// <summary>Graph's answer lacks what it must have (a message id, an upload URL).</summary>
        public static readonly ErrorCode UnexpectedAnswer = new ErrorCode("GraphUnexpectedAnswer", ErrorKind.ProtocolError);

        // ---- what Graph can carry, and its parameters ------------------------------------------------------------

        /// <summary>The attachments are over Graph's 150 MB.</summary>
        public static readonly ErrorCode MessageTooLarge =
            new ErrorCode("GraphMessageTooLarge", ErrorKind.InvalidArgument, FailurePhase.Data);
        /// <summary>A custom header whose name doesn't begin with x-.</summary>
        public static readonly ErrorCode HeaderNotAllowed = new ErrorCode("GraphHeaderNotAllowed", ErrorKind.InvalidArgument);
        /// <summary>More custom headers than Graph accepts.</summary>
        public static readonly ErrorCode TooManyHeaders = new ErrorCode("GraphTooManyHeaders", ErrorKind.InvalidArgument);
        /// <summary>-GraphEndpoint isn't an https:// address.</summary>
        public static readonly ErrorCode InvalidGraphEndpoint = new ErrorCode("InvalidGraphEndpoint", ErrorKind.InvalidArgument);
        /// <summary>-GraphEndpoint isn't HTTPS.</summary>
        public static readonly ErrorCode GraphEndpointNotHttps = new ErrorCode("GraphEndpointNotHttps", ErrorKind.InvalidArgument);
        /// <summary>No way to get a token for Graph was given.</summary>
        public static readonly ErrorCode AuthMissing = new ErrorCode("GraphAuthMissing", ErrorKind.InvalidArgument);
        /// <summary>-Credential (Basic) with Graph.</summary>
        public static readonly ErrorCode BasicAuthNotSupported = new ErrorCode("GraphBasicAuthNotSupported", ErrorKind.InvalidArgument);
        /// <summary>-DeliveryNotification with Graph.</summary>
        public static readonly ErrorCode DeliveryNotificationNotSupported =
            new ErrorCode("GraphDeliveryNotificationNotSupported", ErrorKind.InvalidArgument);
        /// <summary>An SMTP-only parameter with -Method Graph.</summary>
        public static readonly ErrorCode ParameterNotApplicableToGraph =
            new ErrorCode("ParameterNotApplicableToGraph", ErrorKind.InvalidArgument);

        /// <summary>
        /// The code of a refusal that <c>GraphErrors</c> doesn't explain: "Graph" + Graph's error code (GraphRequestFailed
        /// when there is none). An id a catalogue already has is that code, so it maps to the same step.
        /// </summary>
        internal static ErrorCode ForServerCode(string? code)
        {
            string id = "Graph" + (string.IsNullOrWhiteSpace(code) ? "RequestFailed" : code);
            return ErrorCodeRegistry.Find(id) ?? new ErrorCode(id, ErrorKind.InvalidOperation);
        }
    }
}
