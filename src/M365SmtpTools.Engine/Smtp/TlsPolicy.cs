using System;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace M365SmtpTools.Engine.Smtp
{
    /// <summary>How the connection is secured.</summary>
    public enum SmtpTlsMode
    {
        /// <summary>STARTTLS is required: if the server doesn't offer it or it fails, nothing else is sent (the default).</summary>
        StartTlsRequired,
        /// <summary>STARTTLS when the server offers it, otherwise go on in clear text (with a warning).</summary>
        StartTlsWhenAvailable,
        /// <summary>TLS from the first byte (port 465 style). Not supported by Microsoft 365 client submission.</summary>
        ImplicitTls,
        /// <summary>Clear text only; never STARTTLS (for tests and for diagnosing a server's clear-text behaviour).</summary>
        None,
    }

    /// <summary>The TLS rules for a connection: protocol versions, certificate validation, client certificate.</summary>
    public sealed class TlsPolicy
    {
        /// <summary>TLS 1.3 (not named in netstandard2.0's enum).</summary>
        internal const SslProtocols Tls13 = (SslProtocols)12288;

        /// <summary>
        /// The protocol versions allowed: TLS 1.2 and TLS 1.3 by default (the platform picks 1.3 when it supports it).
        /// Older versions aren't allowed by Microsoft 365 and shouldn't be allowed elsewhere.
        /// </summary>
        public SslProtocols Protocols { get; set; } = SslProtocols.Tls12 | Tls13;

        /// <summary>
        /// Switches certificate validation off (name, chain, dates). For test servers only: a warning is written
        /// through the operation host on every connection that uses it.
        /// </summary>
        public bool SkipCertificateValidation { get; set; }

        /// <summary>Check certificate revocation (off by default: many networks block CRL/OCSP fetches).</summary>
        public bool CheckCertificateRevocation { get; set; }

        /// <summary>The name the server certificate must carry, when it differs from the host connected to (e.g. connecting by
        /// IP).</summary>
        public string? ServerName { get; set; }

        /// <summary>A client certificate (with private key) to present, e.g. for a certificate-based relay connector.</summary>
        public X509Certificate2? ClientCertificate { get; set; }

        /// <summary>
        /// Extra trust anchors: a server chain ending at one of these is accepted as if its root were trusted (a private
        /// CA, a test CA). Every other check (name, dates, chain building) still applies.
        /// </summary>
        public X509Certificate2Collection? TrustedRootCertificates { get; set; }

        /// <summary>A copy of this policy.</summary>
        public TlsPolicy Clone() => (TlsPolicy)MemberwiseClone();
    }

    /// <summary>Facts about a negotiated TLS session and the server's certificate.</summary>
    public sealed class TlsSessionInfo
    {
        /// <summary>The negotiated protocol (e.g. Tls12, Tls13).</summary>
        public string Protocol { get; internal set; } = "";

        /// <summary>The negotiated cipher suite name when the platform reports it, else the cipher algorithm.</summary>
        public string CipherSuite { get; internal set; } = "";

        /// <summary>The server certificate's subject.</summary>
        public string? Subject { get; internal set; }

        /// <summary>The DNS names and IP addresses in the server certificate's subject alternative names.</summary>
        public string[] SubjectAlternativeNames { get; internal set; } = Array.Empty<string>();

        /// <summary>The server certificate's issuer.</summary>
        public string? Issuer { get; internal set; }

        /// <summary>Start of the certificate's validity.</summary>
        public DateTime? NotBefore { get; internal set; }

        /// <summary>End of the certificate's validity.</summary>
        public DateTime? NotAfter { get; internal set; }

        /// <summary>The certificate's SHA-1 thumbprint (hex), as Windows shows it.</summary>
        public string? Thumbprint { get; internal set; }

        /// <summary>The problems found validating the certificate (empty when none): policy errors and chain status.</summary>
        public string[] ValidationErrors { get; internal set; } = Array.Empty<string>();

        /// <summary>True when the certificate passed validation (false when validation was skipped and it would have failed).</summary>
        public bool CertificateValid { get; internal set; }

        /// <summary>True when validation was switched off for this connection.</summary>
        public bool ValidationSkipped { get; internal set; }

        /// <summary>True when a client certificate was presented.</summary>
        public bool ClientCertificatePresented { get; internal set; }

        /// <summary>A one-line summary.</summary>
        public override string ToString() => $"{Protocol} {CipherSuite}, certificate {Subject} (issuer {Issuer}, valid {NotBefore:u} to " +
            $"{NotAfter:u}, thumbprint {Thumbprint})";
    }
}
