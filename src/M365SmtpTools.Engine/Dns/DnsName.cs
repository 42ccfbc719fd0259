using System;
using System.Globalization;
using System.Text;

namespace M365SmtpTools.Engine.Dns
{
    /// <summary>Validation and normalization of domain names (RFC 1035 section 2.3, RFC 1123, IDNA via <see cref="IdnMapping"/>).</summary>
    public static class DnsName
    {
        /// <summary>The longest name in presentation form, without the trailing dot.</summary>
        public const int MaxLength = 253;

        /// <summary>The longest label.</summary>
        public const int MaxLabelLength = 63;

        /// <summary>
        /// Returns the name in lower-case ASCII form (A-labels for internationalized names), without a trailing dot.
        /// Host names must be letters, digits and hyphens; <paramref name="allowUnderscore"/> admits the service labels of
        /// TXT lookups (<c>_dmarc</c>, <c>selector1._domainkey</c>). Throws <see cref="DnsException"/> with
        /// <see cref="DnsErrorCodes.InvalidDomainName"/> naming the input and what is wrong with it.
        /// </summary>
        public static string Normalize(string? input, bool allowUnderscore = false)
        {
            if (input == null || input.Trim().Length == 0)
                throw Invalid(input ?? "", "the name is empty");
            string name = input.Trim();
            if (name.EndsWith(".", StringComparison.Ordinal)) name = name.Substring(0, name.Length - 1);
            if (name.Length == 0) throw Invalid(input, "the name is only a dot (the root)");
            if (name.IndexOf('@') >= 0)
                throw Invalid(input, "it looks like an e-mail address; give the part after '@'");
            if (name.IndexOf("://", StringComparison.Ordinal) >= 0 || name.IndexOf('/') >= 0)
                throw Invalid(input, "it looks like a URL; give the host name only");

            bool ascii = true;
            foreach (char c in name) if (c > 0x7F) { ascii = false; break; }
            if (!ascii)
            {
                try
                {
                    name = new IdnMapping { UseStd3AsciiRules = false, AllowUnassigned = false }.GetAscii(name);
                }
                catch (ArgumentException e)
                {
                    throw Invalid(input, "it is not a valid internationalized domain name (" + e.Message.TrimEnd('.') + ")", e);
                }
            }
            name = name.ToLowerInvariant();
            if (name.Length > MaxLength)
                throw Invalid(input, $"it is {name.Length} characters long; a domain name has at most {MaxLength}");

            string[] labels = name.Split('.');
            foreach (string label in labels)
            {
                if (label.Length == 0) throw Invalid(input, "it has an empty label (two dots in a row, or a leading dot)");
                if (label.Length > MaxLabelLength)
                    throw Invalid(input, $"the label '{Shorten(label)}' is {label.Length} characters long; a label has at most " +
                        $"{MaxLabelLength}");
                for (int i = 0; i < label.Length; i++)
                {
                    char c = label[i];
                    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || (allowUnderscore && c == '_');
                    if (!ok)
                        throw Invalid(input, $"the label '{Shorten(label)}' contains '{Printable(c)}'; only letters, digits and hyphens " +
                            "are allowed");
                }
                if (label[0] == '-' || label[label.Length - 1] == '-')
                    throw Invalid(input, $"the label '{Shorten(label)}' starts or ends with a hyphen");
            }
            return name;
        }

        /// <summary>True when <see cref="Normalize"/> would accept the name.</summary>
        public static bool IsValid(string? input, bool allowUnderscore = false)
        {
            try { Normalize(input, allowUnderscore); return true; }
            catch (DnsException) { return false; }
        }

        /// <summary>Lower-cases a name read from the wire and removes the trailing dot.</summary>
        internal static string Canonical(string name) => name.TrimEnd('.').ToLowerInvariant();

        private static string Shorten(string s) => s.Length <= 40 ? s : s.Substring(0, 37) + "...";

        private static string Printable(char c) =>
            c < 0x20 || c == 0x7F ? "\\x" + ((int)c).ToString("x2", CultureInfo.InvariantCulture) : c.ToString();

        private static DnsException Invalid(string input, string reason, Exception? inner = null)
        {
            var sb = new StringBuilder();
            sb.Append("'").Append(input.Length > 300 ? input.Substring(0, 300) + "..." : input)
                .Append("' is not a valid domain name: ").Append(reason).Append('.');
            return new DnsException(DnsErrorCodes.InvalidDomainName, sb.ToString(), inner)
            {
                TargetObject = input,
                QueryName = input,
                RecommendedAction = "Give a domain name such as contoso.com: labels of letters, digits and hyphens separated by dots, " +
                    "each at most 63 characters, 253 in all.",
            };
        }
    }
}
