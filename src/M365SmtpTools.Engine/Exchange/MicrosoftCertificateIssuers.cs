using System;
using System.Collections.Generic;
using System.Linq;

namespace M365SmtpTools.Engine.Exchange
{
    /// <summary>
    /// The certificate authorities that issue Exchange Online's TLS certificates, as data. A Microsoft 365 SMTP server
    /// presenting a certificate from any other issuer is most likely behind a TLS-inspecting proxy or firewall that
    /// re-signs the traffic (and sees the XOAUTH2 token). Microsoft changes CAs from time to time: the list is
    /// matched loosely (substring of the issuer's distinguished name) and can be replaced per call (-ExpectedIssuer).
    /// </summary>
    public static class MicrosoftCertificateIssuers
    {
        /// <summary>
        /// Substrings of the issuer names Microsoft uses for its public TLS certificates: its own public issuing CAs
        /// (Microsoft Azure RSA/ECC TLS Issuing CA, Microsoft RSA/ECC TLS CA) and DigiCert, which issued earlier
        /// outlook.office365.com certificates.
        /// </summary>
        public static IReadOnlyList<string> Default { get; } = new[]
        {
            "O=Microsoft Corporation",
            "Microsoft Azure RSA TLS Issuing CA",
            "Microsoft Azure ECC TLS Issuing CA",
            "Microsoft RSA TLS CA",
            "Microsoft ECC TLS",
            "O=DigiCert Inc",
            "DigiCert Cloud Services CA",
            "DigiCert SHA2 Secure Server CA",
            "DigiCert Global",
        };

        /// <summary>
        /// True when <paramref name="issuer"/> contains one of <paramref name="expected"/> (default:
        /// <see cref="Default"/>), ignoring case.
        /// </summary>
        public static bool IsExpected(string? issuer, IEnumerable<string>? expected = null)
        {
            if (string.IsNullOrWhiteSpace(issuer)) return false;
            IEnumerable<string> list = expected != null && expected.Any(e => !string.IsNullOrWhiteSpace(e)) ? expected : Default;
            return list.Where(e => !string.IsNullOrWhiteSpace(e))
                .Any(e => issuer!.IndexOf(e.Trim(), StringComparison.OrdinalIgnoreCase) >= 0);
        }
    }
}
