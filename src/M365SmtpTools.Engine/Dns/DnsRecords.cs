using System;
using System.Collections.Generic;
using System.Net;

namespace M365SmtpTools.Engine.Dns
{
    /// <summary>Record types the engine asks for or understands (RFC 1035, RFC 3596, RFC 6891).</summary>
    public enum DnsRecordType : ushort
    {
        /// <summary>IPv4 address.</summary>
        A = 1,
        /// <summary>Authoritative name server.</summary>
        NS = 2,
        /// <summary>Canonical name (alias).</summary>
        CNAME = 5,
        /// <summary>Start of authority.</summary>
        SOA = 6,
        /// <summary>Domain name pointer.</summary>
        PTR = 12,
        /// <summary>Mail exchanger.</summary>
        MX = 15,
        /// <summary>Text strings (SPF, DMARC, DKIM, verification).</summary>
        TXT = 16,
        /// <summary>IPv6 address.</summary>
        AAAA = 28,
        /// <summary>EDNS0 pseudo-record.</summary>
        OPT = 41,
    }

    /// <summary>The response code of a DNS answer (RFC 1035 section 4.1.1).</summary>
    public enum DnsResponseCode
    {
        /// <summary>No error.</summary>
        NoError = 0,
        /// <summary>The server couldn't interpret the query.</summary>
        FormatError = 1,
        /// <summary>The server failed (SERVFAIL).</summary>
        ServerFailure = 2,
        /// <summary>The name doesn't exist (NXDOMAIN).</summary>
        NameError = 3,
        /// <summary>The server doesn't support this kind of query.</summary>
        NotImplemented = 4,
        /// <summary>The server refused to answer (REFUSED).</summary>
        Refused = 5,
    }

    /// <summary>One resource record from an answer.</summary>
    public abstract class DnsRecord
    {
        /// <summary>Creates the record.</summary>
        protected DnsRecord(string name, DnsRecordType type, uint timeToLive)
        {
            Name = name;
            Type = type;
            TimeToLive = timeToLive;
        }

        /// <summary>The owner name, lower case, without the trailing dot.</summary>
        public string Name { get; }

        /// <summary>The record type.</summary>
        public DnsRecordType Type { get; }

        /// <summary>Time to live in seconds.</summary>
        public uint TimeToLive { get; }
    }

    /// <summary>An MX record.</summary>
    public sealed class MxRecord : DnsRecord
    {
        /// <summary>Creates the record.</summary>
        public MxRecord(string name, uint timeToLive, ushort preference, string exchange)
            : base(name, DnsRecordType.MX, timeToLive)
        {
            Preference = preference;
            Exchange = exchange;
        }

        /// <summary>Lower is preferred.</summary>
        public ushort Preference { get; }

        /// <summary>The mail exchanger's host name, lower case, without the trailing dot; empty for a null MX (RFC 7505).</summary>
        public string Exchange { get; }

        /// <inheritdoc />
        public override string ToString() => $"{Name} MX {Preference} {Exchange}.";
    }

    /// <summary>A TXT record: one or more character strings.</summary>
    public sealed class TxtRecord : DnsRecord
    {
        /// <summary>Creates the record.</summary>
        public TxtRecord(string name, uint timeToLive, IReadOnlyList<string> strings)
            : base(name, DnsRecordType.TXT, timeToLive)
        {
            Strings = strings;
            Text = string.Concat(strings);
        }

        /// <summary>The character strings as published (each at most 255 bytes).</summary>
        public IReadOnlyList<string> Strings { get; }

        /// <summary>The strings concatenated without separators, as RFC 7208 section 3.3 requires for SPF (and DKIM/DMARC use).</summary>
        public string Text { get; }

        /// <inheritdoc />
        public override string ToString() => $"{Name} TXT {Text}";
    }

    /// <summary>A CNAME record.</summary>
    public sealed class CnameRecord : DnsRecord
    {
        /// <summary>Creates the record.</summary>
        public CnameRecord(string name, uint timeToLive, string target)
            : base(name, DnsRecordType.CNAME, timeToLive) => Target = target;

        /// <summary>The canonical name, lower case, without the trailing dot.</summary>
        public string Target { get; }

        /// <inheritdoc />
        public override string ToString() => $"{Name} CNAME {Target}.";
    }

    /// <summary>A PTR record (reverse lookups).</summary>
    public sealed class PtrRecord : DnsRecord
    {
        /// <summary>Creates the record.</summary>
        public PtrRecord(string name, uint timeToLive, string target)
            : base(name, DnsRecordType.PTR, timeToLive) => Target = target;

        /// <summary>The host name pointed to, lower case, without the trailing dot.</summary>
        public string Target { get; }

        /// <inheritdoc />
        public override string ToString() => $"{Name} PTR {Target}.";
    }

    /// <summary>An A or AAAA record.</summary>
    public sealed class AddressRecord : DnsRecord
    {
        /// <summary>Creates the record.</summary>
        public AddressRecord(string name, DnsRecordType type, uint timeToLive, IPAddress address)
            : base(name, type, timeToLive) => Address = address;

        /// <summary>The address.</summary>
        public IPAddress Address { get; }

        /// <inheritdoc />
        public override string ToString() => $"{Name} {Type} {Address}";
    }

    /// <summary>A record of a type the engine doesn't interpret (SOA, NS, OPT…): the raw data is kept.</summary>
    public sealed class OtherRecord : DnsRecord
    {
        /// <summary>Creates the record.</summary>
        public OtherRecord(string name, DnsRecordType type, uint timeToLive, byte[] data)
            : base(name, type, timeToLive) => Data = data;

        /// <summary>The RDATA bytes (names inside are not decompressed).</summary>
        public byte[] Data { get; }
    }

    /// <summary>The outcome of one query: the response code and the records of the type asked for.</summary>
    public sealed class DnsAnswer
    {
        /// <summary>Creates the answer.</summary>
        public DnsAnswer(string name, DnsRecordType type, DnsResponseCode responseCode, IReadOnlyList<DnsRecord> records, string server,
            bool viaTcp)
        {
            Name = name;
            Type = type;
            ResponseCode = responseCode;
            Records = records;
            Server = server;
            ViaTcp = viaTcp;
        }

        /// <summary>The name asked about (normalized).</summary>
        public string Name { get; }

        /// <summary>The type asked for.</summary>
        public DnsRecordType Type { get; }

        /// <summary>NoError or NameError (the client throws for other codes).</summary>
        public DnsResponseCode ResponseCode { get; }

        /// <summary>The records of the type asked for, reached from the name directly or through the CNAME chain in the answer.</summary>
        public IReadOnlyList<DnsRecord> Records { get; }

        /// <summary>The server that answered, as <c>host:port</c>.</summary>
        public string Server { get; }

        /// <summary>True when the answer came over TCP (after a truncated UDP answer).</summary>
        public bool ViaTcp { get; }

        /// <summary>True when the name doesn't exist (NXDOMAIN).</summary>
        public bool IsNameError => ResponseCode == DnsResponseCode.NameError;

        /// <summary>True when the name exists (or the server says NOERROR) but has no records of the type (NODATA).</summary>
        public bool IsNoData => ResponseCode == DnsResponseCode.NoError && Records.Count == 0;
    }
}
