using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace M365SmtpTools.Engine.Dns
{
    /// <summary>A DNS server to ask: a host (IP address or name) and a port.</summary>
    public sealed class DnsServerEndpoint
    {
        /// <summary>The standard DNS port.</summary>
        public const int DefaultPort = 53;

        /// <summary>Creates the endpoint.</summary>
        public DnsServerEndpoint(string host, int port = DefaultPort)
        {
            if (string.IsNullOrWhiteSpace(host)) throw Invalid(host ?? "", "the host is empty");
            if (port < 1 || port > 65535) throw Invalid(host + ":" + port, $"the port {port} is outside 1-65535");
            Host = host;
            Port = port;
            if (IPAddress.TryParse(host, out IPAddress? address)) Address = address;
        }

        /// <summary>The host as given (an IP address or a host name).</summary>
        public string Host { get; }

        /// <summary>The UDP/TCP port.</summary>
        public int Port { get; }

        /// <summary>The address when <see cref="Host"/> is an IP literal.</summary>
        public IPAddress? Address { get; }

        /// <summary>
        /// Parses <c>host</c>, <c>host:port</c>, an IPv6 address, or <c>[IPv6]:port</c>. Throws <see cref="DnsException"/>
        /// with <see cref="DnsErrorCodes.InvalidDnsServer"/> for anything else.
        /// </summary>
        public static DnsServerEndpoint Parse(string? text)
        {
            string s = (text ?? "").Trim();
            if (s.Length == 0) throw Invalid(text ?? "", "it is empty");
            string host;
            string? portText = null;
            if (s.StartsWith("[", StringComparison.Ordinal))
            {
                int close = s.IndexOf(']');
                if (close < 0) throw Invalid(s, "the '[' of an IPv6 address has no closing ']'");
                host = s.Substring(1, close - 1);
                string rest = s.Substring(close + 1);
                if (rest.Length > 0)
                {
                    if (!rest.StartsWith(":", StringComparison.Ordinal)) throw Invalid(s, "after ']' only ':port' may follow");
                    portText = rest.Substring(1);
                }
                if (!IPAddress.TryParse(host, out IPAddress? v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
                    throw Invalid(s, $"'{host}' is not an IPv6 address");
            }
            else if (s.Count(c => c == ':') > 1)
            {
                host = s; // a bare IPv6 address
                if (!IPAddress.TryParse(host, out _)) throw Invalid(s, "it is not an IPv6 address; write an IPv6 address with a port as " +
                    "[address]:port");
            }
            else
            {
                int colon = s.IndexOf(':');
                host = colon < 0 ? s : s.Substring(0, colon);
                if (colon >= 0) portText = s.Substring(colon + 1);
                if (!IPAddress.TryParse(host, out _) && !DnsName.IsValid(host))
                    throw Invalid(s, $"'{host}' is neither an IP address nor a valid host name");
            }
            int port = DefaultPort;
            if (portText != null && (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port)
                || port < 1 || port > 65535))
                throw Invalid(s, $"the port '{portText}' is not a number from 1 to 65535");
            return new DnsServerEndpoint(host, port);
        }

        /// <summary><c>host:port</c>, with brackets around an IPv6 address.</summary>
        public override string ToString() =>
            (Address?.AddressFamily == AddressFamily.InterNetworkV6 ? "[" + Host + "]" : Host)
                + ":" + Port.ToString(CultureInfo.InvariantCulture);

        /// <summary>
        /// The resolvers this machine is configured with: <c>nameserver</c> lines of /etc/resolv.conf on Unix, the DNS
        /// addresses of the interfaces that are up on Windows. Throws <see cref="DnsErrorCodes.NoDnsServers"/> when there are none.
        /// </summary>
        public static IReadOnlyList<DnsServerEndpoint> GetSystemServers()
        {
            var found = new List<IPAddress>();
            try
            {
                if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
                {
                    if (NetworkInterface.GetIsNetworkAvailable())
                    {
                        foreach (NetworkInterface nic in NetworkInterface.GetAllNetworkInterfaces())
                        {
                            if (nic.OperationalStatus != OperationalStatus.Up
                                || nic.NetworkInterfaceType == NetworkInterfaceType.Loopback) continue;
                            foreach (IPAddress a in nic.GetIPProperties().DnsAddresses)
                            {
                                // fec0:0:0:ffff::1-3 are Windows' placeholder site-local resolvers, never real ones.
                                if (a.IsIPv6SiteLocal) continue;
                                if (!found.Contains(a)) found.Add(a);
                            }
                        }
                    }
                }
                else
                {
                    const string path = "/etc/resolv.conf";
                    if (File.Exists(path)) found.AddRange(ParseResolvConf(File.ReadAllText(path)));
                }
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is NetworkInformationException
                || e is PlatformNotSupportedException)
            {
                throw NoServers(e);
            }
            if (found.Count == 0) throw NoServers(null);
            return found.Select(a => new DnsServerEndpoint(a.ToString(), DefaultPort)).ToList();
        }

        /// <summary>The <c>nameserver</c> addresses of a resolv.conf text, in order.</summary>
        internal static IReadOnlyList<IPAddress> ParseResolvConf(string text)
        {
            var list = new List<IPAddress>();
            foreach (string raw in text.Split('\n'))
            {
                string line = raw.Trim();
                int comment = line.IndexOfAny(new[] { '#', ';' });
                if (comment >= 0) line = line.Substring(0, comment).Trim();
                string[] parts = line.Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length >= 2 && parts[0] == "nameserver" && IPAddress.TryParse(parts[1], out IPAddress? a) && !list.Contains(a))
                    list.Add(a);
            }
            return list;
        }

        private static DnsException NoServers(Exception? inner) =>
            new DnsException(DnsErrorCodes.NoDnsServers,
                "No DNS server is configured on this machine" + (inner != null ? " (reading the " +
                    "configuration failed: " + inner.Message + ")" : "") + ".", inner)
            {
                RecommendedAction = "Name a DNS server with -DnsServer, for example -DnsServer 1.1.1.1.",
            };

        private static DnsException Invalid(string input, string reason) =>
            new DnsException(DnsErrorCodes.InvalidDnsServer, $"'{input}' is not a usable DNS server: {reason}.")
            {
                TargetObject = input,
                ParameterName = "DnsServer",
                RecommendedAction = "Give the DNS server as host, host:port, an IPv6 address, or [IPv6]:port, e.g. 1.1.1.1, " +
                    "127.0.0.1:5353 or [2606:4700:4700::1111]:53.",
            };
    }
}
