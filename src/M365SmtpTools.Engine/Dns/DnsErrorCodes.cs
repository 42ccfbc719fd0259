namespace M365SmtpTools.Engine.Dns
{
    /// <summary>The error codes of DNS lookups and of the names and servers given for them.</summary>
    public static class DnsErrorCodes
    {
        /// <summary>The name doesn't exist (NXDOMAIN).</summary>
        public static readonly ErrorCode NameNotFound = new ErrorCode("DnsNameNotFound", ErrorKind.ObjectNotFound, FailurePhase.Resolve);
        /// <summary>The name exists but has no records of the type asked (NODATA).</summary>
        public static readonly ErrorCode NoRecords = new ErrorCode("DnsNoRecords", ErrorKind.ObjectNotFound, FailurePhase.Resolve);
        /// <summary>The domain has no MX records.</summary>
        public static readonly ErrorCode NoMxRecords = new ErrorCode("DnsNoMxRecords", ErrorKind.ObjectNotFound, FailurePhase.Resolve);
        /// <summary>No server answered in time.</summary>
        public static readonly ErrorCode Timeout = new ErrorCode("DnsTimeout", ErrorKind.OperationTimeout, FailurePhase.Resolve);
        /// <summary>The server answered SERVFAIL, REFUSED or another error code, or couldn't be reached (kind by the cause).</summary>
        public static readonly ErrorCode ServerFailure =
            new ErrorCode("DnsServerFailure", ErrorKind.ResourceUnavailable, FailurePhase.Resolve);
        /// <summary>The answer broke the DNS message format.</summary>
        public static readonly ErrorCode MalformedResponse =
            new ErrorCode("DnsMalformedResponse", ErrorKind.ProtocolError, FailurePhase.Resolve);
        /// <summary>No DNS server is configured on this machine.</summary>
        public static readonly ErrorCode NoDnsServers = new ErrorCode("DnsNoServers", ErrorKind.ResourceUnavailable, FailurePhase.Resolve);
        /// <summary>The domain name given isn't a valid DNS name.</summary>
        public static readonly ErrorCode InvalidDomainName = new ErrorCode("InvalidDomainName", ErrorKind.InvalidArgument);
        /// <summary>The DNS server given isn't a valid host[:port], or its name doesn't resolve.</summary>
        public static readonly ErrorCode InvalidDnsServer = new ErrorCode("InvalidDnsServer", ErrorKind.InvalidArgument);
        /// <summary>The lookup timeout given is out of range.</summary>
        public static readonly ErrorCode InvalidTimeout = new ErrorCode("InvalidTimeout", ErrorKind.InvalidArgument);
    }
}
