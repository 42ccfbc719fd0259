using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace M365SmtpTools.Engine.Exchange
{
    /// <summary>The certificate a relay device presents, as the plan describes it (no key material).</summary>
    public sealed class RelayCertificateInfo
    {
        /// <summary>The subject distinguished name.</summary>
        public string Subject { get; internal set; } = "";
        /// <summary>The issuer distinguished name.</summary>
        public string Issuer { get; internal set; } = "";
        /// <summary>The SHA-1 thumbprint, as Windows shows it.</summary>
        public string Thumbprint { get; internal set; } = "";
        /// <summary>The Subject common name, when there is one.</summary>
        public string? CommonName { get; internal set; }
        /// <summary>The DNS names of the Subject Alternative Name extension.</summary>
        public string[] DnsNames { get; internal set; } = new string[0];
        /// <summary>Start of validity (UTC).</summary>
        public DateTime NotBefore { get; internal set; }
        /// <summary>End of validity (UTC).</summary>
        public DateTime NotAfter { get; internal set; }
        /// <summary>True when the certificate came with its private key.</summary>
        public bool HasPrivateKey { get; internal set; }
        /// <summary>Where the certificate came from (file path, store location, or "parameter").</summary>
        public string Source { get; internal set; } = "";

        /// <inheritdoc />
        public override string ToString() => $"{Subject} ({Thumbprint})";
    }

    /// <summary>Reads the names, dates and usages of a relay certificate and checks them against the domain.</summary>
    internal static class CertificateInspector
    {
        public const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";
        public const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";
        public const string AnyExtendedKeyUsageOid = "2.5.29.37.0";
        private const string SubjectAltNameOid = "2.5.29.17";

        public static RelayCertificateInfo Describe(X509Certificate2 certificate, string source) => new RelayCertificateInfo
        {
            Subject = certificate.Subject,
            Issuer = certificate.Issuer,
            Thumbprint = certificate.Thumbprint ?? "",
            CommonName = CommonName(certificate),
            DnsNames = SanDnsNames(certificate),
            NotBefore = certificate.NotBefore.ToUniversalTime(),
            NotAfter = certificate.NotAfter.ToUniversalTime(),
            HasPrivateKey = certificate.HasPrivateKey,
            Source = source,
        };

        /// <summary>
        /// Checks the certificate and returns the value for <c>-TlsSenderCertificateName</c>: the domain itself when the
        /// certificate names exactly it, <c>*.domain</c> when it has a wildcard or host names in the domain.
        /// </summary>
        public static string Check(X509Certificate2 certificate, RelayCertificateInfo info, string domain, DateTimeOffset now,
            List<PlanFinding> findings)
        {
            string wildcard = "*." + domain;
            var names = info.DnsNames.Concat(info.CommonName == null ? Enumerable.Empty<string>() : new[] { info.CommonName })
                .Select(n => n.Trim().TrimEnd('.').ToLowerInvariant()).Where(n => n.Length > 0).Distinct().ToList();
            bool exact = names.Contains(domain);
            bool hasWildcard = names.Contains(wildcard);
            var hosts = names.Where(n => n != domain && n != wildcard && n.EndsWith("." + domain, StringComparison.Ordinal)).ToList();
            string listed = names.Count == 0 ? "no DNS names at all" : string.Join(", ", names);
            string tlsName = domain;

            if (!exact && !hasWildcard && hosts.Count == 0)
            {
                findings.Add(new PlanFinding("CertificateNameMismatch", FindingSeverity.Error,
                    $"The certificate names {listed} (Subject CN and SAN DNS names); none is {domain}, {wildcard} or a host in {domain}, " +
                        $"so Exchange Online can't match it to a connector for {domain}.",
                    $"Use a certificate whose Subject CN or SAN holds {domain} or {wildcard} (an accepted domain of the tenant)."));
            }
            else if (hasWildcard || hosts.Count > 0)
            {
                tlsName = wildcard;
                var inDomain = names.Where(n => n == domain || n.EndsWith("." + domain, StringComparison.Ordinal)).ToList();
                if (inDomain.Count > 1)
                    findings.Add(new PlanFinding("CertificateSeveralNames", FindingSeverity.Information,
                        $"The certificate holds several names in {domain} ({string.Join(", ", inDomain)}); the connector uses " +
                            $"-TlsSenderCertificateName {wildcard}, which matches the domain and all its hosts.",
                        $"Keep {wildcard} as the connector's certificate name, so a reissued certificate with other host names " +
                            "still matches."));
                else
                    findings.Add(new PlanFinding("CertificateNameMatches", FindingSeverity.Information,
                        $"The certificate names {inDomain[0]}; the connector uses -TlsSenderCertificateName {wildcard} to match it."));
            }
            else
            {
                findings.Add(new PlanFinding("CertificateNameMatches", FindingSeverity.Information,
                    $"The certificate names {domain}; the connector uses -TlsSenderCertificateName {domain}."));
            }
            var outside = names.Where(n => n != domain && !n.EndsWith("." + domain, StringComparison.Ordinal)).ToList();
            if (outside.Count > 0 && outside.Count < names.Count)
                findings.Add(new PlanFinding("CertificateOtherNames", FindingSeverity.Information,
                    $"The certificate also names hosts outside {domain}: {string.Join(", ", outside)}. Only the names in {domain} " +
                        "matter to this connector."));

            DateTime utcNow = now.UtcDateTime;
            string Day(DateTime d) => d.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
            if (info.NotAfter < utcNow)
                findings.Add(new PlanFinding("CertificateExpired", FindingSeverity.Error,
                    $"The certificate expired on {Day(info.NotAfter)}; Exchange Online refuses expired certificates, so the device's " +
                        "mail won't match the connector.",
                    "Renew the certificate, install it on the device with its private key, and run the plan with the new one."));
            else if (info.NotBefore > utcNow)
                findings.Add(new PlanFinding("CertificateNotYetValid", FindingSeverity.Error,
                    $"The certificate is not valid until {Day(info.NotBefore)}; until then TLS with it fails.",
                    "Wait until it is valid, or check the clock of the machine that issued it."));
            else if (info.NotAfter < utcNow.AddDays(30))
                findings.Add(new PlanFinding("CertificateExpiresSoon", FindingSeverity.Warning,
                    $"The certificate expires on {Day(info.NotAfter)}, in {(int)Math.Ceiling((info.NotAfter - utcNow).TotalDays)} " +
                        "day(s); mail from the device stops matching the connector then.",
                    "Renew it now and install the new certificate on the device; the connector keeps working if the new one carries the " +
                        "same name."));

            if (!info.HasPrivateKey)
                findings.Add(new PlanFinding("CertificateNoPrivateKey", FindingSeverity.Warning,
                    "The certificate was given without its private key. That is enough for this plan, but the device needs the " +
                        "certificate with its private key to present it in TLS.",
                    "Install the certificate on the device from a PFX/PKCS#12 file that contains the private key."));

            X509EnhancedKeyUsageExtension? eku = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault();
            if (eku != null)
            {
                var usages = eku.EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>().Select(o => o.Value).ToList();
                if (!usages.Contains(ClientAuthOid) && !usages.Contains(AnyExtendedKeyUsageOid))
                    findings.Add(new PlanFinding("CertificateNotForClientAuth", FindingSeverity.Error,
                        usages.Contains(ServerAuthOid)
                            ? "The certificate's extended key usage allows server authentication only. The device connects to Exchange " +
                                "Online as a TLS client, so its certificate must allow client authentication (1.3.6.1.5.5.7.3.2)."
                            : $"The certificate's extended key usage ({string.Join(", ", usages)}) doesn't include client authentication " +
                                $"(1.3.6.1.5.5.7.3.2), which a TLS client certificate needs.",
                        "Request a certificate with both Server Authentication and Client Authentication in its extended key usage (most " +
                            "public CAs issue them so)."));
            }
            X509KeyUsageExtension? ku = certificate.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault();
            if (ku != null && (ku.KeyUsages & X509KeyUsageFlags.DigitalSignature) == 0
                && (ku.KeyUsages & X509KeyUsageFlags.KeyAgreement) == 0)
                findings.Add(new PlanFinding("CertificateKeyUsage", FindingSeverity.Error,
                    $"The certificate's key usage ({ku.KeyUsages}) doesn't allow digital signatures, which TLS client " +
                        "authentication needs.",
                    "Use a certificate whose key usage includes Digital Signature."));

            if (string.Equals(certificate.Subject, certificate.Issuer, StringComparison.Ordinal))
                findings.Add(new PlanFinding("CertificateSelfSigned", FindingSeverity.Error,
                    "The certificate is self-signed. Exchange Online checks the certificate a relay device presents against publicly " +
                        "trusted certification authorities, so a self-signed (or private CA) certificate won't match the connector.",
                    "Use a certificate from a public certification authority for the relay, or use an IP-based connector."));
            return tlsName;
        }

        /// <summary>The Subject common name (OID 2.5.4.3), read from the DER encoding; the last one when there are several.</summary>
        public static string? CommonName(X509Certificate2 certificate)
        {
            byte[] der = certificate.SubjectName.RawData;
            string? cn = null;
            if (!Der.Read(der, 0, der.Length, out byte tag, out int start, out int len, out _) || tag != 0x30) return null;
            int pos = start, end = start + len;
            while (pos < end && Der.Read(der, pos, end, out byte setTag, out int setStart, out int setLen, out int next))
            {
                int p = setStart, setEnd = setStart + setLen;
                while (setTag == 0x31 && p < setEnd
                    && Der.Read(der, p, setEnd, out byte seqTag, out int seqStart, out int seqLen, out int nextAttr))
                {
                    if (seqTag == 0x30
                        && Der.Read(der, seqStart, seqStart + seqLen, out byte oidTag, out int oidStart, out int oidLen, out int valuePos)
                        && oidTag == 0x06 && oidLen == 3 && der[oidStart] == 0x55 && der[oidStart + 1] == 0x04 && der[oidStart + 2] == 0x03
                        && Der.Read(der, valuePos, seqStart + seqLen, out byte valueTag, out int valueStart, out int valueLen, out _))
                        cn = Der.String(der, valueTag, valueStart, valueLen);
                    p = nextAttr;
                }
                pos = next;
            }
            return cn;
        }

        /// <summary>The dNSName entries of the Subject Alternative Name extension.</summary>
        public static string[] SanDnsNames(X509Certificate2 certificate)
        {
            X509Extension? san = certificate.Extensions.Cast<X509Extension>().FirstOrDefault(e => e.Oid?.Value == SubjectAltNameOid);
            if (san == null) return new string[0];
            byte[] der = san.RawData;
            var names = new List<string>();
            if (!Der.Read(der, 0, der.Length, out byte tag, out int start, out int len, out _) || tag != 0x30) return new string[0];
            int pos = start, end = start + len;
            while (pos < end && Der.Read(der, pos, end, out byte nameTag, out int nameStart, out int nameLen, out int next))
            {
                if (nameTag == 0x82) names.Add(Encoding.ASCII.GetString(der, nameStart, nameLen)); // [2] IMPLICIT IA5String dNSName
                pos = next;
            }
            return names.ToArray();
        }

        /// <summary>Just enough DER (X.690) to walk names: definite lengths, single-byte tags.</summary>
        private static class Der
        {
            public static bool Read(byte[] data, int pos, int end, out byte tag, out int contentStart, out int length, out int next)
            {
                tag = 0; contentStart = 0; length = 0; next = end;
                if (pos + 2 > end) return false;
                tag = data[pos];
                int l = data[pos + 1];
                int p = pos + 2;
                if (l >= 0x80)
                {
                    int count = l & 0x7F;
                    if (count == 0 || count > 3 || p + count > end) return false;
                    l = 0;
                    for (int i = 0; i < count; i++) l = (l << 8) | data[p++];
                }
                if (p + l > end) return false;
                contentStart = p;
                length = l;
                next = p + l;
                return true;
            }

            public static string String(byte[] data, byte tag, int start, int length) => tag switch
            {
                0x1E => Encoding.BigEndianUnicode.GetString(data, start, length), // BMPString
                0x0C => Encoding.UTF8.GetString(data, start, length),             // UTF8String
                _ => Encoding.GetEncoding("ISO-8859-1").GetString(data, start, length), // Printable, IA5, T61: ASCII in practice
            };
        }
    }
}
