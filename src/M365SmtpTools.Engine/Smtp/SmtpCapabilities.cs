using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace M365SmtpTools.Engine.Smtp
{
    /// <summary>What the server announced in its EHLO reply.</summary>
    public sealed class SmtpCapabilities
    {
        private readonly Dictionary<string, string> _extensions;

        private SmtpCapabilities(string serverName, Dictionary<string, string> extensions, bool ehlo)
        {
            ServerName = serverName;
            _extensions = extensions;
            IsExtended = ehlo;
            AuthMechanisms = Collect("AUTH");
            if (_extensions.TryGetValue("SIZE", out string? size) &&
                long.TryParse(size.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long limit))
                MaxMessageSize = limit;
        }

        /// <summary>No capabilities: what a HELO session has.</summary>
        public static SmtpCapabilities None(string serverName)
            => new SmtpCapabilities(serverName, new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase), false);

        /// <summary>Parses an EHLO reply: the first line is the server's name, each other line a keyword and parameters.</summary>
        public static SmtpCapabilities Parse(SmtpReply ehloReply)
        {
            if (ehloReply == null) throw new ArgumentNullException(nameof(ehloReply));
            var ext = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            string first = ehloReply.Lines[0].Trim();
            string serverName = first.Split(' ')[0];
            foreach (string raw in ehloReply.Lines.Skip(1))
            {
                string line = raw.Trim();
                if (line.Length == 0) continue;
                int sep = line.IndexOfAny(new[] { ' ', '=' });
                string keyword = sep < 0 ? line : line.Substring(0, sep);
                string args = sep < 0 ? "" : line.Substring(sep + 1).Trim();
                // Old servers announce "AUTH=LOGIN" next to "AUTH LOGIN"; keep every mechanism.
                ext[keyword] = ext.TryGetValue(keyword, out string? previous) && previous.Length > 0 ? previous + " " + args : args;
            }
            return new SmtpCapabilities(serverName, ext, true);
        }

        /// <summary>True when the session used EHLO (false after the HELO fallback: no extensions).</summary>
        public bool IsExtended { get; }

        /// <summary>The name the server gave in the first line of its EHLO reply.</summary>
        public string ServerName { get; }

        /// <summary>Every extension keyword (upper case) with its parameters.</summary>
        public IReadOnlyDictionary<string, string> Extensions => _extensions;

        /// <summary>True when the keyword was announced.</summary>
        public bool Has(string keyword) => _extensions.ContainsKey(keyword);

        /// <summary>SIZE: announced at all.</summary>
        public bool SupportsSize => Has("SIZE");

        /// <summary>SIZE's limit in bytes; 0 when none was given (RFC 1870: no fixed limit); null when SIZE isn't announced.</summary>
        public long? MaxMessageSize { get; }

        /// <summary>PIPELINING (RFC 2920).</summary>
        public bool SupportsPipelining => Has("PIPELINING");

        /// <summary>8BITMIME (RFC 6152).</summary>
        public bool Supports8BitMime => Has("8BITMIME");

        /// <summary>SMTPUTF8 (RFC 6531).</summary>
        public bool SupportsSmtpUtf8 => Has("SMTPUTF8");

        /// <summary>CHUNKING, i.e. BDAT (RFC 3030).</summary>
        public bool SupportsChunking => Has("CHUNKING");

        /// <summary>STARTTLS (RFC 3207).</summary>
        public bool SupportsStartTls => Has("STARTTLS");

        /// <summary>ENHANCEDSTATUSCODES (RFC 2034).</summary>
        public bool SupportsEnhancedStatusCodes => Has("ENHANCEDSTATUSCODES");

        /// <summary>DSN (RFC 3461).</summary>
        public bool SupportsDsn => Has("DSN");

        /// <summary>The SASL mechanisms announced with AUTH (upper case); empty when AUTH isn't announced.</summary>
        public IReadOnlyList<string> AuthMechanisms { get; }

        /// <summary>True when <paramref name="mechanism"/> is among <see cref="AuthMechanisms"/>.</summary>
        public bool SupportsAuth(string mechanism) => AuthMechanisms.Contains(mechanism, StringComparer.OrdinalIgnoreCase);

        private IReadOnlyList<string> Collect(string keyword) =>
            _extensions.TryGetValue(keyword, out string? v)
                ? v.Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries).Select(m => m.ToUpperInvariant()).Distinct().ToArray()
                : Array.Empty<string>();
    }
}
