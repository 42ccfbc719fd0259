using System.Security.Cryptography.X509Certificates;

namespace M365SmtpTools.Engine.Tests.Infrastructure;

/// <summary>
/// A submission server of tests/interop/servers that delivers to Maildirs (exim.sh, opensmtpd.sh): one port with
/// STARTTLS and AUTH PLAIN/LOGIN after it, a self-signed certificate, <c>&lt;MAILDIR_BASE&gt;/&lt;domain&gt;/new</c> with a
/// Delivered-To header in each file, and the extensions it offers (OFFERS_CHUNKING, OFFERS_8BITMIME, OFFERS_SMTPUTF8).
/// </summary>
public sealed class MaildirSubmissionServer
{
    private MaildirSubmissionServer(InteropServer env) => Env = env;

    /// <summary>The running server (exim or opensmtpd); skips the calling test, with the start command, when it isn't running.</summary>
    public static MaildirSubmissionServer Require(string name) => new(InteropServer.Require(name));

    /// <summary>The raw env values.</summary>
    public InteropServer Env { get; }

    /// <summary>The script's name.</summary>
    public string Name => Env.Name;

    /// <summary>Always 127.0.0.1.</summary>
    public string Host => Env["HOST"];

    /// <summary>STARTTLS offered, AUTH only after it, mail only when authenticated.</summary>
    public int SubmissionPort => Env.Port("SUBMISSION_PORT");

    /// <summary>contoso.test.</summary>
    public string Domain => Env["DOMAIN"];

    /// <summary>alice@contoso.test.</summary>
    public string User => Env["USER"];

    /// <summary><see cref="User"/>'s password (random per start).</summary>
    public string Password => Env["PASSWORD"];

    /// <summary>The server's self-signed certificate, loaded.</summary>
    public X509Certificate2 CaCertificate => X509CertificateLoader.LoadCertificateFromFile(Env["CA_CERT"]);

    /// <summary>Whether the server offers CHUNKING (BDAT).</summary>
    public bool OffersChunking => Env["OFFERS_CHUNKING"] == "1";

    /// <summary>Whether the server offers 8BITMIME.</summary>
    public bool Offers8BitMime => Env["OFFERS_8BITMIME"] == "1";

    /// <summary>Whether the server offers SMTPUTF8.</summary>
    public bool OffersSmtpUtf8 => Env["OFFERS_SMTPUTF8"] == "1";

    /// <summary>The server's own log (Exim's mainlog, smtpd's stderr).</summary>
    public string ReadLog() => PostfixServer.ReadShared(Env["MAILLOG"]);

    /// <summary>A fresh recipient in <see cref="Domain"/>, unique per call.</summary>
    public string NewRecipient(string prefix = "rcpt") => $"{prefix}-{Guid.NewGuid().ToString("N")[..12]}@{Domain}";

    /// <summary>Waits until a message for <paramref name="address"/> is in its
    /// Maildir; fails with the log's tail when none arrives in time.</summary>
    public string WaitForDelivery(string address, TimeSpan timeout)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            IReadOnlyList<string> found = FindDelivered(address);
            if (found.Count > 0) return Assert.Single(found);
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"No message for {address} reached {Name}'s Maildir within {timeout}. " +
                    $"Log tail:\n{string.Join('\n', ReadLog().Split('\n').TakeLast(30))}");
            Thread.Sleep(100);
        }
    }

    /// <summary>The Maildir files whose Delivered-To header is <paramref name="address"/>.</summary>
    public IReadOnlyList<string> FindDelivered(string address)
    {
        string domain = address[(address.LastIndexOf('@') + 1)..].ToLowerInvariant();
        var files = new List<string>();
        foreach (string sub in new[] { "new", "cur" })
        {
            string dir = Path.Combine(Env["MAILDIR_BASE"], domain, sub);
            if (!Directory.Exists(dir)) continue;
            foreach (string f in Directory.EnumerateFiles(dir))
                if (string.Equals(DeliveredTo(f), address, StringComparison.OrdinalIgnoreCase)) files.Add(f);
        }
        return files;
    }

    // Exim adds its headers_add at the end of the header section, OpenSMTPD's mail.maildir at the top: read them all.
    private static string? DeliveredTo(string file)
    {
        try
        {
            using var reader =
                new StreamReader(new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
            string? line;
            while (!string.IsNullOrEmpty(line = reader.ReadLine()))
                if (line.StartsWith("Delivered-To:", StringComparison.OrdinalIgnoreCase)) return line["Delivered-To:".Length..].Trim();
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return null;
    }
}
