using System;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace M365SmtpTools.Engine.Exchange
{
    /// <summary>An IPv4 address or CIDR range as a relay connector takes it (<c>-SenderIPAddresses</c>).</summary>
    internal sealed class SenderAddressRange
    {
        private SenderAddressRange(uint network, int prefix, bool hostBitsSet, string input, bool isIPv6)
        {
            Network = network;
            PrefixLength = prefix;
            HostBitsSet = hostBitsSet;
            Input = input;
            IsIPv6 = isIPv6;
        }

        public uint Network { get; }
        public int PrefixLength { get; }
        /// <summary>The input had bits set after the prefix (203.0.113.7/24): the range is the network it belongs to.</summary>
        public bool HostBitsSet { get; }
        public string Input { get; }
        public bool IsIPv6 { get; }

        /// <summary>The canonical text: <c>a.b.c.d</c> for /32, <c>a.b.c.d/n</c> otherwise.</summary>
        public string Text =>
            PrefixLength == 32 ? Format(Network) : Format(Network) + "/" + PrefixLength.ToString(CultureInfo.InvariantCulture);

        /// <summary>Parses an address or CIDR range; throws InvalidSenderIPAddress for text that is neither.</summary>
        public static SenderAddressRange Parse(string? input)
        {
            string text = (input ?? "").Trim();
            string addressPart = text;
            int prefix = -1;
            int slash = text.IndexOf('/');
            if (slash >= 0)
            {
                addressPart = text.Substring(0, slash);
                if (!int.TryParse(text.Substring(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out prefix)) prefix = -2;
            }
            if (!IPAddress.TryParse(addressPart, out IPAddress? address) || prefix == -2)
                throw Invalid(input, "it is not an IPv4 address or a CIDR range such as 198.51.100.7 or 198.51.100.0/24");
            if (address.AddressFamily == AddressFamily.InterNetworkV6)
                return new SenderAddressRange(0, prefix < 0 ? 128 : prefix, false, text, true);
            // IPAddress.TryParse accepts "1" or "1.2" as shorthand; a connector needs the dotted quad.
            if (addressPart.Split('.').Length != 4)
                throw Invalid(input, "an IPv4 address has four dotted numbers");
            if (prefix < 0) prefix = 32;
            if (prefix > 32) throw Invalid(input, $"/{prefix} is not an IPv4 prefix length (0-32)");
            byte[] b = address.GetAddressBytes();
            uint value = ((uint)b[0] << 24) | ((uint)b[1] << 16) | ((uint)b[2] << 8) | b[3];
            uint network = value & Mask(prefix);
            return new SenderAddressRange(network, prefix, network != value, text, false);
        }

        /// <summary>True when the range <paramref name="prefix"/> of <paramref name="network"/> contains all of this range.</summary>
        public bool IsWithin(uint network, int prefix) => prefix <= PrefixLength && (Network & Mask(prefix)) == (network & Mask(prefix));

        /// <summary>Why this range is not a public unicast range, or null when it is.</summary>
        public string? NonPublicReason()
        {
            foreach ((string net, int len, string why) in Special)
            {
                uint n = ParseDotted(net);
                // Every special range is at least a /24 and aligned, and a connector range is /24 or longer, so overlap means containment.
                if (IsWithin(n, len) || (PrefixLength < len && (n & Mask(PrefixLength)) == Network))
                    return $"{Text} is in {net}/{len}, {why}";
            }
            return null;
        }

        private static readonly (string Net, int Len, string Why)[] Special =
        {
            ("255.255.255.255", 32, "the limited broadcast address: it never appears as a sender"),
            ("0.0.0.0", 8, "'this network' (RFC 1122): not a source address on the internet"),
            ("10.0.0.0", 8, "a private range (RFC 1918): Microsoft 365 sees your router's public address, not this one"),
            ("100.64.0.0", 10, "carrier-grade NAT shared space (RFC 6598): your provider translates it to an address shared with other " +
                "customers, and connectors need an address that is yours alone"),
            ("127.0.0.0", 8, "loopback (RFC 1122): it never leaves the device"),
            ("169.254.0.0", 16, "link-local (RFC 3927): a device gives itself this address when DHCP fails; it never leaves the " +
                "local network"),
            ("172.16.0.0", 12, "a private range (RFC 1918): Microsoft 365 sees your router's public address, not this one"),
            ("192.0.0.0", 24, "IETF protocol assignments (RFC 6890): not routed on the internet"),
            ("192.0.2.0", 24, "a documentation range (TEST-NET-1, RFC 5737): it appears in examples and is never routed"),
            ("192.168.0.0", 16, "a private range (RFC 1918): Microsoft 365 sees your router's public address, not this one"),
            ("198.18.0.0", 15, "the benchmarking range (RFC 2544): not routed on the internet"),
            ("198.51.100.0", 24, "a documentation range (TEST-NET-2, RFC 5737): it appears in examples and is never routed"),
            ("203.0.113.0", 24, "a documentation range (TEST-NET-3, RFC 5737): it appears in examples and is never routed"),
            ("224.0.0.0", 4, "multicast (RFC 5771): not a sender address"),
            ("240.0.0.0", 4, "reserved (RFC 1112): not routed on the internet"),
        };

        public static uint Mask(int prefix) => prefix == 0 ? 0u : uint.MaxValue << (32 - prefix);

        public static uint ParseDotted(string text)
        {
            byte[] b = IPAddress.Parse(text).GetAddressBytes();
            return ((uint)b[0] << 24) | ((uint)b[1] << 16) | ((uint)b[2] << 8) | b[3];
        }

        /// <summary>Parses an <c>ip4:</c> value (<c>a.b.c.d[/n]</c>); false when it isn't one.</summary>
        public static bool TryParseIp4Term(string value, out uint network, out int prefix)
        {
            network = 0;
            prefix = 32;
            int slash = value.IndexOf('/');
            string addr = slash >= 0 ? value.Substring(0, slash) : value;
            if (slash >= 0 && (!int.TryParse(value.Substring(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out prefix)
                || prefix > 32)) return false;
            if (addr.Split('.').Length != 4 || !IPAddress.TryParse(addr, out IPAddress? ip)
                || ip.AddressFamily != AddressFamily.InterNetwork) return false;
            network = ParseDotted(addr) & Mask(prefix);
            return true;
        }

        private static string Format(uint v) =>
            string.Join(".", (v >> 24).ToString(CultureInfo.InvariantCulture), ((v >> 16) & 255).ToString(CultureInfo.InvariantCulture),
                ((v >> 8) & 255).ToString(CultureInfo.InvariantCulture), (v & 255).ToString(CultureInfo.InvariantCulture));

        private static M365SmtpException Invalid(string? input, string why) =>
            new M365SmtpException(ExchangeErrorCodes.InvalidSenderIPAddress, $"-SenderIPAddress '{input}' can't be used: {why}.")
            {
                TargetObject = input,
                ParameterName = "SenderIPAddress",
                RecommendedAction = "Give the static public IPv4 address the device sends from (as the internet sees it), or its range " +
                    "as /24 to /32.",
            };
    }
}
