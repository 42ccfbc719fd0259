using System;
using System.Linq;
using System.Net;
using System.Net.Sockets;

namespace M365SmtpTools.Engine.Exchange
{
    /// <summary>
    /// The address ranges Microsoft publishes for Exchange Online's SMTP endpoints (client submission, smtp.office365.com;
    /// and the MX endpoints, *.mail.protection.outlook.com), from "Microsoft 365 URLs and IP address ranges" (endpoint
    /// sets 1 and 9). Used to tell whether an IP address given as a server is Microsoft 365; a loopback, private or other
    /// address never is.
    /// </summary>
    internal static class MicrosoftAddressRanges
    {
        private static readonly (byte[] Prefix, int Bits)[] Ranges = new[]
        {
            "13.107.6.152/31", "13.107.18.10/31", "13.107.128.0/22", "23.103.160.0/20", "40.92.0.0/15", "40.96.0.0/13",
            "40.104.0.0/15", "40.107.0.0/16", "52.96.0.0/14", "52.100.0.0/14", "52.238.78.88/32", "104.47.0.0/17",
            "131.253.33.215/32", "132.245.0.0/16", "150.171.32.0/22", "204.79.197.215/32",
            "2603:1006::/40", "2603:1016::/36", "2603:1026::/36", "2603:1036::/36", "2603:1046::/36", "2603:1056::/36",
            "2620:1ec:4::152/127", "2620:1ec:c::10/127", "2620:1ec:d::10/127", "2620:1ec:8f0::/46", "2620:1ec:900::/46",
            "2620:1ec:a92::152/127", "2a01:111:f400::/48", "2a01:111:f403::/48",
        }.Select(Parse).ToArray();

        /// <summary>True when <paramref name="address"/> is in one of Exchange Online's published SMTP ranges.</summary>
        public static bool Contains(IPAddress address)
        {
            if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
            byte[] bytes = address.GetAddressBytes();
            return Ranges.Any(r => r.Prefix.Length == bytes.Length && Matches(bytes, r.Prefix, r.Bits));
        }

        private static bool Matches(byte[] address, byte[] prefix, int bits)
        {
            for (int i = 0; i < bits; i++)
            {
                int mask = 0x80 >> (i % 8);
                if ((address[i / 8] & mask) != (prefix[i / 8] & mask)) return false;
            }
            return true;
        }

        private static (byte[], int) Parse(string cidr)
        {
            string[] parts = cidr.Split('/');
            return (IPAddress.Parse(parts[0]).GetAddressBytes(), int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
        }
    }
}
