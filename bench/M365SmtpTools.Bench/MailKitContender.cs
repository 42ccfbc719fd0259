using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace M365SmtpTools.Bench;

/// <summary>
/// MailKit/MimeKit 4.18.2 sending the same messages as the engine (bench only: the engine references neither). The
/// server certificate is checked the same way (the test CA as the only trusted root, name checked), AUTH PLAIN, the
/// attachment streamed from the file (MimeContent over a FileStream, as the engine's MimeAttachment.FromFile does).
/// </summary>
public static class MailKitContender
{
    /// <summary>Trusts <paramref name="caPath"/> as the only root, and requires the name to match.</summary>
    public static RemoteCertificateValidationCallback Validator(string caPath)
    {
        X509Certificate2 ca = X509CertificateLoader.LoadCertificateFromFile(caPath);
        return (_, certificate, _, errors) =>
        {
            if (certificate == null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0
                || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0) return false;
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
        };
    }

    public static async Task<SmtpClient> ConnectAsync(string host, int port, string caPath, string user, string password, bool tls = true)
    {
        var client = new SmtpClient { LocalDomain = "bench.contoso.test", Timeout = 60_000,
            ServerCertificateValidationCallback = Validator(caPath) };
        await client.ConnectAsync(host, port, tls ? SecureSocketOptions.StartTls : SecureSocketOptions.None);
        await client.AuthenticateAsync(new SaslMechanismPlain(user, password));
        return client;
    }

    public static MimeMessage Text(string from, string to, int i, string body)
    {
        var m = new MimeMessage();
        m.From.Add(MailboxAddress.Parse(from));
        m.To.Add(MailboxAddress.Parse(to));
        m.Subject = "bench text " + i;
        m.Body = new TextPart("plain") { Text = body };
        return m;
    }

    /// <summary>HTML body + one attachment streamed from <paramref name="path"/> (dispose the message's stream after sending:
    /// <see cref="DisposeContent"/>).</summary>
    public static MimeMessage HtmlWithAttachment(string from, string to, int i, string html, string path, string subject = "bench html ")
    {
        var m = new MimeMessage();
        m.From.Add(MailboxAddress.Parse(from));
        m.To.Add(MailboxAddress.Parse(to));
        m.Subject = subject + i;
        var attachment = new MimePart("application", "octet-stream")
        {
            Content = new MimeContent(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024,
                FileOptions.SequentialScan)),
            ContentDisposition = new ContentDisposition(ContentDisposition.Attachment),
            ContentTransferEncoding = ContentEncoding.Base64,
            FileName = "report.bin",
        };
        m.Body = new Multipart("mixed") { new TextPart("html") { Text = html }, attachment };
        return m;
    }

    public static void DisposeContent(MimeMessage m)
    {
        foreach (MimePart part in m.BodyParts.OfType<MimePart>())
            part.Content?.Stream?.Dispose();
    }
}
