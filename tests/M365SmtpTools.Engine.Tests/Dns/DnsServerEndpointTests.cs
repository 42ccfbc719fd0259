using System.Net;
using M365SmtpTools.Engine.Dns;

namespace M365SmtpTools.Engine.Tests.Dns;

public class DnsServerEndpointTests
{
    [Theory]
    [InlineData("1.1.1.1", "1.1.1.1", 53, "1.1.1.1:53")]
    [InlineData("127.0.0.1:5353", "127.0.0.1", 5353, "127.0.0.1:5353")]
    [InlineData("2606:4700:4700::1111", "2606:4700:4700::1111", 53, "[2606:4700:4700::1111]:53")]
    [InlineData("[::1]:5300", "::1", 5300, "[::1]:5300")]
    [InlineData("[::1]", "::1", 53, "[::1]:53")]
    [InlineData("dns.example:8053", "dns.example", 8053, "dns.example:8053")]
    public void Parses_host_and_port(string text, string host, int port, string display)
    {
        DnsServerEndpoint e = DnsServerEndpoint.Parse(text);
        Assert.Equal(host, e.Host);
        Assert.Equal(port, e.Port);
        Assert.Equal(display, e.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("1.1.1.1:0")]
    [InlineData("1.1.1.1:70000")]
    [InlineData("1.1.1.1:dns")]
    [InlineData("[::1")]
    [InlineData("[1.2.3.4]:53")]
    [InlineData("[::1]x")]
    [InlineData("bad host:53")]
    [InlineData("::1::2")]
    public void Refuses_unusable_servers(string text)
    {
        var e = Assert.Throws<DnsException>(() => DnsServerEndpoint.Parse(text));
        Assert.Equal(DnsErrorIds.InvalidDnsServer, e.ErrorId);
        Assert.Contains("'" + text + "'", e.Message);
    }

    [Fact]
    public void Reads_nameserver_lines_of_resolv_conf()
    {
        string conf = "# generated\nsearch example.com\nnameserver 10.0.0.2\nnameserver  2001:db8::53 # v6\n"
            + ";nameserver 9.9.9.9\nnameserver 10.0.0.2\nnameserver bogus\noptions ndots:2\n";
        IReadOnlyList<IPAddress> list = DnsServerEndpoint.ParseResolvConf(conf);
        Assert.Equal(2, list.Count);
        Assert.Equal(IPAddress.Parse("10.0.0.2"), list[0]);
        Assert.Equal(IPAddress.Parse("2001:db8::53"), list[1]);
    }
}
