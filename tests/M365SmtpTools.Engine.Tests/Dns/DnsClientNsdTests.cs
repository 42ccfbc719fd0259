using System.Net;
using M365SmtpTools.Engine.Dns;
using M365SmtpTools.Engine.Tests.Infrastructure;

namespace M365SmtpTools.Engine.Tests.Dns;

/// <summary>The DNS client against a real authoritative server (nsd) on loopback, serving tests/interop/zones.</summary>
public class DnsClientNsdTests
{
    internal static DnsClient Client(out string server, List<string>? log = null)
    {
        InteropServer nsd = InteropServer.Require("nsd");
        server = "127.0.0.1:" + nsd.Port("PORT");
        return new DnsClient(new DnsClientOptions
        {
            Servers = { DnsServerEndpoint.Parse(server) },
            Timeout = TimeSpan.FromSeconds(5),
            Log = log == null ? null : (line => { lock (log) log.Add(line); }),
        });
    }

    [Fact]
    public async Task Reads_MX_records()
    {
        DnsClient client = Client(out string server);
        IReadOnlyList<MxRecord> mx = await client.GetMxAsync("CONTOSO.test", TestContext.Current.CancellationToken);
        MxRecord r = Assert.Single(mx);
        Assert.Equal("contoso.test", r.Name);
        Assert.Equal(0, r.Preference);
        Assert.Equal("contoso-test.mail.protection.outlook.com", r.Exchange);
        Assert.Equal(300u, r.TimeToLive);
    }

    [Fact]
    public async Task Orders_MX_records_by_preference()
    {
        DnsClient client = Client(out _);
        IReadOnlyList<MxRecord> mx = await client.GetMxAsync("mixed.contoso.test", TestContext.Current.CancellationToken);
        Assert.Equal(new[] { "mx1.filter.example", "mixed-contoso-test.mail.protection.outlook.com" }, mx.Select(m => m.Exchange));
    }

    [Fact]
    public async Task An_answer_over_512_bytes_is_truncated_over_UDP_and_repeated_over_TCP()
    {
        var log = new List<string>();
        DnsClient client = Client(out string server, log);
        DnsAnswer answer = await client.QueryAsync("big.contoso.test", DnsRecordType.MX, TestContext.Current.CancellationToken);
        Assert.True(answer.ViaTcp);
        Assert.Equal(30, answer.Records.Count);
        Assert.Equal(Enumerable.Range(1, 30).Select(i => $"mx{i:00}.a-rather-long-mail-exchanger-name.contoso.test"),
            answer.Records.Cast<MxRecord>().OrderBy(m => m.Preference).Select(m => m.Exchange));
        Assert.Contains(log, l => l.Contains("truncated"));
    }

    [Fact]
    public async Task A_large_TXT_record_comes_over_TCP_with_its_strings_joined()
    {
        DnsClient client = Client(out _);
        DnsAnswer answer = await client.QueryAsync("bigtxt.contoso.test", DnsRecordType.TXT, TestContext.Current.CancellationToken);
        Assert.True(answer.ViaTcp);
        var txt = Assert.IsType<TxtRecord>(Assert.Single(answer.Records));
        Assert.Equal(3, txt.Strings.Count);
        Assert.Equal(new string('x', 250) + "1" + new string('x', 250) + "2" + new string('x', 250) + "3", txt.Text);
    }

    [Fact]
    public async Task A_TXT_record_in_several_strings_is_joined_without_separators()
    {
        DnsClient client = Client(out _);
        TxtRecord txt = Assert.Single(await client.GetTxtAsync("split.contoso.test", TestContext.Current.CancellationToken));
        Assert.Equal(new[] { "v=spf1 ip4:192.0.2.1 ", "include:spf.protection.outlook.com ", "-all" }, txt.Strings);
        Assert.Equal("v=spf1 ip4:192.0.2.1 include:spf.protection.outlook.com -all", txt.Text);
    }

    [Fact]
    public async Task NXDOMAIN_and_NODATA_are_told_apart()
    {
        DnsClient client = Client(out string server);
        var ct = TestContext.Current.CancellationToken;
        DnsAnswer nx = await client.QueryAsync("nothere.contoso.test", DnsRecordType.MX, ct);
        Assert.True(nx.IsNameError);
        Assert.False(nx.IsNoData);
        DnsAnswer nodata = await client.QueryAsync("nomx.contoso.test", DnsRecordType.MX, ct);
        Assert.False(nodata.IsNameError);
        Assert.True(nodata.IsNoData);
        DnsAnswer emptyNonTerminal = await client.QueryAsync("tree.contoso.test", DnsRecordType.A, ct);
        Assert.True(emptyNonTerminal.IsNoData);

        var e1 = await Assert.ThrowsAsync<DnsException>(() => client.GetMxAsync("nothere.contoso.test", ct));
        Assert.Equal(DnsErrorIds.NameNotFound, e1.ErrorId);
        Assert.Contains("nothere.contoso.test", e1.Message);
        Assert.Equal(server, e1.Server);
        var e2 = await Assert.ThrowsAsync<DnsException>(() => client.GetMxAsync("nomx.contoso.test", ct));
        Assert.Equal(DnsErrorIds.NoRecords, e2.ErrorId);
        Assert.Contains("MX", e2.Message);
    }

    [Fact]
    public async Task A_and_AAAA_and_CNAME_are_read()
    {
        DnsClient client = Client(out _);
        var ct = TestContext.Current.CancellationToken;
        Assert.Equal(new[] { IPAddress.Parse("192.0.2.20") }, await client.GetAddressesAsync("nomx.contoso.test", DnsRecordType.A, ct));
        Assert.Equal(new[] { IPAddress.Parse("2001:db8:1::1") }, await client.GetAddressesAsync("amx6.spf.test", DnsRecordType.AAAA, ct));
        CnameRecord c = await client.GetCnameAsync("selector1._domainkey.contoso.test", ct);
        Assert.Equal("selector1-contoso-test._domainkey.contoso.onmicrosoft.com", c.Target);
    }

    [Fact]
    public async Task MX_is_followed_through_a_CNAME_in_the_answer()
    {
        DnsClient client = Client(out _);
        MxRecord mx = Assert.Single(await client.GetMxAsync("alias.contoso.test", TestContext.Current.CancellationToken));
        Assert.Equal("contoso.test", mx.Name);
        Assert.Equal("contoso-test.mail.protection.outlook.com", mx.Exchange);
    }

    [Fact]
    public async Task REFUSED_is_a_server_failure_naming_the_server()
    {
        DnsClient client = Client(out string server);
        var e = await Assert.ThrowsAsync<DnsException>(() =>
            client.QueryAsync("example.com", DnsRecordType.MX, TestContext.Current.CancellationToken));
        Assert.Equal(DnsErrorIds.ServerFailure, e.ErrorId);
        Assert.Contains("REFUSED", e.Message);
        Assert.Contains(server, e.Message);
    }

    [Fact]
    public async Task The_next_server_is_asked_when_the_first_is_unreachable()
    {
        InteropServer nsd = InteropServer.Require("nsd");
        int closedPort = FakeDnsServer.ClosedUdpPort();
        var client = new DnsClient(new DnsClientOptions
        {
            Servers = { new DnsServerEndpoint("127.0.0.1", closedPort), new DnsServerEndpoint("127.0.0.1", nsd.Port("PORT")) },
            Timeout = TimeSpan.FromSeconds(2),
            Retries = 0,
        });
        DnsAnswer a = await client.QueryAsync("fabrikam.test", DnsRecordType.MX, TestContext.Current.CancellationToken);
        Assert.Equal("127.0.0.1:" + nsd.Port("PORT"), a.Server);
        Assert.Equal("fabrikam-test.e-v1.mx.microsoft", Assert.IsType<MxRecord>(Assert.Single(a.Records)).Exchange);
    }
}
