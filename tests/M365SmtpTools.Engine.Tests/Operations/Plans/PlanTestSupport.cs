using System.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using M365SmtpTools.Engine.Dns;
using M365SmtpTools.Engine.Exchange;
using M365SmtpTools.Engine.Tests.Infrastructure;

namespace M365SmtpTools.Engine.Tests.Operations.Plans;

/// <summary>A DNS lookup that answers from dictionaries, or throws what it is told to, and records the questions.</summary>
public sealed class FakeMailDomainLookup : IMailDomainLookup
{
    public Dictionary<string, string[]> Txt { get; } = new(StringComparer.OrdinalIgnoreCase);
    public Dictionary<string, (string Host, int Preference)[]> Mx { get; } = new(StringComparer.OrdinalIgnoreCase);
    public M365SmtpException? TxtError { get; set; }
    public M365SmtpException? MxError { get; set; }
    public List<string> Questions { get; } = new();

    public Task<IReadOnlyList<string>> GetTxtRecordsAsync(string name, CancellationToken cancellationToken)
    {
        Questions.Add("TXT " + name);
        if (TxtError != null) throw TxtError;
        return Task.FromResult<IReadOnlyList<string>>(Txt.TryGetValue(name, out var v) ? v : Array.Empty<string>());
    }

    public Task<IReadOnlyList<(string Host, int Preference)>> GetMxAsync(string domain, CancellationToken cancellationToken)
    {
        Questions.Add("MX " + domain);
        if (MxError != null) throw MxError;
        return Task.FromResult<IReadOnlyList<(string Host, int Preference)>>(
            Mx.TryGetValue(domain, out var v) ? v : Array.Empty<(string, int)>());
    }

    /// <summary>contoso.com with a Microsoft 365 MX and the given SPF record (null: no TXT at all).</summary>
    public static FakeMailDomainLookup Contoso(string? spf = "v=spf1 include:spf.protection.outlook.com -all")
    {
        var fake = new FakeMailDomainLookup();
        fake.Mx["contoso.com"] = new[] { ("contoso-com.mail.protection.outlook.com", 0) };
        fake.Txt["contoso.com"] = spf == null ? new[] { "MS=ms12345678" } : new[] { "MS=ms12345678", spf };
        return fake;
    }
}

/// <summary>Certificates made in the tests with CertificateRequest.</summary>
public static class TestCertificates
{
    public static readonly DateTimeOffset Now = new FakeClock().UtcNow;

    public static X509Certificate2 Make(string subject, string[]? dnsNames = null, DateTimeOffset? notBefore = null,
        DateTimeOffset? notAfter = null, string[]? eku = null, X509KeyUsageFlags? keyUsage = null, X509Certificate2? issuer = null)
    {
        using RSA rsa = RSA.Create(2048);
        var request = new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        if (dnsNames != null)
        {
            var san = new SubjectAlternativeNameBuilder();
            foreach (string n in dnsNames) san.AddDnsName(n);
            request.CertificateExtensions.Add(san.Build());
        }
        if (eku != null)
        {
            var oids = new OidCollection();
            foreach (string o in eku) oids.Add(new Oid(o));
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(oids, false));
        }
        if (keyUsage != null) request.CertificateExtensions.Add(new X509KeyUsageExtension(keyUsage.Value, true));
        DateTimeOffset nb = notBefore ?? Now.AddDays(-10), na = notAfter ?? Now.AddDays(365);
        if (issuer == null) return request.CreateSelfSigned(nb, na);
        using X509Certificate2 pub = request.Create(issuer, nb, na, new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 });
        return pub.CopyWithPrivateKey(rsa);
    }

    /// <summary>A CA certificate that issues the "publicly issued" test certificates (so they aren't self-signed).</summary>
    public static X509Certificate2 Ca { get; } = MakeCa();

    private static X509Certificate2 MakeCa()
    {
        using RSA rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=Test Public CA, O=Tests", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return request.CreateSelfSigned(Now.AddYears(-3), Now.AddYears(5));
    }

    public static readonly string[] ClientAndServer = { CertificateInspector.ServerAuthOid, CertificateInspector.ClientAuthOid };

    /// <summary>A CA-issued client+server certificate with the given names: the good case.</summary>
    public static X509Certificate2 Good(string cn = "contoso.com", params string[] san) =>
        Make("CN=" + cn + ", O=Contoso", san.Length == 0 ? new[] { cn } : san, eku: ClientAndServer,
            keyUsage: X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, issuer: Ca);

    public static X509Certificate2 PublicOnly(X509Certificate2 cert) =>
        X509CertificateLoader.LoadCertificate(cert.Export(X509ContentType.Cert));

    public static SecureString Secure(string s)
    {
        var ss = new SecureString();
        foreach (char c in s) ss.AppendChar(c);
        ss.MakeReadOnly();
        return ss;
    }
}

/// <summary>Where generated scripts go, for the CI's pscheck runs (tests/generated/plans).</summary>
public static class GeneratedScripts
{
    public static string Dir { get; } = Directory.CreateDirectory(Path.Combine(TestPaths.RepoRoot, "tests", "generated", "plans")).FullName;
    private static readonly HashSet<string> Cleaned = new();

    /// <summary>
    /// Where a test writes its script. The previous test run's copy is removed the first time a name is asked for in this
    /// run (plans never replace a file without Force); later calls return the same path untouched.
    /// </summary>
    public static string PathFor(string name)
    {
        string path = Path.Combine(Dir, name + ".ps1");
        lock (Cleaned)
            if (Cleaned.Add(name)) File.Delete(path);
        return path;
    }
}
