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
    // The wire exchange of one query with one server: UDP first, TCP when the answer is truncated (RFC 7766), each
    // within what is left of the query's deadline; the errors say which server, name, type and transport failed.
    public sealed partial class DnsClient
    {
        private async Task<DnsMessage> UdpExchangeAsync(DnsServerEndpoint server, IPEndPoint endpoint, byte[] query, ushort id,
            string qname, DnsRecordType type, CancellationToken ct)
        {
            using var udp = new UdpClient(endpoint.AddressFamily);
            DateTime deadline = DateTime.UtcNow + _options.Timeout;
            try
            {
                udp.Connect(endpoint);
                await udp.SendAsync(query, query.Length).ConfigureAwait(false);
                while (true)
                {
                    TimeSpan left = deadline - DateTime.UtcNow;
                    if (left <= TimeSpan.Zero) throw TimeoutFrom(server, qname, type);
                    Task<UdpReceiveResult> receive = udp.ReceiveAsync();
                    UdpReceiveResult result = await WithDeadline(receive, left, ct, udp, server, qname, type).ConfigureAwait(false);
                    byte[] data = result.Buffer;
                    if (data.Length > MaxUdpMessage || data.Length < 12) continue;
                    DnsMessage header = DnsMessageParser.ParseHeader(data, data.Length);
                    if (!Matches(header, id, qname, type))
                    {
                        _options.Log?.Invoke($"DNS: ignored a reply from {server} with id {header.Id} (expected {id}).");
                        continue; // not ours (late, spoofed): keep waiting for the real one
                    }
                    if (header.Truncated) return header;
                    DnsMessage reply = DnsMessageParser.Parse(data, data.Length);
                    if (!QuestionMatches(reply, qname, type))
                    {
                        _options.Log?.Invoke($"DNS: ignored a reply from {server} for a different question.");
                        continue;
                    }
                    return reply;
                }
            }
            catch (SocketException e)
            {
                throw Unreachable(server, qname, type, "UDP", e);
            }
        }

        private async Task<DnsMessage> TcpExchangeAsync(DnsServerEndpoint server, IPEndPoint endpoint, byte[] query, ushort id,
            string qname, DnsRecordType type, CancellationToken ct)
        {
            using var tcp = new TcpClient(endpoint.AddressFamily);
            DateTime deadline = DateTime.UtcNow + _options.Timeout;
            TimeSpan Left() { TimeSpan l = deadline - DateTime.UtcNow; return l > TimeSpan.Zero ? l : TimeSpan.FromMilliseconds(1); }
            try
            {
                await WithDeadline(tcp.ConnectAsync(endpoint.Address, endpoint.Port)
                        .ContinueWith(t => { t.GetAwaiter().GetResult(); return 0; }, TaskScheduler.Default),
                    Left(), ct, tcp, server, qname, type).ConfigureAwait(false);
                NetworkStream stream = tcp.GetStream();
                var framed = new byte[query.Length + 2];
                framed[0] = (byte)(query.Length >> 8);
                framed[1] = (byte)query.Length;
                Buffer.BlockCopy(query, 0, framed, 2, query.Length);
                await WithDeadline(stream.WriteAsync(framed, 0, framed.Length)
                        .ContinueWith(t => { t.GetAwaiter().GetResult(); return 0; }, TaskScheduler.Default),
                    Left(), ct, tcp, server, qname, type).ConfigureAwait(false);
                byte[] lengthBytes = await ReadExactlyAsync(stream, 2, Left, ct, tcp, server, qname, type).ConfigureAwait(false);
                int length = (lengthBytes[0] << 8) | lengthBytes[1];
                if (length < 12) throw DnsMessageParser.Malformed($"the TCP answer from {server} announces a {length}-byte message");
                byte[] data = await ReadExactlyAsync(stream, length, Left, ct, tcp, server, qname, type).ConfigureAwait(false);
                DnsMessage reply = DnsMessageParser.Parse(data, data.Length);
                if (!Matches(reply, id, qname, type) || !QuestionMatches(reply, qname, type))
                    throw DnsMessageParser.Malformed($"the TCP answer from {server} has id {reply.Id} or a question that doesn't match " +
                        $"the query (id {id}, {qname} {type})");
                return reply;
            }
            catch (SocketException e)
            {
                throw Unreachable(server, qname, type, "TCP", e);
            }
            catch (System.IO.IOException e)
            {
                throw Unreachable(server, qname, type, "TCP", e);
            }
        }

        private static async Task<byte[]> ReadExactlyAsync(NetworkStream stream, int count, Func<TimeSpan> left, CancellationToken ct,
            IDisposable owner, DnsServerEndpoint server, string qname, DnsRecordType type)
        {
            var buffer = new byte[count];
            int read = 0;
            while (read < count)
            {
                int n = await WithDeadline(stream.ReadAsync(buffer, read, count - read),
                    left(), ct, owner, server, qname, type).ConfigureAwait(false);
                if (n == 0) throw DnsMessageParser.Malformed($"{server} closed the TCP connection after {read} of {count} bytes");
                read += n;
            }
            return buffer;
        }

        /// <summary>Waits for a socket task until the deadline; on timeout or cancellation disposes the socket to end it.</summary>
        private static async Task<T> WithDeadline<T>(Task<T> task, TimeSpan left, CancellationToken ct, IDisposable owner,
            DnsServerEndpoint server, string qname, DnsRecordType type)
        {
            using var delayCancel = CancellationTokenSource.CreateLinkedTokenSource(ct);
            Task delay = Task.Delay(left, delayCancel.Token);
            Task first = await Task.WhenAny(task, delay).ConfigureAwait(false);
            if (first == task)
            {
                delayCancel.Cancel();
                try
                {
                    return await task.ConfigureAwait(false);
                }
                catch (ObjectDisposedException e)
                {
                    throw Unreachable(server, qname, type, "the socket", e);
                }
            }
            _ = task.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted,
                TaskScheduler.Default);
            owner.Dispose();
            ct.ThrowIfCancellationRequested();
            throw TimeoutFrom(server, qname, type);
        }

        private static async Task<IPEndPoint> ResolveServerAsync(DnsServerEndpoint server)
        {
            if (server.Address != null) return new IPEndPoint(server.Address, server.Port);
            try
            {
                IPAddress[] addresses = await System.Net.Dns.GetHostAddressesAsync(server.Host).ConfigureAwait(false);
                IPAddress? a = addresses.FirstOrDefault(x => x.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault();
                if (a != null) return new IPEndPoint(a, server.Port);
                throw new SocketException((int)SocketError.HostNotFound);
            }
            catch (SocketException e)
            {
                throw new DnsException(DnsErrorCodes.InvalidDnsServer,
                    $"The DNS server name '{server.Host}' could not be resolved: {e.Message}.", e)
                {
                    TargetObject = server.Host,
                    ParameterName = "DnsServer",
                    Server = server.ToString(),
                    RecommendedAction = "Give the DNS server as an IP address.",
                };
            }
        }

        private static DnsException TimeoutFrom(DnsServerEndpoint server, string qname, DnsRecordType type) =>
            new DnsException(DnsErrorCodes.Timeout, $"No answer from the DNS server {server} for {qname} ({type}).")
            {
                TargetObject = qname,
                QueryName = qname,
                QueryType = type,
                Server = server.ToString(),
            };

        private static DnsException Unreachable(DnsServerEndpoint server, string qname, DnsRecordType type, string transport,
            Exception e) =>
            new DnsException(DnsErrorCodes.ServerFailure, ErrorKind.ConnectionError,
                $"The DNS server {server} could not be reached over {transport} for {qname} ({type}): {e.Message}", e)
            {
                TargetObject = qname,
                QueryName = qname,
                QueryType = type,
                Server = server.ToString(),
                RecommendedAction = "Check the server address and port, and that a firewall allows DNS to it; or give another server " +
                    "with -DnsServer.",
            };

        private static ushort NewId()
        {
            var b = new byte[2];
            using (var rng = RandomNumberGenerator.Create()) rng.GetBytes(b);
            return (ushort)((b[0] << 8) | b[1]);
        }
    }
}
