using System;

namespace M365SmtpTools.Engine.Exchange
{
    /// <summary>The DNS suffixes of Microsoft 365 / Exchange Online mail endpoints, in every cloud.</summary>
    public static class MicrosoftHosts
    {
        /// <summary>
        /// Host suffixes that belong to Exchange Online: commercial and GCC (office365.com, outlook.com),
        /// GCC High and DoD (office365.us), China operated by 21Vianet (partner.outlook.cn).
        /// </summary>
        public static readonly string[] Suffixes = { "office365.com", "outlook.com", "office365.us", "partner.outlook.cn" };

        /// <summary>True when <paramref name="host"/> is one of <see cref="Suffixes"/> or a name under one of them.</summary>
        public static bool IsMicrosoft365Host(string? host)
        {
            if (string.IsNullOrWhiteSpace(host)) return false;
            string h = host!.Trim().TrimEnd('.');
            foreach (string suffix in Suffixes)
            {
                if (h.Equals(suffix, StringComparison.OrdinalIgnoreCase)) return true;
                if (h.EndsWith("." + suffix, StringComparison.OrdinalIgnoreCase)) return true;
            }
            return false;
        }
    }
}
