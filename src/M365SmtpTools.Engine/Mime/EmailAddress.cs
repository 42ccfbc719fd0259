using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace M365SmtpTools.Engine.Mime
{
    /// <summary>
    /// A mailbox: an optional display name and an address (local part and domain), parsed and validated to RFC 5322
    /// and RFC 6532. International domains are converted to punycode for the envelope; a non-ASCII local part makes the
    /// address need SMTPUTF8.
    /// </summary>
    public sealed class EmailAddress : IEquatable<EmailAddress>
    {
        private const int MaxLocalPartOctets = 64;
        private const int MaxAddressOctets = 254;

        /// <summary>Creates an address from an addr-spec (<c>user@contoso.com</c>) and an optional display name.</summary>
        /// <exception cref="M365SmtpException">InvalidEmailAddress, HeaderInjection or InvalidHeaderValue.</exception>
        public EmailAddress(string address, string? displayName = null)
        {
            if (address == null) throw new ArgumentNullException(nameof(address));
            HeaderText.Validate(address, "email address");
            if (displayName != null) HeaderText.Validate(displayName, "display name");
            ParseAddrSpec(address.Trim(), address, out string local, out string domain, out string asciiDomain);
            LocalPart = local;
            Domain = domain;
            AsciiDomain = asciiDomain;
            DisplayName = string.IsNullOrWhiteSpace(displayName) ? null : displayName!.Trim();
        }

        /// <summary>The display name (<c>Alice Example</c>), or null.</summary>
        public string? DisplayName { get; }

        /// <summary>The local part, unquoted (<c>alice</c>); may hold UTF-8 (then <see cref="RequiresSmtpUtf8"/> is true).</summary>
        public string LocalPart { get; }

        /// <summary>The domain as given (Unicode or ASCII), or a domain literal such as <c>[192.0.2.1]</c>.</summary>
        public string Domain { get; }

        /// <summary>The domain in ASCII: punycode (A-labels) for an international domain.</summary>
        public string AsciiDomain { get; }

        /// <summary>The address as given: local part and domain, the local part quoted when it must be.</summary>
        public string Address => FormatLocalPart(LocalPart) + "@" + Domain;

        /// <summary>The address for MAIL FROM / RCPT TO: the domain in punycode.</summary>
        public string EnvelopeAddress => FormatLocalPart(LocalPart) + "@" + AsciiDomain;

        /// <summary>True when the local part is not ASCII: the address can only be sent with SMTPUTF8 (RFC 6531).</summary>
        public bool RequiresSmtpUtf8 => !HeaderText.IsAscii(LocalPart);

        /// <summary>True when the domain is international (its ASCII form is punycode).</summary>
        public bool HasInternationalDomain => !HeaderText.IsAscii(Domain);

        /// <summary>Parses <c>user@contoso.com</c>, <c>Name &lt;user@contoso.com&gt;</c> or
        /// <c>"Name, Quoted" &lt;user@contoso.com&gt;</c>.</summary>
        /// <exception cref="M365SmtpException">InvalidEmailAddress (TargetObject is the input), HeaderInjection,
        /// InvalidHeaderValue.</exception>
        public static EmailAddress Parse(string input)
        {
            if (input == null) throw new ArgumentNullException(nameof(input));
            HeaderText.Validate(input, "email address");
            string s = input.Trim();
            if (s.Length == 0) throw MimeErrors.InvalidAddress(input, "it is empty");
            if (s[s.Length - 1] != '>')
            {
                if (s.IndexOf('<') >= 0) throw MimeErrors.InvalidAddress(input, "it has a '<' without a closing '>' at the end");
                try
                {
                    return new EmailAddress(s);
                }
                catch (M365SmtpException e) when (e.Code == MimeErrorCodes.InvalidEmailAddress && !Equals(e.TargetObject, input))
                {
                    throw MimeErrors.InvalidAddress(input, StripReason(e.Message), e);
                }
            }

            int open = FindAngleOpen(s);
            if (open < 0) throw MimeErrors.InvalidAddress(input, "it has a '>' without an opening '<'");
            string inner = s.Substring(open + 1, s.Length - open - 2).Trim();
            string display = s.Substring(0, open).Trim();
            string? name = display.Length == 0 ? null : ParseDisplayName(display, input);
            try
            {
                return new EmailAddress(inner, name);
            }
            catch (M365SmtpException e) when (e.Code == MimeErrorCodes.InvalidEmailAddress)
            {
                throw MimeErrors.InvalidAddress(input, StripReason(e.Message), e);
            }
        }

        /// <summary>Parses without throwing; false when the input is not a valid address.</summary>
        public static bool TryParse(string input, out EmailAddress? address)
        {
            address = null;
            if (input == null) return false;
            try { address = Parse(input); return true; }
            catch (M365SmtpException) { return false; }
        }

        /// <summary>Parses a comma- or semicolon-separated list (<c>a@x.com, "B, C" &lt;b@x.com&gt;</c>); commas inside quotes or angle
        /// brackets don't split.</summary>
        /// <exception cref="M365SmtpException">InvalidEmailAddress for the first bad entry.</exception>
        public static IReadOnlyList<EmailAddress> ParseList(string input)
        {
            if (input == null) throw new ArgumentNullException(nameof(input));
            HeaderText.Validate(input, "address list");
            var result = new List<EmailAddress>();
            var current = new StringBuilder();
            bool quoted = false, escaped = false;
            int angle = 0;
            foreach (char c in input)
            {
                if (escaped) { escaped = false; current.Append(c); continue; }
                if (quoted && c == '\\') { escaped = true; current.Append(c); continue; }
                if (c == '"') quoted = !quoted;
                else if (!quoted && c == '<') angle++;
                else if (!quoted && c == '>' && angle > 0) angle--;
                else if (!quoted && angle == 0 && (c == ',' || c == ';'))
                {
                    Flush();
                    continue;
                }
                current.Append(c);
            }
            if (quoted) throw MimeErrors.InvalidAddress(input, "a quoted string is not closed");
            Flush();
            return result;

            void Flush()
            {
                string item = current.ToString();
                current.Clear();
                if (item.Trim().Length > 0) result.Add(Parse(item));
            }
        }

        /// <summary>The address as a person reads it: <c>Name &lt;user@domain&gt;</c>, or just the address.</summary>
        public override string ToString() => DisplayName == null ? Address : $"{DisplayName} <{Address}>";

        /// <summary>Addresses are equal when their envelope addresses are (domain compared without case).</summary>
        public bool Equals(EmailAddress? other)
            => other != null && string.Equals(LocalPart, other.LocalPart, StringComparison.Ordinal)
               && string.Equals(AsciiDomain, other.AsciiDomain, StringComparison.OrdinalIgnoreCase);

        /// <inheritdoc />
        public override bool Equals(object? obj) => Equals(obj as EmailAddress);

        /// <inheritdoc />
        public override int GetHashCode()
            => StringComparer.Ordinal.GetHashCode(LocalPart) ^ StringComparer.OrdinalIgnoreCase.GetHashCode(AsciiDomain);

        internal static string FormatLocalPart(string local) => IsDotAtom(local, true) ? local : HeaderText.Quote(local);

        private static string StripReason(string message)
        {
            int i = message.IndexOf("address: ", StringComparison.Ordinal);
            string r = i >= 0 ? message.Substring(i + 9) : message;
            return r.TrimEnd('.');
        }

        /// <summary>The index of the '&lt;' that opens the final angle-addr, ignoring quoted strings.</summary>
        private static int FindAngleOpen(string s)
        {
            bool quoted = false, escaped = false;
            int last = -1;
            for (int i = 0; i < s.Length - 1; i++)
            {
                char c = s[i];
                if (escaped) { escaped = false; continue; }
                if (quoted && c == '\\') { escaped = true; continue; }
                if (c == '"') quoted = !quoted;
                else if (!quoted && c == '<') last = i;
            }
            return quoted ? -1 : last;
        }

        private static string ParseDisplayName(string display, string input)
        {
            if (display[0] == '"')
            {
                var sb = new StringBuilder();
                int i = 1;
                for (; i < display.Length; i++)
                {
                    char c = display[i];
                    if (c == '\\')
                    {
                        if (++i >= display.Length) throw MimeErrors.InvalidAddress(input, "the display name ends with a lone backslash");
                        sb.Append(display[i]);
                    }
                    else if (c == '"') break;
                    else sb.Append(c);
                }
                if (i >= display.Length) throw MimeErrors.InvalidAddress(input, "the display name's quotes are not closed");
                if (display.Substring(i + 1).Trim().Length != 0)
                    throw MimeErrors.InvalidAddress(input, "there is text between the quoted display name and the '<'");
                return sb.ToString();
            }
            foreach (char c in display)
                if (c == '"' || c == '<' || c == '>')
                    throw MimeErrors.InvalidAddress(input, $"the display name has an unquoted '{c}'; put the name in double quotes");
            return display;
        }

        private static void ParseAddrSpec(string spec, string input, out string local, out string domain, out string asciiDomain)
        {
            if (spec.Length == 0) throw MimeErrors.InvalidAddress(input, "the address is empty");
            int at = spec.LastIndexOf('@');
            if (at < 0) throw MimeErrors.InvalidAddress(input, "it has no '@'");
            string localRaw = spec.Substring(0, at);
            domain = spec.Substring(at + 1);
            if (localRaw.Length == 0) throw MimeErrors.InvalidAddress(input, "the local part (before '@') is empty");
            if (domain.Length == 0) throw MimeErrors.InvalidAddress(input, "the domain (after '@') is empty");

            if (localRaw[0] == '"') local = ParseQuotedLocal(localRaw, input);
            else
            {
                if (!IsDotAtom(localRaw, true))
                    throw MimeErrors.InvalidAddress(input, $"the local part '{MimeErrors.Printable(localRaw)}' has a character that " +
                        "needs quoting, or an empty dot-separated word");
                local = localRaw;
            }
            if (HeaderText.Utf8Length(local) > MaxLocalPartOctets)
                throw MimeErrors.InvalidAddress(input, $"the local part is longer than {MaxLocalPartOctets} octets");

            asciiDomain = ParseDomain(domain, input);
            if (HeaderText.Utf8Length(FormatLocalPart(local)) + 1 + asciiDomain.Length > MaxAddressOctets)
                throw MimeErrors.InvalidAddress(input, $"it is longer than {MaxAddressOctets} octets");
        }

        private static string ParseQuotedLocal(string raw, string input)
        {
            if (raw.Length < 2 || raw[raw.Length - 1] != '"') throw MimeErrors.InvalidAddress(input, "the quoted local part is not closed");
            var sb = new StringBuilder();
            for (int i = 1; i < raw.Length - 1; i++)
            {
                char c = raw[i];
                if (c == '\\')
                {
                    if (++i >= raw.Length - 1) throw MimeErrors.InvalidAddress(input, "the quoted local part ends with a lone backslash");
                    sb.Append(raw[i]);
                }
                else if (c == '"') throw MimeErrors.InvalidAddress(input, "the quoted local part has an unescaped '\"'");
                else if (c == '\t') throw MimeErrors.InvalidAddress(input, "the quoted local part has a tab");
                else sb.Append(c);
            }
            if (sb.Length == 0) throw MimeErrors.InvalidAddress(input, "the quoted local part is empty");
            return sb.ToString();
        }

        /// <summary>RFC 5322 dot-atom; with <paramref name="allowUtf8"/>, RFC 6532's UTF-8 characters count as atext.</summary>
        internal static bool IsDotAtom(string s, bool allowUtf8)
        {
            if (s.Length == 0 || s[0] == '.' || s[s.Length - 1] == '.') return false;
            for (int i = 0; i < s.Length; i++)
            {
                char c = s[i];
                if (c == '.') { if (s[i - 1] == '.') return false; continue; }
                if (c >= 0x80) { if (!allowUtf8) return false; continue; }
                if (!HeaderText.IsAText(c)) return false;
            }
            return true;
        }

        private static string ParseDomain(string domain, string input)
        {
            if (domain[0] == '[')
            {
                if (domain[domain.Length - 1] != ']') throw MimeErrors.InvalidAddress(input, "the domain literal is not closed with ']'");
                string lit = domain.Substring(1, domain.Length - 2);
                bool ok = lit.StartsWith("IPv6:", StringComparison.OrdinalIgnoreCase)
                    ? System.Net.IPAddress.TryParse(lit.Substring(5), out var v6)
                        && v6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
                    : System.Net.IPAddress.TryParse(lit, out var v4)
                        && v4.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && lit.Split('.').Length == 4;
                if (!ok) throw MimeErrors.InvalidAddress(input, $"the domain literal '{domain}' is not an IPv4 address or IPv6:address");
                return domain;
            }

            string ascii;
            if (HeaderText.IsAscii(domain)) ascii = domain;
            else
            {
                try
                {
                    ascii = new IdnMapping { UseStd3AsciiRules = true, AllowUnassigned = false }.GetAscii(domain);
                }
                catch (ArgumentException e)
                {
                    throw MimeErrors.InvalidAddress(input,
                        $"the international domain '{domain}' can't be converted to punycode ({e.Message.TrimEnd('.')})", e);
                }
            }
            if (ascii.Length > 253) throw MimeErrors.InvalidAddress(input, "the domain is longer than 253 characters");
            string[] labels = ascii.TrimEnd('.').Split('.');
            if (ascii.EndsWith(".", StringComparison.Ordinal)) throw MimeErrors.InvalidAddress(input, "the domain ends with a dot");
            foreach (string label in labels)
            {
                if (label.Length == 0) throw MimeErrors.InvalidAddress(input, "the domain has an empty label (two dots in a row, or a " +
                    "leading dot)");
                if (label.Length > 63) throw MimeErrors.InvalidAddress(input, $"the domain label '{label}' is longer than 63 characters");
                if (label[0] == '-' || label[label.Length - 1] == '-')
                    throw MimeErrors.InvalidAddress(input, $"the domain label '{label}' starts or ends with a hyphen");
                foreach (char c in label)
                    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'))
                        throw MimeErrors.InvalidAddress(input, $"the domain '{MimeErrors.Printable(domain)}' has the character " +
                            $"'{MimeErrors.Printable(c.ToString())}', which is not allowed in a host name");
            }
            return ascii;
        }
    }
}
