using System;

namespace M365SmtpTools.Engine.Dns
{
    /// <summary>
    /// A DNS failure: the name doesn't exist, has no records of the type asked, the server failed or didn't answer, or
    /// the answer couldn't be parsed. <see cref="M365SmtpException.ErrorId"/> is one of the <see cref="DnsErrorIds"/>.
    /// </summary>
    public class DnsException : M365SmtpException
    {
        /// <summary>Creates the exception.</summary>
        public DnsException(string errorId, ErrorKind kind, string message, Exception? innerException = null)
            : base(errorId, kind, message, innerException)
        {
        }

        /// <summary>The name that was asked about, when there is one.</summary>
        public string? QueryName { get; set; }

        /// <summary>The record type that was asked for, when there is one.</summary>
        public DnsRecordType? QueryType { get; set; }

        /// <summary>The server (or servers) asked, as <c>host:port</c>.</summary>
        public string? Server { get; set; }
    }

    /// <summary>The stable error ids of DNS failures.</summary>
    public static class DnsErrorIds
    {
        /// <summary>The name doesn't exist (NXDOMAIN).</summary>
        public const string NameNotFound = "DnsNameNotFound";
        /// <summary>The name exists but has no records of the type asked (NODATA).</summary>
        public const string NoRecords = "DnsNoRecords";
        /// <summary>The domain has no MX records.</summary>
        public const string NoMxRecords = "DnsNoMxRecords";
        /// <summary>No server answered in time.</summary>
        public const string Timeout = "DnsTimeout";
        /// <summary>The server answered SERVFAIL, REFUSED or another error code, or couldn't be reached.</summary>
        public const string ServerFailure = "DnsServerFailure";
        /// <summary>The answer broke the DNS message format.</summary>
        public const string MalformedResponse = "DnsMalformedResponse";
        /// <summary>The domain name given isn't a valid DNS name.</summary>
        public const string InvalidDomainName = "InvalidDomainName";
        /// <summary>The DNS server given isn't a valid host[:port].</summary>
        public const string InvalidDnsServer = "InvalidDnsServer";
        /// <summary>No DNS server is configured on this machine.</summary>
        public const string NoDnsServers = "DnsNoServers";
    }
}
