using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace M365SmtpTools.Engine.Dns.Spf
{
    /// <summary>Macro expansion (RFC 7208 section 7).</summary>
    internal static class SpfMacro
    {
        private const string Letters = "slodiphcrtv";
        private const string Delimiters = ".-+,/_=";

        public static bool IsValidMacroString(string s, out string? error)
        {
            error = null;
            for (int i = 0; i < s.Length; i++)
            {
                char c = s[i];
                if (c < 0x21 || c > 0x7E) { error = $"'{s}' contains a character SPF doesn't allow"; return false; }
                if (c != '%') continue;
                if (i + 1 >= s.Length) { error = $"'{s}' ends with a lone '%'"; return false; }
                char n = s[i + 1];
                if (n == '%' || n == '_' || n == '-') { i++; continue; }
                if (n != '{') { error = $"'{s}' has '%{n}', which is not a macro (use %% for a percent sign)"; return false; }
                int close = s.IndexOf('}', i);
                if (close < 0) { error = $"'{s}' has an unclosed macro"; return false; }
                string body = s.Substring(i + 2, close - i - 2);
                if (!ParseBody(body, out _, out _, out _, out _)) { error = $"'%{{{body}}}' is not a valid macro"; return false; }
                i = close;
            }
            return true;
        }

        private static bool ParseBody(string body, out char letter, out int digits, out bool reverse, out string delimiters)
        {
            letter = '\0'; digits = 0; reverse = false; delimiters = ".";
            if (body.Length == 0 || Letters.IndexOf(char.ToLowerInvariant(body[0])) < 0) return false;
            letter = char.ToLowerInvariant(body[0]);
            int i = 1;
            int start = i;
            while (i < body.Length && char.IsDigit(body[i])) i++;
            if (i > start)
            {
                if (!int.TryParse(body.Substring(start, i - start), NumberStyles.None, CultureInfo.InvariantCulture, out digits)
                    || digits == 0) return false;
            }
            if (i < body.Length && (body[i] == 'r' || body[i] == 'R')) { reverse = true; i++; }
            string rest = body.Substring(i);
            if (rest.Any(c => Delimiters.IndexOf(c) < 0)) return false;
            if (rest.Length > 0) delimiters = rest;
            return true;
        }

        /// <summary>Expands a macro string for a domain-spec (letters c, r, t are only allowed in exp=).</summary>
        public static string Expand(string s, SpfContext ctx, string domain, bool forExplanation = false)
        {
            var sb = new StringBuilder();
            for (int i = 0; i < s.Length; i++)
            {
                char c = s[i];
                if (c != '%') { sb.Append(c); continue; }
                char n = s[++i];
                if (n == '%') { sb.Append('%'); continue; }
                if (n == '_') { sb.Append(' '); continue; }
                if (n == '-') { sb.Append("%20"); continue; }
                int close = s.IndexOf('}', i);
                string body = s.Substring(i + 1, close - i - 1);
                i = close;
                ParseBody(body, out char letter, out int digits, out bool reverse, out string delimiters);
                if (!forExplanation && (letter == 'c' || letter == 'r' || letter == 't'))
                    throw new SpfPermErrorException($"the macro '%{{{body}}}' is only allowed in exp=");
                string value = Value(letter, ctx, domain);
                string[] parts = value.Split(delimiters.ToCharArray());
                IEnumerable<string> seq = parts;
                if (reverse) seq = Enumerable.Reverse(parts);
                var list = seq.ToList();
                if (digits > 0 && digits < list.Count) list = list.Skip(list.Count - digits).ToList();
                string expanded = string.Join(".", list);
                if (char.IsUpper(body[0])) expanded = Uri.EscapeDataString(expanded);
                sb.Append(expanded);
            }
            return sb.ToString();
        }

        private static string Value(char letter, SpfContext ctx, string domain)
        {
            switch (letter)
            {
                case 's': return ctx.Sender;
                case 'l': return ctx.LocalPart;
                case 'o': return ctx.SenderDomain;
                case 'd': return domain;
                case 'i': return DottedIp(ctx.Ip);
                case 'p': return "unknown";
                case 'v': return ctx.Ip.AddressFamily == AddressFamily.InterNetworkV6 ? "ip6" : "in-addr";
                case 'h': return ctx.Helo ?? ctx.SenderDomain;
                case 'c': return ctx.Ip.ToString();
                case 'r': return "unknown";
                case 't': return ((long)(DateTime.UtcNow - new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc)).TotalSeconds)
                    .ToString(CultureInfo.InvariantCulture);
                default: return "";
            }
        }

        /// <summary>IPv4 as dotted quads; IPv6 as 32 dot-separated nibbles (RFC 7208 section 7.3).</summary>
        public static string DottedIp(IPAddress ip)
        {
            if (ip.AddressFamily == AddressFamily.InterNetwork) return ip.ToString();
            byte[] b = ip.GetAddressBytes();
            var nibbles = new List<string>(32);
            foreach (byte x in b)
            {
                nibbles.Add(((x >> 4) & 0xF).ToString("x", CultureInfo.InvariantCulture));
                nibbles.Add((x & 0xF).ToString("x", CultureInfo.InvariantCulture));
            }
            return string.Join(".", nibbles);
        }
    }
}
