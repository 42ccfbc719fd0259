using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;

namespace M365SmtpTools.Engine.Dns
{
    /// <summary>Something that answers DNS questions: the real <see cref="DnsClient"/>, or a fake in tests.</summary>
    public interface IDnsResolver
    {
        /// <summary>
        /// Asks for the records of one type. Returns NOERROR (with or without records) and NXDOMAIN answers; throws
        /// <see cref="DnsException"/> for timeouts, server failures, malformed answers and invalid names.
        /// </summary>
        Task<DnsAnswer> QueryAsync(string name, DnsRecordType type, CancellationToken cancellationToken = default);
    }

    /// <summary>How <see cref="DnsClient"/> asks.</summary>
    public sealed class DnsClientOptions
    {
        /// <summary>The servers to ask, in order; empty means the system's resolvers.</summary>
        public IList<DnsServerEndpoint> Servers { get; set; } = new List<DnsServerEndpoint>();

        /// <summary>How long to wait for one answer from one server.</summary>
        public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(3);

        /// <summary>How many more times to ask a server that didn't answer, before the next server.</summary>
        public int Retries { get; set; } = 1;

        /// <summary>Receives one line per query and per fallback, for the verbose stream; may be null.</summary>
        public Action<string>? Log { get; set; }
    }

    /// <summary>
    /// A stub resolver (RFC 1035): sends one question over UDP with a random id, accepts only the reply with that id and
    /// question, retries on timeout, moves to the next server on failure, and repeats the question over TCP when the UDP
    /// answer is truncated. Answers of the asked type are followed through the CNAME chain in the answer section.
    /// </summary>
    public sealed partial class DnsClient : IDnsResolver
    {
        private const int MaxUdpMessage = 4096;
        private readonly DnsClientOptions _options;
        private IReadOnlyList<DnsServerEndpoint>? _servers;

        /// <summary>Creates a client; with no options (or no servers), it asks the system's resolvers.</summary>
        public DnsClient(DnsClientOptions? options = null)
        {
            _options = options ?? new DnsClientOptions();
            if (_options.Timeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(options), "Timeout must be positive.");
            if (_options.Retries < 0) throw new ArgumentOutOfRangeException(nameof(options), "Retries can't be negative.");
            if (_options.Servers.Count > 0) _servers = _options.Servers.ToList();
        }

        /// <summary>
        /// Checks a user-given per-query timeout (-TimeoutSeconds): 1 to 300 seconds, null for the default. Shared by
        /// the operations that take one, so they refuse the same values with the same error.
        /// </summary>
        public static void ValidateTimeoutSeconds(int? timeoutSeconds)
        {
            if (timeoutSeconds is int seconds && (seconds < 1 || seconds > 300))
                throw new M365SmtpException(DnsErrorCodes.InvalidTimeout, $"TimeoutSeconds {seconds} is outside 1-300.")
                { TargetObject = seconds, ParameterName = "TimeoutSeconds", RecommendedAction = "Give a timeout from 1 to 300 seconds." };
        }

        /// <summary>
        /// A client for a cmdlet's parameters: <paramref name="dnsServer"/> as <c>host[:port]</c> (null = system resolvers),
        /// <paramref name="timeoutSeconds"/> per query (null = 3 seconds).
        /// </summary>
        public static DnsClient Create(string? dnsServer, int? timeoutSeconds, Action<string>? log = null)
        {
            var options = new DnsClientOptions { Log = log };
            if (!string.IsNullOrWhiteSpace(dnsServer)) options.Servers.Add(DnsServerEndpoint.Parse(dnsServer));
            if (timeoutSeconds.HasValue)
            {
                if (timeoutSeconds.Value < 1)
                    throw new M365SmtpException(DnsErrorCodes.InvalidTimeout, $"The timeout {timeoutSeconds.Value} s is not positive.")
                    { TargetObject = timeoutSeconds.Value, ParameterName = "TimeoutSeconds" };
                options.Timeout = TimeSpan.FromSeconds(timeoutSeconds.Value);
            }
            return new DnsClient(options);
        }

        /// <summary>The servers this client asks (the system's resolvers are read on first use).</summary>
        public IReadOnlyList<DnsServerEndpoint> Servers => _servers ??= DnsServerEndpoint.GetSystemServers();

        /// <inheritdoc />
        public async Task<DnsAnswer> QueryAsync(string name, DnsRecordType type, CancellationToken cancellationToken = default)
        {
            string qname = DnsName.Normalize(name, allowUnderscore: true);
            DnsException? lastFailure = null;
            var timedOut = new List<string>();
            foreach (DnsServerEndpoint server in Servers)
            {
                for (int attempt = 0; attempt <= _options.Retries; attempt++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    try
                    {
                        return await QueryServerAsync(server, qname, type, cancellationToken).ConfigureAwait(false);
                    }
                    catch (DnsException e) when (e.Code == DnsErrorCodes.Timeout)
                    {
                        _options.Log?.Invoke($"DNS: no answer from {server} for {qname} {type} within " +
                            $"{_options.Timeout.TotalSeconds:0.#} s (attempt {attempt + 1} of {_options.Retries + 1}).");
                        if (!timedOut.Contains(server.ToString())) timedOut.Add(server.ToString());
                        continue;
                    }
                    catch (DnsException e) when (e.Code == DnsErrorCodes.ServerFailure || e.Code == DnsErrorCodes.MalformedResponse)
                    {
                        _options.Log?.Invoke($"DNS: {server} failed for {qname} {type}: {e.Message}");
                        lastFailure = e;
                        break; // a failing answer won't change on retry; ask the next server
                    }
                }
            }
            if (lastFailure != null) throw lastFailure;
            string asked = string.Join(", ", timedOut);
            throw new DnsException(DnsErrorCodes.Timeout,
                $"No answer for {qname} ({type}) from the DNS server{(timedOut.Count > 1 ? "s" : "")} {asked} within {_options.Timeout.TotalSeconds:0.#} seconds ({_options.Retries + 1} attempt{(_options.Retries > 0 ? "s" : "")} each).")
            {
                TargetObject = name,
                QueryName = qname,
                QueryType = type,
                Server = asked,
                RecommendedAction = "Check that the DNS server is reachable on UDP port 53 (firewalls often block it), give another one " +
                    "with -DnsServer, or raise -TimeoutSeconds.",
            };
        }

        /// <summary>
        /// The records of <paramref name="type"/> for <paramref name="name"/>; throws <see cref="DnsErrorCodes.NameNotFound"/>
        /// for NXDOMAIN and <see cref="DnsErrorCodes.NoRecords"/> when there are none.
        /// </summary>
        public async Task<IReadOnlyList<T>> ResolveAsync<T>(string name, DnsRecordType type, CancellationToken cancellationToken = default)
            where T : DnsRecord
        {
            DnsAnswer answer = await QueryAsync(name, type, cancellationToken).ConfigureAwait(false);
            if (answer.IsNameError) throw NameNotFound(answer);
            List<T> records = answer.Records.OfType<T>().ToList();
            if (records.Count == 0) throw NoRecords(answer);
            return records;
        }

        /// <summary>MX records, most preferred first.</summary>
        public async Task<IReadOnlyList<MxRecord>> GetMxAsync(string domain, CancellationToken cancellationToken = default) =>
            (await ResolveAsync<MxRecord>(domain, DnsRecordType.MX, cancellationToken).ConfigureAwait(false))
                .OrderBy(r => r.Preference).ThenBy(r => r.Exchange, StringComparer.Ordinal).ToList();

        /// <summary>TXT records (each with its strings joined).</summary>
        public Task<IReadOnlyList<TxtRecord>> GetTxtAsync(string name, CancellationToken cancellationToken = default) =>
            ResolveAsync<TxtRecord>(name, DnsRecordType.TXT, cancellationToken);

        /// <summary>The CNAME record of a name.</summary>
        public async Task<CnameRecord> GetCnameAsync(string name, CancellationToken cancellationToken = default) =>
            (await ResolveAsync<CnameRecord>(name, DnsRecordType.CNAME, cancellationToken).ConfigureAwait(false))[0];

        /// <summary>IPv4 (<see cref="DnsRecordType.A"/>) or IPv6 (<see cref="DnsRecordType.AAAA"/>) addresses.</summary>
        public async Task<IReadOnlyList<IPAddress>> GetAddressesAsync(string name, DnsRecordType type,
            CancellationToken cancellationToken = default)
        {
            if (type != DnsRecordType.A && type != DnsRecordType.AAAA) throw new ArgumentOutOfRangeException(nameof(type), "Only A and " +
                "AAAA hold addresses.");
            return (await ResolveAsync<AddressRecord>(name, type, cancellationToken).ConfigureAwait(false)).Select(r => r.Address).ToList();
        }

        internal static DnsException NameNotFound(DnsAnswer answer) =>
            new DnsException(DnsErrorCodes.NameNotFound,
                $"The DNS name {answer.Name} does not exist (NXDOMAIN from {answer.Server}).")
            {
                TargetObject = answer.Name,
                QueryName = answer.Name,
                QueryType = answer.Type,
                Server = answer.Server,
                RecommendedAction = "Check the spelling of the domain; if it was just registered or created, wait for DNS to publish it.",
            };

        internal static DnsException NoRecords(DnsAnswer answer) =>
            new DnsException(DnsErrorCodes.NoRecords,
                $"{answer.Name} exists but has no {answer.Type} records (asked {answer.Server}).")
            {
                TargetObject = answer.Name,
                QueryName = answer.Name,
                QueryType = answer.Type,
                Server = answer.Server,
                RecommendedAction = $"Publish the {answer.Type} record at your DNS host, or check that you asked about the right name.",
            };

        private async Task<DnsAnswer> QueryServerAsync(DnsServerEndpoint server, string qname, DnsRecordType type, CancellationToken ct)
        {
            IPEndPoint endpoint = await ResolveServerAsync(server).ConfigureAwait(false);
            ushort id = NewId();
            byte[] query = DnsQueryWriter.Write(id, qname, type);
            _options.Log?.Invoke($"DNS: asking {server} for {qname} {type} over UDP.");
            DnsMessage reply = await UdpExchangeAsync(server, endpoint, query, id, qname, type, ct).ConfigureAwait(false);
            bool viaTcp = false;
            if (reply.Truncated)
            {
                _options.Log?.Invoke($"DNS: the UDP answer from {server} was truncated; asking again over TCP.");
                id = NewId();
                query = DnsQueryWriter.Write(id, qname, type);
                reply = await TcpExchangeAsync(server, endpoint, query, id, qname, type, ct).ConfigureAwait(false);
                viaTcp = true;
                // Over TCP there is no smaller message to fall back to: a truncated answer is incomplete, not "no records".
                if (reply.Truncated) throw DnsMessageParser.Malformed($"the TCP answer from {server} is itself marked truncated (TC), so " +
                    "its records are incomplete");
            }
            return Interpret(server, qname, type, reply, viaTcp);
        }

        internal static DnsAnswer Interpret(DnsServerEndpoint server, string qname, DnsRecordType type, DnsMessage reply, bool viaTcp)
        {
            switch (reply.ResponseCode)
            {
                case DnsResponseCode.NoError:
                case DnsResponseCode.NameError:
                    break;
                default:
                    string code = reply.ResponseCode switch
                    {
                        DnsResponseCode.ServerFailure => "SERVFAIL (the server could not get an answer)",
                        DnsResponseCode.Refused => "REFUSED (the server won't answer this question for you)",
                        DnsResponseCode.FormatError => "FORMERR (the server couldn't read the question)",
                        DnsResponseCode.NotImplemented => "NOTIMP (the server doesn't support the question)",
                        _ => "response code " + (int)reply.ResponseCode,
                    };
                    throw new DnsException(DnsErrorCodes.ServerFailure,
                        reply.ResponseCode == DnsResponseCode.Refused ? ErrorKind.PermissionDenied : ErrorKind.ResourceUnavailable,
                        $"The DNS server {server} answered {code} for {qname} ({type}).")
                    {
                        TargetObject = qname,
                        QueryName = qname,
                        QueryType = type,
                        Server = server.ToString(),
                        RecommendedAction = reply.ResponseCode == DnsResponseCode.Refused
                            ? "Use a DNS server that resolves public names for you (your network's resolver or a public one) with " +
                                "-DnsServer."
                            : "Try again later or with another DNS server (-DnsServer); SERVFAIL often means the domain's own DNS " +
                                "servers are broken or its DNSSEC is invalid.",
                    };
            }
            // Follow the CNAME chain inside the answer section from the asked name.
            var records = new List<DnsRecord>();
            var names = new HashSet<string>(StringComparer.Ordinal) { qname };
            bool grew = true;
            for (int round = 0; grew && round < 16; round++)
            {
                grew = false;
                foreach (DnsRecord r in reply.Answers)
                    if (r is CnameRecord c && type != DnsRecordType.CNAME && names.Contains(c.Name) && names.Add(c.Target)) grew = true;
            }
            foreach (DnsRecord r in reply.Answers)
                if (r.Type == type && names.Contains(r.Name)) records.Add(r);
            DnsResponseCode rcode = records.Count > 0 ? DnsResponseCode.NoError : reply.ResponseCode;
            return new DnsAnswer(qname, type, rcode, records, server.ToString(), viaTcp);
        }

        private static bool Matches(DnsMessage reply, ushort id, string qname, DnsRecordType type)
        {
            if (reply.Id != id || !reply.IsResponse || reply.Opcode != 0) return false;
            if (reply.QuestionCount == 0) return reply.ResponseCode != DnsResponseCode.NoError; // some servers drop the question on errors
            return reply.QuestionCount == 1;
        }

        private static bool QuestionMatches(DnsMessage reply, string qname, DnsRecordType type) =>
            reply.Questions.Count == 0
            || (reply.Questions[0].Type == type && string.Equals(reply.Questions[0].Name, qname, StringComparison.Ordinal));
    }
}
