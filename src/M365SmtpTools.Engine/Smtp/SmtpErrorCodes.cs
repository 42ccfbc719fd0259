namespace M365SmtpTools.Engine.Smtp
{
    /// <summary>
    /// The error codes of the SMTP client. Where the server's reply decides the kind (a refused command), the code's
    /// kind is only the usual one.
    /// </summary>
    public static class SmtpErrorCodes
    {
        // ---- resolving and connecting ----------------------------------------------------------------------------

        /// <summary>The SMTP server's host name doesn't resolve.</summary>
        public static readonly ErrorCode HostNotFound = new ErrorCode("SmtpHostNotFound", ErrorKind.ObjectNotFound, FailurePhase.Resolve);
        /// <summary>The TCP connection failed.</summary>
        public static readonly ErrorCode ConnectFailed =
            new ErrorCode("SmtpConnectFailed", ErrorKind.ConnectionError, FailurePhase.Connect);
        /// <summary>The TCP connection took longer than the connect timeout.</summary>
        public static readonly ErrorCode ConnectTimeout =
            new ErrorCode("SmtpConnectTimeout", ErrorKind.OperationTimeout, FailurePhase.Connect);
        /// <summary>The server's greeting was not 220.</summary>
        public static readonly ErrorCode GreetingRejected =
            new ErrorCode("SmtpGreetingRejected", ErrorKind.ResourceUnavailable, FailurePhase.Connect);
        /// <summary>The server refused EHLO (and HELO).</summary>
        public static readonly ErrorCode EhloRejected = new ErrorCode("SmtpEhloRejected", ErrorKind.InvalidOperation, FailurePhase.Connect);
        /// <summary>The server closed the connection.</summary>
        public static readonly ErrorCode ConnectionClosed =
            new ErrorCode("SmtpConnectionClosed", ErrorKind.ConnectionError, FailurePhase.Connect);
        /// <summary>The connection was lost (reset, broken pipe).</summary>
        public static readonly ErrorCode ConnectionLost =
            new ErrorCode("SmtpConnectionLost", ErrorKind.ConnectionError, FailurePhase.Connect);
        /// <summary>The server didn't answer within the command timeout.</summary>
        public static readonly ErrorCode Timeout = new ErrorCode("SmtpTimeout", ErrorKind.OperationTimeout, FailurePhase.Connect);
        /// <summary>The client isn't connected (any more).</summary>
        public static readonly ErrorCode NotConnected = new ErrorCode("SmtpNotConnected", ErrorKind.InvalidOperation, FailurePhase.Connect);
        /// <summary>Implicit TLS (port 465) was asked of a server that doesn't support it.</summary>
        public static readonly ErrorCode ImplicitTlsNotSupported =
            new ErrorCode("SmtpImplicitTlsNotSupported", ErrorKind.InvalidArgument, FailurePhase.Connect);
        /// <summary>The server sent something that isn't an SMTP reply.</summary>
        public static readonly ErrorCode InvalidReply = new ErrorCode("SmtpInvalidReply", ErrorKind.ProtocolError, FailurePhase.Connect);
        /// <summary>The server sent a reply (or line) over the length limit.</summary>
        public static readonly ErrorCode ReplyTooLong = new ErrorCode("SmtpReplyTooLong", ErrorKind.ProtocolError, FailurePhase.Connect);

        // ---- TLS -------------------------------------------------------------------------------------------------

        /// <summary>STARTTLS was required and the server didn't offer it.</summary>
        public static readonly ErrorCode StartTlsNotOffered =
            new ErrorCode("SmtpStartTlsNotOffered", ErrorKind.SecurityError, FailurePhase.Tls);
        /// <summary>The server refused STARTTLS.</summary>
        public static readonly ErrorCode StartTlsRefused = new ErrorCode("SmtpStartTlsRefused", ErrorKind.SecurityError, FailurePhase.Tls);
        /// <summary>The TLS handshake failed.</summary>
        public static readonly ErrorCode TlsHandshakeFailed =
            new ErrorCode("SmtpTlsHandshakeFailed", ErrorKind.SecurityError, FailurePhase.Tls);
        /// <summary>The TLS policy allows a protocol older than TLS 1.2.</summary>
        public static readonly ErrorCode TlsProtocolNotAllowed =
            new ErrorCode("SmtpTlsProtocolNotAllowed", ErrorKind.InvalidArgument, FailurePhase.Tls);
        /// <summary>The server's certificate was rejected.</summary>
        public static readonly ErrorCode CertificateInvalid =
            new ErrorCode("SmtpCertificateInvalid", ErrorKind.SecurityError, FailurePhase.Tls);
        /// <summary>TLS is required and the session isn't encrypted.</summary>
        public static readonly ErrorCode TlsRequired = new ErrorCode("SmtpTlsRequired", ErrorKind.SecurityError, FailurePhase.Tls);
        /// <summary>The server sent data after agreeing to STARTTLS (possible injection).</summary>
        public static readonly ErrorCode StartTlsInjection =
            new ErrorCode("SmtpStartTlsInjection", ErrorKind.SecurityError, FailurePhase.Tls);

        // ---- AUTH ------------------------------------------------------------------------------------------------

        /// <summary>The server refused the credentials (kind from the reply).</summary>
        public static readonly ErrorCode AuthenticationFailed =
            new ErrorCode("SmtpAuthenticationFailed", ErrorKind.AuthenticationError, FailurePhase.Auth);
        /// <summary>The server doesn't offer AUTH.</summary>
        public static readonly ErrorCode AuthNotOffered =
            new ErrorCode("SmtpAuthNotOffered", ErrorKind.InvalidOperation, FailurePhase.Auth);
        /// <summary>The server doesn't offer the AUTH mechanism asked for (or any for the credential).</summary>
        public static readonly ErrorCode AuthMechanismNotOffered =
            new ErrorCode("SmtpAuthMechanismNotOffered", ErrorKind.InvalidOperation, FailurePhase.Auth);
        /// <summary>The password or token is empty.</summary>
        public static readonly ErrorCode CredentialEmpty =
            new ErrorCode("SmtpCredentialEmpty", ErrorKind.InvalidArgument, FailurePhase.Auth);
        /// <summary>The user name or secret has a character SASL can't carry.</summary>
        public static readonly ErrorCode CredentialInvalidCharacter =
            new ErrorCode("SmtpCredentialInvalidCharacter", ErrorKind.InvalidArgument);
        /// <summary>The session is already authenticated.</summary>
        public static readonly ErrorCode AlreadyAuthenticated = new ErrorCode("SmtpAlreadyAuthenticated", ErrorKind.InvalidOperation);

        // ---- the mail transaction --------------------------------------------------------------------------------

        /// <summary>The server refused MAIL FROM (kind from the reply).</summary>
        public static readonly ErrorCode SenderRejected =
            new ErrorCode("SmtpSenderRejected", ErrorKind.InvalidOperation, FailurePhase.Sender);
        /// <summary>The server refused every recipient (kind from the reply).</summary>
        public static readonly ErrorCode RecipientsRejected =
            new ErrorCode("SmtpRecipientsRejected", ErrorKind.InvalidOperation, FailurePhase.Recipients);
        /// <summary>The message was sent but some recipients were refused.</summary>
        public static readonly ErrorCode SomeRecipientsRejected = new ErrorCode("SmtpSomeRecipientsRejected", ErrorKind.InvalidOperation);
        /// <summary>The envelope has no recipients.</summary>
        public static readonly ErrorCode NoRecipients =
            new ErrorCode("SmtpNoRecipients", ErrorKind.InvalidArgument, FailurePhase.Recipients);
        /// <summary>An envelope address has a character SMTP doesn't allow, or is empty.</summary>
        public static readonly ErrorCode InvalidAddress =
            new ErrorCode("SmtpInvalidAddress", ErrorKind.InvalidArgument, FailurePhase.Recipients);
        /// <summary>The server refused DATA (kind from the reply).</summary>
        public static readonly ErrorCode DataRejected = new ErrorCode("SmtpDataRejected", ErrorKind.InvalidOperation, FailurePhase.Data);
        /// <summary>The server refused the message or a BDAT chunk (kind from the reply).</summary>
        public static readonly ErrorCode MessageRejected =
            new ErrorCode("SmtpMessageRejected", ErrorKind.InvalidOperation, FailurePhase.Data);
        /// <summary>The message is larger than the server's SIZE limit.</summary>
        public static readonly ErrorCode MessageTooLarge =
            new ErrorCode("SmtpMessageTooLarge", ErrorKind.LimitsExceeded, FailurePhase.Data);
        /// <summary>Writing the message content failed midway (e.g. an attachment became unreadable).</summary>
        public static readonly ErrorCode ContentFailed = new ErrorCode("SmtpContentFailed", ErrorKind.InvalidOperation, FailurePhase.Data);
        /// <summary>The end of the message was sent and its reply was lost: delivery unknown.</summary>
        public static readonly ErrorCode DeliveryUnknown =
            new ErrorCode("SmtpDeliveryUnknown", ErrorKind.ConnectionError, FailurePhase.DeliveryUnknown);
        /// <summary>The message needs SMTPUTF8 and the server doesn't offer it.</summary>
        public static readonly ErrorCode Utf8NotSupported = new ErrorCode("SmtpUtf8NotSupported", ErrorKind.InvalidOperation);
        /// <summary>The message has 8bit parts and the server doesn't offer 8BITMIME.</summary>
        public static readonly ErrorCode EightBitMimeNotSupported = new ErrorCode("Smtp8BitMimeNotSupported", ErrorKind.InvalidOperation);
        /// <summary>The server refused RSET; the session can't go on.</summary>
        public static readonly ErrorCode ResetFailed = new ErrorCode("SmtpResetFailed", ErrorKind.ProtocolError);
    }
}
