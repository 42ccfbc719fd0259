using System.Security.Cryptography.X509Certificates;
using System.Text;
using M365SmtpTools.Engine.Mime;
using M365SmtpTools.Engine.Smtp;

namespace M365SmtpTools.Bench;

/// <summary>The benchmark messages (the same shapes the Python and swaks contenders send) and the connect options.</summary>
public static class Messages
{
    /// <summary>About 2 KB of plain ASCII text in 72-character lines.</summary>
    public static string TextBody2Kb()
    {
        var sb = new StringBuilder();
        int i = 0;
        while (sb.Length < 2048)
            sb.Append("Line ").Append((i++).ToString("D3")).Append(": the quick brown fox jumps over the lazy dog, 0123456789.\r\n");
        return sb.ToString();
    }

    /// <summary>An HTML body of about 2 KB.</summary>
    public static string HtmlBody()
    {
        var sb = new StringBuilder("<html><body><h1>Report</h1><table>");
        for (int i = 0; sb.Length < 2000; i++) sb.Append("<tr><td>row ").Append(i).Append("</td><td>value</td></tr>\r\n");
        return sb.Append("</table></body></html>\r\n").ToString();
    }

    /// <summary>A file of random bytes (created once, reused).</summary>
    public static string EnsureRandomFile(string path, long bytes)
    {
        if (File.Exists(path) && new FileInfo(path).Length == bytes) return path;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var rng = new Random(20260101);
        byte[] buffer = new byte[1 << 20];
        using var fs = new FileStream(path, FileMode.Create, FileAccess.Write);
        for (long left = bytes; left > 0;)
        {
            int n = (int)Math.Min(buffer.Length, left);
            rng.NextBytes(buffer);
            fs.Write(buffer, 0, n);
            left -= n;
        }
        return path;
    }

    public static MimeMessage Text(string from, string to, int i, string body)
    {
        var b = new MessageBuilder { From = EmailAddress.Parse(from), Subject = "bench text " + i, TextBody = body };
        b.To.Add(EmailAddress.Parse(to));
        return b.Build();
    }

    public static MimeMessage HtmlWithAttachment(string from, string to, int i, string html, string attachmentPath)
    {
        var b = new MessageBuilder { From = EmailAddress.Parse(from), Subject = "bench html " + i, HtmlBody = html };
        b.To.Add(EmailAddress.Parse(to));
        b.Attachments.Add(MimeAttachment.FromFile(attachmentPath, "report.bin", "application/octet-stream"));
        return b.Build();
    }

    public static SmtpEnvelope Envelope(MimeMessage m) =>
        new(m.EnvelopeSender.EnvelopeAddress, m.EnvelopeRecipients.Select(r => r.EnvelopeAddress));

    /// <summary>STARTTLS required, validating the server against <paramref name="caPath"/> as the only trusted root.</summary>
    public static SmtpConnectOptions Options(string caPath, SmtpTlsMode mode = SmtpTlsMode.StartTlsRequired) => new()
    {
        TlsMode = mode,
        TlsPolicy = new TlsPolicy
        {
            ServerName = "localhost",
            TrustedRootCertificates = new X509Certificate2Collection(X509CertificateLoader.LoadCertificateFromFile(caPath)),
        },
        LocalDomain = "bench.contoso.test",
        CommandTimeout = TimeSpan.FromSeconds(60),
    };

    public static SmtpCredential Password(string user, string password) =>
        new(user, SmtpSecretKind.Password, _ => Task.FromResult(password));
}
