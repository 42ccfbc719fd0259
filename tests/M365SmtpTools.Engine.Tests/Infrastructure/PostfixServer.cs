using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace M365SmtpTools.Engine.Tests.Infrastructure;

/// <summary>
/// The Postfix + Dovecot server of tests/interop/servers/postfix.sh: a submission port (STARTTLS required, AUTH PLAIN,
/// LOGIN, XOAUTH2, OAUTHBEARER) and a relay port (no AUTH, TLS optional, asks for a client certificate). Mail for
/// @contoso.test / @fabrikam.test is delivered to one Maildir per domain. Skips the test when the server isn't running.
/// </summary>
public sealed class PostfixServer
{
    private PostfixServer(InteropServer env) => Env = env;

    /// <summary>The running server; skips the calling test (with the start command) when it isn't running.</summary>
    public static PostfixServer Require() => new(InteropServer.Require("postfix"));

    /// <summary>The raw env values.</summary>
    public InteropServer Env { get; }

    /// <summary>Always 127.0.0.1.</summary>
    public string Host => "127.0.0.1";

    /// <summary>The submission port: STARTTLS required, AUTH only after it, mail only when authenticated.</summary>
    public int SubmissionPort => Env.Port("SUBMISSION_PORT");

    /// <summary>The relay port: no AUTH, STARTTLS optional, mail for the test domains accepted from 127.0.0.0/8.</summary>
    public int RelayPort => Env.Port("RELAY_PORT");

    /// <summary>Dovecot's auth service (Postfix's SASL backend).</summary>
    public int DovecotAuthPort => Env.Port("DOVECOT_AUTH_PORT");

    /// <summary>The test domain (contoso.test).</summary>
    public string Domain => Env["DOMAIN"];

    /// <summary>The second accepted domain (fabrikam.test).</summary>
    public string SecondDomain => Env["SECOND_DOMAIN"];

    /// <summary>The mailbox that can authenticate (alice@contoso.test), with <see cref="Password"/> or a JWT.</summary>
    public string User => Env["USER"];

    /// <summary><see cref="User"/>'s password (random per start).</summary>
    public string Password => Env["PASSWORD"];

    /// <summary>A second user with the same password (bob@fabrikam.test).</summary>
    public string SecondUser => Env["SECOND_USER"];

    /// <summary>The HS256 key Dovecot validates JWTs with.</summary>
    public byte[] JwtKey => Convert.FromBase64String(Env["JWT_HS256_KEY_BASE64"]);

    /// <summary>The Maildir root: &lt;base&gt;/&lt;domain&gt;/{new,cur,tmp}.</summary>
    public string MaildirBase => Env["MAILDIR_BASE"];

    /// <summary>Postfix's log file.</summary>
    public string MaillogPath => Env["MAILLOG"];

    /// <summary>Dovecot's log file (why a token was refused).</summary>
    public string DovecotLogPath => Env["DOVECOT_LOG"];

    /// <summary>The server's self-signed certificate (trust it as the only root to validate the server).</summary>
    public string CaCertPath => Env["CA_CERT"];

    /// <summary>The server certificate, loaded.</summary>
    public X509Certificate2 CaCertificate => X509CertificateLoader.LoadCertificateFromFile(CaCertPath);

    /// <summary>Local parts starting with this are unknown users (RCPT gets 550 5.1.1).</summary>
    public string UnknownLocalPartPrefix => Env["UNKNOWN_LOCALPART_PREFIX"];

    /// <summary>A fresh recipient address in <paramref name="domain"/> (default <see cref="Domain"/>),
    /// unique per call, so parallel tests don't see each other's mail.</summary>
    public string NewRecipient(string prefix = "rcpt", string? domain = null) =>
        $"{prefix}-{Guid.NewGuid().ToString("N")[..12]}@{domain ?? Domain}";

    /// <summary>
    /// An HS256 JWT that Dovecot's oauth2 passdb accepts for <paramref name="upn"/>: claims sub, upn, iat, nbf, exp.
    /// A negative <paramref name="expiresIn"/> makes an expired token; another <paramref name="key"/> makes a token
    /// with a bad signature. <paramref name="extraClaims"/> are added (or override) as given.
    /// </summary>
    public string MintJwt(string upn, TimeSpan expiresIn, byte[]? key = null, IReadOnlyDictionary<string, object>? extraClaims = null)
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        long issued = expiresIn < TimeSpan.Zero ? now + (long)expiresIn.TotalSeconds - 600 : now - 30;
        var claims = new Dictionary<string, object>
        {
            ["sub"] = "m365smtp-test-" + upn,
            ["upn"] = upn,
            ["iat"] = issued,
            ["nbf"] = issued,
            ["exp"] = now + (long)expiresIn.TotalSeconds,
        };
        if (extraClaims != null)
            foreach (var kv in extraClaims) claims[kv.Key] = kv.Value;
        return SignHs256(claims, key ?? JwtKey);
    }

    /// <summary>Signs <paramref name="claims"/> as an HS256 JWT (header {"alg":"HS256","typ":"JWT"}).</summary>
    public static string SignHs256(IReadOnlyDictionary<string, object> claims, byte[] key)
    {
        string header =
            Base64Url(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["alg"] = "HS256", ["typ"] = "JWT" }));
        string payload = Base64Url(JsonSerializer.SerializeToUtf8Bytes(claims));
        string signingInput = header + "." + payload;
        byte[] signature = HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(signingInput));
        return signingInput + "." + Base64Url(signature);
    }

    private static string Base64Url(byte[] data) => Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>
    /// Waits until <paramref name="count"/> message(s) for <paramref name="address"/> are in its domain's Maildir and
    /// returns their paths (each file starts with the Delivered-To line virtual(8) adds). Fails the test with the
    /// maillog tail when they don't arrive within <paramref name="timeout"/>.
    /// </summary>
    public IReadOnlyList<string> WaitForDelivery(string address, TimeSpan timeout, int count = 1)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            IReadOnlyList<string> found = FindDelivered(address);
            if (found.Count >= count) return found;
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"{count} message(s) for {address} were not delivered within {timeout} (found {found.Count}). " +
                    $"Maillog tail:\n{MaillogTail(30)}");
            Thread.Sleep(100);
        }
    }

    /// <summary>The Maildir files delivered to <paramref name="address"/> so far (matched on Delivered-To), oldest first.</summary>
    public IReadOnlyList<string> FindDelivered(string address)
    {
        int at = address.LastIndexOf('@');
        string domain = address[(at + 1)..].ToLowerInvariant();
        var files = new List<string>();
        foreach (string sub in new[] { "new", "cur" })
        {
            string dir = Path.Combine(MaildirBase, domain, sub);
            if (!Directory.Exists(dir)) continue;
            foreach (string f in Directory.EnumerateFiles(dir))
                if (string.Equals(DeliveredTo(f), address, StringComparison.OrdinalIgnoreCase)) files.Add(f);
        }
        return files.OrderBy(File.GetLastWriteTimeUtc).ToList();
    }

    private static string? DeliveredTo(string file)
    {
        try
        {
            using var reader =
                new StreamReader(new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
            for (int i = 0; i < 20; i++)
            {
                string? line = reader.ReadLine();
                if (string.IsNullOrEmpty(line)) return null;
                if (line.StartsWith("Delivered-To:", StringComparison.OrdinalIgnoreCase)) return line["Delivered-To:".Length..].Trim();
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return null;
    }

    /// <summary>The whole Postfix maillog.</summary>
    public string ReadMaillog() => ReadShared(MaillogPath);

    /// <summary>The whole Dovecot log.</summary>
    public string ReadDovecotLog() => ReadShared(DovecotLogPath);

    /// <summary>The last <paramref name="lines"/> lines of the maillog.</summary>
    public string MaillogTail(int lines) => string.Join('\n', ReadMaillog().Split('\n').TakeLast(lines));

    internal static string ReadShared(string path)
    {
        if (!File.Exists(path)) return "";
        using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
        return reader.ReadToEnd();
    }
}
