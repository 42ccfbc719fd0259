using M365SmtpTools.Engine.Exchange;

namespace M365SmtpTools.Engine.Tests.Exchange;

public sealed class SenderAddressRangeTests
{
    [Theory]
    [InlineData("52.160.10.25", "52.160.10.25", 32, false)]
    [InlineData(" 52.160.10.25/32 ", "52.160.10.25", 32, false)]
    [InlineData("52.160.10.0/24", "52.160.10.0/24", 24, false)]
    [InlineData("52.160.10.16/28", "52.160.10.16/28", 28, false)]
    [InlineData("52.160.10.25/24", "52.160.10.0/24", 24, true)]
    public void ParsesAddressesAndRanges(string input, string text, int prefix, bool hostBits)
    {
        var r = SenderAddressRange.Parse(input);
        Assert.False(r.IsIPv6);
        Assert.Equal(text, r.Text);
        Assert.Equal(prefix, r.PrefixLength);
        Assert.Equal(hostBits, r.HostBitsSet);
        Assert.Null(r.NonPublicReason());
    }

    [Theory]
    [InlineData("not an address")]
    [InlineData("52.160.10")]
    [InlineData("52.160.10.25/33")]
    [InlineData("52.160.10.25/x")]
    [InlineData("52.160.10.256")]
    [InlineData("")]
    public void RefusesTextThatIsNoAddress(string input)
    {
        var e = Assert.Throws<M365SmtpException>(() => SenderAddressRange.Parse(input));
        Assert.Equal("InvalidSenderIPAddress", e.ErrorId);
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Contains("-SenderIPAddress", e.Message);
        Assert.NotNull(e.RecommendedAction);
    }

    [Theory]
    [InlineData("10.1.2.3", "10.0.0.0/8", "private")]
    [InlineData("172.16.0.9", "172.16.0.0/12", "private")]
    [InlineData("172.31.255.1", "172.16.0.0/12", "private")]
    [InlineData("192.168.1.0/24", "192.168.0.0/16", "private")]
    [InlineData("127.0.0.1", "127.0.0.0/8", "loopback")]
    [InlineData("100.64.12.1", "100.64.0.0/10", "carrier-grade NAT")]
    [InlineData("100.127.255.254", "100.64.0.0/10", "carrier-grade NAT")]
    [InlineData("192.0.2.10", "192.0.2.0/24", "documentation")]
    [InlineData("198.51.100.7", "198.51.100.0/24", "documentation")]
    [InlineData("203.0.113.0/24", "203.0.113.0/24", "documentation")]
    [InlineData("169.254.3.4", "169.254.0.0/16", "link-local")]
    [InlineData("224.0.0.251", "224.0.0.0/4", "multicast")]
    [InlineData("0.1.2.3", "0.0.0.0/8", "this network")]
    [InlineData("255.255.255.255", "255.255.255.255/32", "broadcast")]
    [InlineData("198.19.0.1", "198.18.0.0/15", "benchmarking")]
    [InlineData("250.1.1.1", "240.0.0.0/4", "reserved")]
    public void NamesTheRangeOfANonPublicAddress(string input, string range, string kind)
    {
        string? reason = SenderAddressRange.Parse(input).NonPublicReason();
        Assert.NotNull(reason);
        Assert.Contains(range, reason);
        Assert.Contains(kind, reason);
    }

    [Theory]
    [InlineData("100.63.255.255")]
    [InlineData("100.128.0.1")]
    [InlineData("172.15.255.255")]
    [InlineData("172.32.0.1")]
    [InlineData("192.0.3.1")]
    [InlineData("198.51.101.1")]
    [InlineData("223.255.255.254")]
    [InlineData("8.8.8.8")]
    public void AddressesNextToSpecialRangesArePublic(string input) => Assert.Null(SenderAddressRange.Parse(input).NonPublicReason());

    [Fact]
    public void Ipv6IsRecognizedNotRefusedAsText()
    {
        var r = SenderAddressRange.Parse("2001:db8::25");
        Assert.True(r.IsIPv6);
        Assert.Equal("2001:db8::25", r.Input);
    }

    [Theory]
    [InlineData("52.160.10.25", "52.160.10.0", 24, true)]
    [InlineData("52.160.10.16/28", "52.160.10.0", 24, true)]
    [InlineData("52.160.10.0/24", "52.160.10.0", 28, false)]
    [InlineData("52.160.11.1", "52.160.10.0", 24, false)]
    [InlineData("52.160.10.25", "52.160.10.25", 32, true)]
    public void ContainmentIsByPrefix(string sender, string net, int prefix, bool within) =>
        Assert.Equal(within, SenderAddressRange.Parse(sender).IsWithin(SenderAddressRange.ParseDotted(net), prefix));
}
