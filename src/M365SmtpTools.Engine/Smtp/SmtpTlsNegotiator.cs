using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Tasks;
using M365SmtpTools.Engine.Operations;

namespace M365SmtpTools.Engine.Smtp
{
    /// <summary>Runs the client side of a TLS handshake under a <see cref="TlsPolicy"/> and describes the result.</summary>
    internal sealed class SmtpTlsNegotiator
    {
        private readonly TlsPolicy _policy;
        private readonly IOperationHost _host;
        private readonly string _serverHost;
        private readonly TlsSessionInfo _info = new TlsSessionInfo();

        public SmtpTlsNegotiator(TlsPolicy policy, IOperationHost host, string serverHost)
        {
            _policy = policy;
            _host = host;
            _serverHost = serverHost;
        }

        /// <summary>The name the certificate must match.</summary>
        public string TargetName => string.IsNullOrEmpty(_policy.ServerName) ? _serverHost : _policy.ServerName!;

        /// <summary>What is known of the session so far (the certificate facts once the server sent it).</summary>
        public TlsSessionInfo Info => _info;

        /// <summary>Why validation rejected the certificate, when it did.</summary>
        public string? RejectionReason { get; private set; }

        /// <summary>Handshakes over <paramref name="inner"/>; returns the TLS stream (the caller owns and guards it).</summary>
        public async Task<(SslStream Stream, TlsSessionInfo Info)> AuthenticateAsync(Stream inner)
        {
            if (_policy.SkipCertificateValidation)
                _host.WriteWarning($"TLS certificate validation is switched off for {_serverHost}: the connection can be intercepted " +
                    "without notice. Use this only with test servers.");
            SslProtocols protocols = _policy.Protocols;
            if (protocols == SslProtocols.None || (protocols & ~(SslProtocols.Tls12 | TlsPolicy.Tls13)) != 0)
                throw new SmtpProtocolException(SmtpErrorCodes.TlsProtocolNotAllowed,
                    $"The TLS policy allows {protocols}; only TLS 1.2 and TLS 1.3 are allowed.", SmtpPhase.StartTls, _serverHost)
                { RecommendedAction = "Set TlsPolicy.Protocols to Tls12, Tls13 or both (the default)." };
            // The inner stream stays open when an attempt is abandoned; the connection closes the socket itself.
            var ssl = new SslStream(inner, true, Validate);
            var certificates = new X509CertificateCollection();
            if (_policy.ClientCertificate != null) certificates.Add(_policy.ClientCertificate);
            try
            {
                await ssl.AuthenticateAsClientAsync(TargetName, certificates, _policy.Protocols, _policy.CheckCertificateRevocation)
                    .ConfigureAwait(false);
            }
            catch (Exception ex) when ((ex is ArgumentException || ex is NotSupportedException)
                && (_policy.Protocols & TlsPolicy.Tls13) != 0)
            {
                // An older platform that doesn't know TLS 1.3 rejects the flag before any byte is sent: retry with 1.2.
                ssl.Dispose();
                ssl = new SslStream(inner, true, Validate);
                await ssl.AuthenticateAsClientAsync(TargetName, certificates, _policy.Protocols & ~TlsPolicy.Tls13,
                    _policy.CheckCertificateRevocation).ConfigureAwait(false);
            }
            _info.Protocol = ProtocolName(ssl.SslProtocol);
            _info.CipherSuite = CipherName(ssl);
            _info.ValidationSkipped = _policy.SkipCertificateValidation;
            _info.ClientCertificatePresented = ssl.IsMutuallyAuthenticated
                || (_policy.ClientCertificate != null && ssl.LocalCertificate != null);
            return (ssl, _info);
        }

        private static string ProtocolName(SslProtocols p) => p == TlsPolicy.Tls13 ? "Tls13" : p.ToString();

        private static string CipherName(SslStream ssl)
        {
            // NegotiatedCipherSuite exists from .NET Core 3.0; netstandard2.0 can't name it, so ask by reflection.
            try
            {
                object? suite = ssl.GetType().GetProperty("NegotiatedCipherSuite")?.GetValue(ssl);
                if (suite != null) return suite.ToString()!;
            }
            catch (Exception)
            {
                // fall through to the algorithm names
            }
            return $"{ssl.CipherAlgorithm}/{ssl.HashAlgorithm}/{ssl.KeyExchangeAlgorithm}";
        }

        private bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
        {
            var problems = new List<string>();
            X509Certificate2? cert = certificate == null ? null : certificate as X509Certificate2 ?? new X509Certificate2(certificate);
            if (cert != null) Describe(cert);
            if ((errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0) problems.Add("The server presented no certificate.");
            if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
                problems.Add("The certificate's names (" +
                    $"{string.Join(", ", _info.SubjectAlternativeNames.DefaultIfEmpty(_info.Subject ?? ""))}) " +
                    $"don't include '{TargetName}'.");
            bool chainOk = (errors & SslPolicyErrors.RemoteCertificateChainErrors) == 0;
            if (!chainOk && cert != null)
            {
                IEnumerable<X509ChainStatus> statuses = chain?.ChainStatus ?? Array.Empty<X509ChainStatus>();
                if (_policy.TrustedRootCertificates != null && _policy.TrustedRootCertificates.Count > 0)
                    chainOk = ChainsToTrustedRoot(cert, out statuses);
                if (!chainOk)
                    foreach (X509ChainStatus s in statuses.Where(s => s.Status != X509ChainStatusFlags.NoError))
                        problems.Add($"Certificate chain: {s.Status} ({s.StatusInformation?.Trim()})");
                if (!chainOk && !problems.Any(p => p.StartsWith("Certificate chain", StringComparison.Ordinal)))
                    problems.Add("Certificate chain: the certificate doesn't chain to a trusted root.");
            }
            _info.ValidationErrors = problems.ToArray();
            _info.CertificateValid = problems.Count == 0;
            if (_policy.SkipCertificateValidation) return true;
            if (problems.Count == 0) return true;
            RejectionReason = string.Join(" ", problems);
            return false;
        }

        private bool ChainsToTrustedRoot(X509Certificate2 cert, out IEnumerable<X509ChainStatus> statuses)
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.RevocationMode = _policy.CheckCertificateRevocation ? X509RevocationMode.Online : X509RevocationMode.NoCheck;
            chain.ChainPolicy.VerificationFlags = X509VerificationFlags.AllowUnknownCertificateAuthority;
            chain.ChainPolicy.ExtraStore.AddRange(_policy.TrustedRootCertificates!);
            chain.Build(cert);
            var bad = chain.ChainStatus
                .Where(s => s.Status != X509ChainStatusFlags.NoError && s.Status != X509ChainStatusFlags.UntrustedRoot).ToList();
            statuses = bad;
            if (bad.Count > 0) return false;
            X509Certificate2 root = chain.ChainElements[chain.ChainElements.Count - 1].Certificate;
            bool trusted = _policy.TrustedRootCertificates!.Cast<X509Certificate2>()
                .Any(t => string.Equals(t.Thumbprint, root.Thumbprint, StringComparison.OrdinalIgnoreCase));
            if (!trusted)
                statuses = new[] { new X509ChainStatus { Status = X509ChainStatusFlags.UntrustedRoot, StatusInformation = "The chain's " +
                    "root isn't one of the trusted root certificates given." } };
            return trusted;
        }

        private void Describe(X509Certificate2 cert)
        {
            _info.Subject = cert.Subject;
            _info.Issuer = cert.Issuer;
            _info.NotBefore = cert.NotBefore.ToUniversalTime();
            _info.NotAfter = cert.NotAfter.ToUniversalTime();
            _info.Thumbprint = cert.Thumbprint;
            _info.SubjectAlternativeNames = SubjectAlternativeNames.Read(cert);
        }
    }

    /// <summary>Reads the subject alternative name extension (DNS names, IP addresses, e-mail names) with a tiny DER reader.</summary>
    internal static class SubjectAlternativeNames
    {
        public static string[] Read(X509Certificate2 cert)
        {
            X509Extension? ext = cert.Extensions.Cast<X509Extension>().FirstOrDefault(e => e.Oid?.Value == "2.5.29.17");
            if (ext == null) return Array.Empty<string>();
            try
            {
                return Parse(ext.RawData);
            }
            catch (FormatException)
            {
                return Array.Empty<string>();
            }
        }

        internal static string[] Parse(byte[] der)
        {
            var names = new List<string>();
            int pos = 0;
            if (ReadTag(der, ref pos) != 0x30) throw new FormatException();
            int seqLen = ReadLength(der, ref pos);
            int end = pos + seqLen;
            if (end > der.Length) throw new FormatException();
            while (pos < end)
            {
                int tag = ReadTag(der, ref pos);
                int len = ReadLength(der, ref pos);
                if (pos + len > end) throw new FormatException();
                switch (tag)
                {
                    case 0x81: names.Add("email:" + System.Text.Encoding.ASCII.GetString(der, pos, len)); break;
                    case 0x82: names.Add(System.Text.Encoding.ASCII.GetString(der, pos, len)); break;
                    case 0x87:
                        if (len == 4 || len == 16)
                        {
                            var bytes = new byte[len];
                            Buffer.BlockCopy(der, pos, bytes, 0, len);
                            names.Add(new IPAddress(bytes).ToString());
                        }
                        break;
                }
                pos += len;
            }
            return names.ToArray();
        }

        private static int ReadTag(byte[] der, ref int pos)
        {
            if (pos >= der.Length) throw new FormatException();
            return der[pos++];
        }

        private static int ReadLength(byte[] der, ref int pos)
        {
            if (pos >= der.Length) throw new FormatException();
            int b = der[pos++];
            if (b < 0x80) return b;
            int count = b & 0x7f;
            if (count == 0 || count > 3) throw new FormatException();
            int len = 0;
            for (int i = 0; i < count; i++)
            {
                if (pos >= der.Length) throw new FormatException();
                len = (len << 8) | der[pos++];
            }
            return len;
        }
    }
}
