namespace M365SmtpTools.Engine.Mime
{
    /// <summary>The error codes of building a message: addresses, headers, bodies and attachments.</summary>
    public static class MimeErrorCodes
    {
        // ---- addresses and headers -------------------------------------------------------------------------------

        /// <summary>An address can't be parsed.</summary>
        public static readonly ErrorCode InvalidEmailAddress = new ErrorCode("InvalidEmailAddress", ErrorKind.InvalidArgument);
        /// <summary>A header value has a line break that would inject headers.</summary>
        public static readonly ErrorCode HeaderInjection = new ErrorCode("HeaderInjection", ErrorKind.InvalidArgument);
        /// <summary>A header value has control characters or unpaired surrogates.</summary>
        public static readonly ErrorCode InvalidHeaderValue = new ErrorCode("InvalidHeaderValue", ErrorKind.InvalidArgument);
        /// <summary>A header name is empty, too long or has characters a name can't have.</summary>
        public static readonly ErrorCode InvalidHeaderName = new ErrorCode("InvalidHeaderName", ErrorKind.InvalidArgument);
        /// <summary>A custom header has a name the builder writes itself.</summary>
        public static readonly ErrorCode ReservedHeaderName = new ErrorCode("ReservedHeaderName", ErrorKind.InvalidArgument);
        /// <summary>An address has a non-ASCII local part and UTF-8 headers aren't allowed.</summary>
        public static readonly ErrorCode SmtpUtf8Required = new ErrorCode("SmtpUtf8Required", ErrorKind.InvalidOperation);
        /// <summary>The Message-ID given isn't valid.</summary>
        public static readonly ErrorCode InvalidMessageId = new ErrorCode("InvalidMessageId", ErrorKind.InvalidArgument);

        // ---- the message -----------------------------------------------------------------------------------------

        /// <summary>The message has no From address.</summary>
        public static readonly ErrorCode MessageHasNoSender =
            new ErrorCode("MessageHasNoSender", ErrorKind.InvalidArgument, FailurePhase.Sender);
        /// <summary>The message has no recipients.</summary>
        public static readonly ErrorCode MessageHasNoRecipients = new ErrorCode("MessageHasNoRecipients", ErrorKind.InvalidArgument);
        /// <summary>A body text can't be encoded (an unpaired surrogate).</summary>
        public static readonly ErrorCode InvalidBodyText = new ErrorCode("InvalidBodyText", ErrorKind.InvalidArgument);

        // ---- attachments and inline images -----------------------------------------------------------------------

        /// <summary>The message has inline images but no HTML body.</summary>
        public static readonly ErrorCode InlineImageWithoutHtml = new ErrorCode("InlineImageWithoutHtml", ErrorKind.InvalidArgument);
        /// <summary>An inline image has no Content-ID.</summary>
        public static readonly ErrorCode InlineImageWithoutContentId =
            new ErrorCode("InlineImageWithoutContentId", ErrorKind.InvalidArgument);
        /// <summary>Two inline images have the same Content-ID.</summary>
        public static readonly ErrorCode DuplicateContentId = new ErrorCode("DuplicateContentId", ErrorKind.InvalidArgument);
        /// <summary>A Content-ID isn't usable.</summary>
        public static readonly ErrorCode InvalidContentId = new ErrorCode("InvalidContentId", ErrorKind.InvalidArgument);
        /// <summary>A content type isn't a usable media type.</summary>
        public static readonly ErrorCode InvalidContentType = new ErrorCode("InvalidContentType", ErrorKind.InvalidArgument);
        /// <summary>An attachment's file name is empty.</summary>
        public static readonly ErrorCode InvalidFileName = new ErrorCode("InvalidFileName", ErrorKind.InvalidArgument);
        /// <summary>An attachment file doesn't exist (or its path isn't valid).</summary>
        public static readonly ErrorCode AttachmentNotFound = new ErrorCode("AttachmentNotFound", ErrorKind.ObjectNotFound);
        /// <summary>An attachment path is a folder.</summary>
        public static readonly ErrorCode AttachmentIsDirectory = new ErrorCode("AttachmentIsDirectory", ErrorKind.InvalidArgument);
        /// <summary>An attachment is a named pipe, device or socket.</summary>
        public static readonly ErrorCode AttachmentNotRegularFile = new ErrorCode("AttachmentNotRegularFile", ErrorKind.InvalidArgument);
        /// <summary>An attachment can't be read.</summary>
        public static readonly ErrorCode AttachmentUnreadable = new ErrorCode("AttachmentUnreadable", ErrorKind.PermissionDenied);
        /// <summary>An attachment changed while the message was being sent.</summary>
        public static readonly ErrorCode AttachmentChanged = new ErrorCode("AttachmentChanged", ErrorKind.InvalidOperation);
    }
}
