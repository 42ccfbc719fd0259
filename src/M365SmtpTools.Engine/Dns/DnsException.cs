using System;

namespace M365SmtpTools.Engine.Dns
{
    /// <summary>
    /// A DNS failure: the name doesn't exist, has no records of the type asked, the server failed or didn't answer, or
    /// the answer couldn't be parsed. Its <see cref="M365SmtpException.Code"/> is one of the <see cref="DnsErrorCodes"/>.
    /// </summary>
    public class DnsException : M365SmtpException
    {
        /// <summary>Creates the exception; its kind is the code's.</summary>
        public DnsException(ErrorCode code, string message, Exception? innerException = null)
            : base(code, message, innerException)
        {
        }

        /// <summary>Creates the exception with a kind chosen where it is thrown (e.g. from the server's answer).</summary>
        public DnsException(ErrorCode code, ErrorKind kind, string message, Exception? innerException = null)
            : base(code, kind, message, innerException)
        {
        }

        /// <summary>The name that was asked about, when there is one.</summary>
        public string? QueryName { get; set; }

        /// <summary>The record type that was asked for, when there is one.</summary>
        public DnsRecordType? QueryType { get; set; }

        /// <summary>The server (or servers) asked, as <c>host:port</c>.</summary>
        public string? Server { get; set; }
    }

    /// <summary>
    /// The ids of DNS failures as text, for scripts and callers written before <see cref="DnsErrorCodes"/>; each is
    /// the id of the code of the same name.
    /// </summary>
    public static class DnsErrorIds
    {
        /// <summary>The name doesn't exist (NXDOMAIN).</summary>
        public static readonly string NameNotFound = DnsErrorCodes.NameNotFound.Id;
        /// <summary>The name exists but has no records of the type asked (NODATA).</summary>
        public static readonly string NoRecords = DnsErrorCodes.NoRecords.Id;
        /// <summary>The domain has no MX records.</summary>
        public static readonly string NoMxRecords = DnsErrorCodes.NoMxRecords.Id;
        /// <summary>No server answered in time.</summary>
        public static readonly string Timeout = DnsErrorCodes.Timeout.Id;
        /// <summary>The server answered SERVFAIL, REFUSED or another error code, or couldn't be reached.</summary>
        public static readonly string ServerFailure = DnsErrorCodes.ServerFailure.Id;
        /// <summary>The answer broke the DNS message format.</summary>
        public static readonly string MalformedResponse = DnsErrorCodes.MalformedResponse.Id;
        /// <summary>The domain name given isn't a valid DNS name.</summary>
        public static readonly string InvalidDomainName = DnsErrorCodes.InvalidDomainName.Id;
        /// <summary>The DNS server given isn't a valid host[:port].</summary>
        public static readonly string InvalidDnsServer = DnsErrorCodes.InvalidDnsServer.Id;
        /// <summary>No DNS server is configured on this machine.</summary>
        public static readonly string NoDnsServers = DnsErrorCodes.NoDnsServers.Id;
    }
}
