using System.Net;
using System.Net.Sockets;
using M365SmtpTools.Engine.Tests.Infrastructure;
using M365SmtpTools.Engine.Dns;

namespace M365SmtpTools.Engine.Tests.Dns;

/// <summary>A TCP answer that is itself marked truncated is an error, not "no records" (issue 14, item 9).</summary>
public sealed class TruncatedTcpAnswerTests
{
    [Fact]
    public async Task A_truncated_answer_over_tcp_is_malformed()
    {
        // UDP says "truncated, ask over TCP"; the TCP answer on the same port says truncated again, with no records.
        using var udp = new FakeDnsServer(q => new[] { FakeDnsServer.Reply(q, flags: 0x8380) });
        var tcp = new TcpListener(IPAddress.Loopback, udp.Port);
        tcp.Start();
        var ct = TestContext.Current.CancellationToken;
        Task serve = Task.Run(async () =>
        {
            using TcpClient c = await tcp.AcceptTcpClientAsync(ct);
            NetworkStream s = c.GetStream();
            var len = new byte[2];
            await s.ReadExactlyAsync(len, ct);
            var query = new byte[(len[0] << 8) | len[1]];
            await s.ReadExactlyAsync(query, ct);
            byte[] reply = FakeDnsServer.Reply(query, flags: 0x8380);
            await s.WriteAsync(new[] { (byte)(reply.Length >> 8), (byte)reply.Length }.Concat(reply).ToArray(), ct);
            await Task.Delay(500, ct);
        }, ct);
        try
        {
            var client = new DnsClient(new DnsClientOptions { Servers = { DnsServerEndpoint.Parse(udp.Endpoint) }, Retries = 0,
                Timeout = TimeSpan.FromSeconds(5) });
            var e = await Assert.ThrowsAsync<DnsException>(() => client.QueryAsync("contoso.test", DnsRecordType.TXT, ct));
            Assert.Equal(DnsErrorIds.MalformedResponse, e.ErrorId);
            Assert.Contains("truncated", e.Message);
        }
        finally
        {
            tcp.Stop();
            try { await serve; } catch { }
        }
    }
}
