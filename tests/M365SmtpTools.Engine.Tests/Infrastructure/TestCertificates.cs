using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace M365SmtpTools.Engine.Tests.Infrastructure;

/// <summary>Certificates made in the test process: a CA, server certificates it signs, client certificates.</summary>
public static class TestCertificates
{
    private static readonly Lazy<X509Certificate2> SharedCa = new(() => CreateCa("M365SmtpTools Test CA"));

    /// <summary>One CA shared by the test run (creating RSA keys is slow).</summary>
    public static X509Certificate2 Ca => SharedCa.Value;

    /// <summary>An HTTP handler that trusts exactly <see cref="Ca"/> (for the loopback HTTPS doubles such as GraphDouble).</summary>
    public static HttpMessageHandler TrustingHttpHandler() => new SocketsHttpHandler
    {
        SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, cert, _, errors) =>
            {
                if (cert == null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != 0) return false;
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(Ca);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(new X509Certificate2(cert));
            },
        },
    };

    public static X509Certificate2 CreateCa(string name)
    {
        using RSA key = RSA.Create(2048);
        var req = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        req.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(req.PublicKey, false));
        using X509Certificate2 ca = req.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-365), DateTimeOffset.UtcNow.AddYears(5));
        return Reload(ca);
    }

    /// <summary>A server certificate for <paramref name="dnsNames"/> (and 127.0.0.1),
    /// signed by <paramref name="ca"/> (default: <see cref="Ca"/>).</summary>
    public static X509Certificate2 CreateServer(string[] dnsNames, X509Certificate2? ca = null, DateTimeOffset? notBefore = null,
        DateTimeOffset? notAfter = null, bool includeLoopbackIp = true)
    {
        ca ??= Ca;
        using RSA key = RSA.Create(2048);
        var req = new CertificateRequest($"CN={dnsNames[0]}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        foreach (string n in dnsNames) san.AddDnsName(n);
        if (includeLoopbackIp) san.AddIpAddress(IPAddress.Loopback);
        req.CertificateExtensions.Add(san.Build());
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        req.CertificateExtensions.Add(
            new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new Oid("1.3.6.1.5.5.7.3.1") }, false));
        DateTimeOffset from = notBefore ?? DateTimeOffset.UtcNow.AddDays(-1);
        DateTimeOffset to = notAfter ?? DateTimeOffset.UtcNow.AddYears(1);
        using X509Certificate2 signed = req.Create(ca, from, to, RandomSerial());
        using X509Certificate2 withKey = signed.CopyWithPrivateKey(key);
        return Reload(withKey);
    }

    /// <summary>A client certificate (for certificate-based relay connectors) with <paramref name="subjectName"/> as CN and SAN.</summary>
    public static X509Certificate2 CreateClient(string subjectName, X509Certificate2? ca = null)
    {
        ca ??= Ca;
        using RSA key = RSA.Create(2048);
        var req = new CertificateRequest($"CN={subjectName}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(subjectName);
        req.CertificateExtensions.Add(san.Build());
        req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new Oid("1.3.6.1.5.5.7.3.2") }, false));
        using X509Certificate2 signed =
            req.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1), RandomSerial());
        using X509Certificate2 withKey = signed.CopyWithPrivateKey(key);
        return Reload(withKey);
    }

    private static byte[] RandomSerial() => RandomNumberGenerator.GetBytes(12);

    // A PFX round trip gives a certificate whose key SslStream can use on every platform.
    private static X509Certificate2 Reload(X509Certificate2 cert) =>
        X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pfx), null, X509KeyStorageFlags.Exportable);
}
