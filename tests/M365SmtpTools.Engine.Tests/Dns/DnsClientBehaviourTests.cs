using System.Net;
using M365SmtpTools.Engine.Tests.Infrastructure;
using M365SmtpTools.Engine.Dns;

namespace M365SmtpTools.Engine.Tests.Dns;

/// <summary>Client behaviours shown with a scripted UDP responder: id checking, retries, timeouts, response codes.</summary>
public class DnsClientBehaviourTests
{
    private static DnsClient ClientFor(string server, int retries = 0, int timeoutMs = 1500) => new(new DnsClientOptions
    {
        Servers = { DnsServerEndpoint.Parse(server) },
        Timeout = TimeSpan.FromMilliseconds(timeoutMs),
        Retries = retries,
    });

    [Fact]
    public async Task Queries_carry_random_ids_and_replies_with_another_id_are_ignored()
    {
        using var server = new FakeDnsServer(q =>
        {
            ushort id = (ushort)((q[0] << 8) | q[1]);
            return new[]
            {
                FakeDnsServer.Reply(q, id: (ushort)(id ^ 0x5555), answers: 1, answerBytes: FakeDnsServer.ARecord(6, 6, 6, 6)), // forged
                FakeDnsServer.Reply(q, answers: 1, answerBytes: FakeDnsServer.ARecord(192, 0, 2, 1)),
            };
        });
        DnsClient client = ClientFor(server.Endpoint);
        var ct = TestContext.Current.CancellationToken;
        var first = await client.GetAddressesAsync("host.test", DnsRecordType.A, ct);
        var second = await client.GetAddressesAsync("host.test", DnsRecordType.A, ct);
        Assert.Equal(new[] { IPAddress.Parse("192.0.2.1") }, first);
        Assert.Equal(new[] { IPAddress.Parse("192.0.2.1") }, second);
        Assert.Equal(2, server.Queries.Count);
        Assert.NotEqual(server.Queries[0][..2], server.Queries[1][..2]); // 1 chance in 65,536 of a false failure
        Assert.Equal(0x01, server.Queries[0][2]); // RD set
    }

    [Fact]
    public async Task A_reply_for_another_question_is_ignored()
    {
        using var server = new FakeDnsServer(q =>
        {
            byte[] other = DnsQueryWriter.Write((ushort)((q[0] << 8) | q[1]), "evil.test", DnsRecordType.A);
            return new[]
            {
                FakeDnsServer.Reply(other, answers: 1, answerBytes: FakeDnsServer.ARecord(6, 6, 6, 6)),
                FakeDnsServer.Reply(q, answers: 1, answerBytes: FakeDnsServer.ARecord(192, 0, 2, 2)),
            };
        });
        var addresses = await ClientFor(server.Endpoint)
            .GetAddressesAsync("host.test", DnsRecordType.A, TestContext.Current.CancellationToken);
        Assert.Equal(new[] { IPAddress.Parse("192.0.2.2") }, addresses);
    }

    [Fact]
    public async Task A_lost_answer_is_asked_again()
    {
        int n = 0;
        using var server = new FakeDnsServer(q => Interlocked.Increment(ref n) == 1
            ? Array.Empty<byte[]>()
            : new[] { FakeDnsServer.Reply(q, answers: 1, answerBytes: FakeDnsServer.ARecord(192, 0, 2, 3)) });
        var addresses = await ClientFor(server.Endpoint, retries: 1, timeoutMs: 700)
            .GetAddressesAsync("host.test", DnsRecordType.A, TestContext.Current.CancellationToken);
        Assert.Equal(new[] { IPAddress.Parse("192.0.2.3") }, addresses);
        Assert.Equal(2, server.Queries.Count);
    }

    [Fact]
    public async Task No_answer_is_a_timeout_naming_the_server_asked()
    {
        using var server = new FakeDnsServer(_ => Array.Empty<byte[]>());
        var e = await Assert.ThrowsAsync<DnsException>(() => ClientFor(server.Endpoint, retries: 1, timeoutMs: 300)
            .QueryAsync("host.test", DnsRecordType.MX, TestContext.Current.CancellationToken));
        Assert.Equal(DnsErrorIds.Timeout, e.ErrorId);
        Assert.Equal(ErrorKind.OperationTimeout, e.Kind);
        Assert.Contains(server.Endpoint, e.Message);
        Assert.Equal(server.Endpoint, e.Server);
        Assert.Equal(2, server.Queries.Count);
    }

    [Theory]
    [InlineData(0x8182, "SERVFAIL")]
    [InlineData(0x8185, "REFUSED")]
    [InlineData(0x8181, "FORMERR")]
    public async Task Error_codes_are_server_failures(int flags, string code)
    {
        using var server = new FakeDnsServer(q => new[] { FakeDnsServer.Reply(q, flags: (ushort)flags) });
        var e = await Assert.ThrowsAsync<DnsException>(() => ClientFor(server.Endpoint)
            .QueryAsync("host.test", DnsRecordType.MX, TestContext.Current.CancellationToken));
        Assert.Equal(DnsErrorIds.ServerFailure, e.ErrorId);
        Assert.Contains(code, e.Message);
        Assert.Contains(server.Endpoint, e.Message);
    }

    [Fact]
    public async Task A_malformed_answer_is_reported_as_such()
    {
        using var server = new FakeDnsServer(q => new[] { FakeDnsServer.Reply(q, answers: 1,
            answerBytes: new byte[] { 0xC0, 0x40, 0, 1 }) });
        var e = await Assert.ThrowsAsync<DnsException>(() => ClientFor(server.Endpoint)
            .QueryAsync("host.test", DnsRecordType.A, TestContext.Current.CancellationToken));
        Assert.Equal(DnsErrorIds.MalformedResponse, e.ErrorId);
    }

    [Fact]
    public async Task A_closed_port_is_a_server_failure_not_a_hang()
    {
        int port = FakeDnsServer.ClosedUdpPort();
        var e = await Assert.ThrowsAsync<DnsException>(() => ClientFor("127.0.0.1:" + port, timeoutMs: 3000)
            .QueryAsync("host.test", DnsRecordType.A, TestContext.Current.CancellationToken));
        Assert.True(e.ErrorId == DnsErrorIds.ServerFailure || e.ErrorId == DnsErrorIds.Timeout, e.ErrorId);
        Assert.Contains("127.0.0.1:" + port, e.Message);
    }

    [Fact]
    public async Task Invalid_names_are_refused_before_anything_is_sent()
    {
        using var server = new FakeDnsServer(_ => Array.Empty<byte[]>());
        var e = await Assert.ThrowsAsync<DnsException>(() => ClientFor(server.Endpoint)
            .QueryAsync("bad..name", DnsRecordType.A, TestContext.Current.CancellationToken));
        Assert.Equal(DnsErrorIds.InvalidDomainName, e.ErrorId);
        Assert.Empty(server.Queries);
    }
}
