using System;

namespace M365SmtpTools.Engine
{
    /// <summary>What kind of failure an engine exception is; the cmdlets map it to a PowerShell ErrorCategory.</summary>
    public enum ErrorKind
    {
        /// <summary>The caller gave a value that can't be used.</summary>
        InvalidArgument,
        /// <summary>Something named doesn't exist (a file, a DNS name, a connection).</summary>
        ObjectNotFound,
        /// <summary>The network connection failed or died.</summary>
        ConnectionError,
        /// <summary>The server or identity platform rejected the credentials.</summary>
        AuthenticationError,
        /// <summary>Authenticated, but not allowed to do this.</summary>
        PermissionDenied,
        /// <summary>A timeout expired.</summary>
        OperationTimeout,
        /// <summary>The server said something the protocol doesn't allow.</summary>
        ProtocolError,
        /// <summary>The operation can't be done in this state or environment.</summary>
        InvalidOperation,
        /// <summary>A limit was hit (size, rate, quota).</summary>
        LimitsExceeded,
        /// <summary>A security requirement (TLS, certificate) wasn't met.</summary>
        SecurityError,
        /// <summary>The server or service is temporarily unavailable.</summary>
        ResourceUnavailable,
        /// <summary>The operation was cancelled.</summary>
        Cancelled,
    }

    /// <summary>
    /// The root of every exception the engine throws on purpose. It carries a stable error code (whose id is the
    /// ErrorRecord's FullyQualifiedErrorId), a kind, the object concerned and what the user can do about it.
    /// Messages never contain secrets.
    /// </summary>
    public class M365SmtpException : Exception
    {
        /// <summary>Creates the exception; its kind is the code's.</summary>
        public M365SmtpException(ErrorCode code, string message, Exception? innerException = null)
            : this(code, (code ?? throw new ArgumentNullException(nameof(code))).Kind, message, innerException)
        {
        }

        /// <summary>Creates the exception with a kind chosen where it is thrown (e.g. from a server's reply).</summary>
        public M365SmtpException(ErrorCode code, ErrorKind kind, string message, Exception? innerException = null)
            : base(message, innerException)
        {
            Code = code ?? throw new ArgumentNullException(nameof(code));
            Kind = kind;
        }

        /// <summary>What failed: the id, usual kind and sending step.</summary>
        public ErrorCode Code { get; }

        /// <summary>A stable identifier such as <c>SmtpAuthenticationFailed</c>; scripts may match on it.</summary>
        public string ErrorId => Code.Id;

        /// <summary>The kind of failure.</summary>
        public ErrorKind Kind { get; }

        /// <summary>The input the failure is about (a domain, an address, a file), when there is one.</summary>
        public object? TargetObject { get; set; }

        /// <summary>
        /// The parameter the failure is about, as PowerShell names it without the dash (e.g. <c>ClientId</c>), when an
        /// argument check names one.
        /// </summary>
        public string? ParameterName { get; set; }

        /// <summary>What to do about it, in one or two sentences.</summary>
        public string? RecommendedAction { get; set; }
    }
}
