using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;
using M365SmtpTools.Engine.Auth;
using M365SmtpTools.Engine.Operations;
using M365SmtpTools.Engine.Smtp;
using M365SmtpTools.Engine.Tests.Operations.TestSmtpAuth;
using M365SmtpTools.Engine.Tests.Infrastructure;
using M365SmtpTools.Engine.Tests.Operations.SendMail;

namespace M365SmtpTools.Engine.Tests.Interop;

/// <summary>
/// The engine's send (SendMailOperation: Send-M365Mail and m365smtp send) and staged test (TestSmtpAuthOperation:
/// Test-M365SmtpAuth) against servers not written here besides Postfix: Exim and OpenSMTPD of
/// tests/interop/servers/exim.sh and opensmtpd.sh, submission with STARTTLS + AUTH PLAIN. They differ where it matters:
/// Exim offers CHUNKING and SMTPUTF8, OpenSMTPD neither (nor PIPELINING), so the engine must fall back to DATA there and
/// refuse, before sending anything, a message that needs SMTPUTF8.
/// </summary>
public sealed class IndependentSubmissionServerTests
{
    private static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(30);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> Servers => new() { "exim", "opensmtpd" };

    private static SendMailOperationSettings Settings(MaildirSubmissionServer s) => new()
    {
        Clock = new FakeClock(),
        Registry = new SmtpConnectionRegistry(),
        DnsResolverFactory = (_, _) => new TableDns(),
        ConfigureConnection = o =>
        {
            o.TlsPolicy.ServerName = "localhost";
            o.TlsPolicy.TrustedRootCertificates = new X509Certificate2Collection(s.CaCertificate);
            o.LocalDomain = "client.contoso.test";
        },
    };

    private static SendMailRequest Request(MaildirSubmissionServer s, string to, string transcript) => new()
    {
        SmtpServer = "localhost",
        Port = s.SubmissionPort,
        Credential = new System.Net.NetworkCredential(s.User, s.Password),
        Message = new() { To = new[] { to } },
        TranscriptPath = transcript,
    };

    private static string TempFile(string name) => Path.Combine(Directory.CreateTempSubdirectory("m365smtp-interop-").FullName, name);

    // The client's lines of a transcript file ("<time> C <Phase>: <command>"): which commands went on the wire.
    private static string[] ClientCommands(string transcriptPath) =>
        File.ReadAllLines(transcriptPath).Select(l => Regex.Match(l, @"^\S+ C \w+: (.*)$")).Where(m => m.Success)
            .Select(m => m.Groups[1].Value).ToArray();

    [Theory]
    [MemberData(nameof(Servers))]
    public async Task Ehlo_after_STARTTLS_offers_AUTH_PLAIN_and_the_extensions_the_env_file_states(string name)
    {
        MaildirSubmissionServer s = MaildirSubmissionServer.Require(name);
        (RawSmtpSession raw, RawSmtpReply greeting) = await RawSmtpSession.OpenAsync(s.SubmissionPort);
        await using var session = raw;
        Assert.Equal(220, greeting.Code);
        RawSmtpReply before = await raw.EhloAsync();
        Assert.True(RawSmtpSession.Offers(before, "STARTTLS"), before.ToString());
        Assert.Empty(RawSmtpSession.AuthMechanisms(before)); // no AUTH in clear text
        await raw.StartTlsAsync(s.CaCertificate);
        RawSmtpReply ehlo = await raw.EhloAsync();
        Assert.Contains("PLAIN", RawSmtpSession.AuthMechanisms(ehlo));
        Assert.Equal(s.OffersChunking, RawSmtpSession.Offers(ehlo, "CHUNKING"));
        Assert.Equal(s.Offers8BitMime, RawSmtpSession.Offers(ehlo, "8BITMIME"));
        Assert.Equal(s.OffersSmtpUtf8, RawSmtpSession.Offers(ehlo, "SMTPUTF8"));
        Assert.Equal(235, (await raw.AuthPlainAsync(s.User, s.Password)).Code);
    }

    [Theory]
    [MemberData(nameof(Servers))]
    public async Task Send_with_PLAIN_over_STARTTLS_delivers_text_and_attachment_intact_with_BDAT_only_where_CHUNKING_is_offered(
        string name)
    {
        MaildirSubmissionServer s = MaildirSubmissionServer.Require(name);
        string to = s.NewRecipient("send-" + name);
        string transcript = TempFile("transcript.log");
        string attachment = TempFile("data.bin");
        byte[] bytes = RandomNumberGenerator.GetBytes(150_000);
        await File.WriteAllBytesAsync(attachment, bytes, Ct);
        SendMailRequest request = Request(s, to, transcript);
        request.Message.Subject = "Grüße from the engine to " + name;
        request.Message.Body = "Grüße aus der Testwelt\r\n.a line that starts with a dot\r\n..and two\r\n";
        request.Message.Attachment = new[] { attachment };
        var host = new RecordingHost();

        SendMailResult r = await new SendMailOperation(Settings(s)).RunForResultAsync(request, host, Ct);

        Assert.True(r.Status == SendMailStatus.Sent, $"{r.ErrorId}: {r.ErrorMessage}");
        Assert.Equal(s.User, r.From);
        string file = s.WaitForDelivery(to, DeliveryTimeout);
        ParsedMessage parsed = PythonMime.ParseFile(file);
        Assert.Empty(parsed.Defects);
        Assert.Equal(request.Message.Subject, parsed.Subject);
        ParsedMimePart text = Assert.Single(parsed.Leaves(), p => p.ContentType == "text/plain");
        Assert.Equal(request.Message.Body.Replace("\r\n", "\n"), text.Text!.Replace("\r\n", "\n"));
        ParsedMimePart att = Assert.Single(parsed.Leaves(), p => p.Filename == "data.bin");
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), att.Sha256);
        // The server's own Received line says TLS and AUTH ("esmtpsa" in Exim's words, "ESMTPSA" in OpenSMTPD's).
        Assert.Contains("with ESMTPSA", File.ReadAllText(file), StringComparison.OrdinalIgnoreCase);

        string[] sent = ClientCommands(transcript);
        Assert.Contains(sent, c => c.StartsWith("AUTH PLAIN", StringComparison.Ordinal));
        if (s.OffersChunking)
        {
            Assert.Contains(sent, c => c.StartsWith("BDAT ", StringComparison.Ordinal) && c.EndsWith(" LAST", StringComparison.Ordinal));
            Assert.DoesNotContain("DATA", sent);
        }
        else
        {
            Assert.Contains("DATA", sent);
            Assert.DoesNotContain(sent, c => c.StartsWith("BDAT", StringComparison.Ordinal));
        }
        Assert.DoesNotContain(host.AllText(), t => t.Contains(s.Password));
        Assert.DoesNotContain(s.Password, File.ReadAllText(transcript));
    }

    [Theory]
    [MemberData(nameof(Servers))]
    public async Task An_internationalized_address_is_delivered_with_SMTPUTF8_or_refused_before_MAIL_FROM_when_it_is_not_offered(
        string name)
    {
        MaildirSubmissionServer s = MaildirSubmissionServer.Require(name);
        string to = s.NewRecipient("jörg-" + name);
        string transcript = TempFile("transcript.log");
        SendMailRequest request = Request(s, to, transcript);
        request.Message.Subject = "SMTPUTF8 to " + name;
        request.Message.Body = "internationalized recipient\r\n";

        SendMailResult r = await new SendMailOperation(Settings(s)).RunForResultAsync(request, new RecordingHost(), Ct);

        string[] sent = ClientCommands(transcript);
        if (s.OffersSmtpUtf8)
        {
            Assert.True(r.Status == SendMailStatus.Sent, $"{r.ErrorId}: {r.ErrorMessage}");
            Assert.Contains(sent, c => c.StartsWith("MAIL FROM:", StringComparison.Ordinal)
                && c.Contains(" SMTPUTF8", StringComparison.Ordinal));
            ParsedMessage parsed = PythonMime.ParseFile(s.WaitForDelivery(to, DeliveryTimeout));
            Assert.Equal(to, Assert.Single(parsed.To!).AddrSpec);
        }
        else
        {
            Assert.Equal(SendMailStatus.Failed, r.Status);
            Assert.Equal("SmtpUtf8Required", r.ErrorId);
            Assert.DoesNotContain(sent, c => c.StartsWith("MAIL FROM:", StringComparison.Ordinal));
            await Task.Delay(500, Ct);
            Assert.Empty(s.FindDelivered(to));
        }
    }

    [Theory]
    [MemberData(nameof(Servers))]
    public async Task An_ascii_message_with_a_non_ascii_subject_uses_encoded_words_and_8bit_text_on_either_server(string name)
    {
        MaildirSubmissionServer s = MaildirSubmissionServer.Require(name);
        string to = s.NewRecipient("eightbit-" + name);
        string transcript = TempFile("transcript.log");
        SendMailRequest request = Request(s, to, transcript);
        request.Message.Subject = "Größe: ünïcödé";
        request.Message.Body = "Straße, café, naïve\r\n";

        SendMailResult r = await new SendMailOperation(Settings(s)).RunForResultAsync(request, new RecordingHost(), Ct);

        Assert.True(r.Status == SendMailStatus.Sent, $"{r.ErrorId}: {r.ErrorMessage}");
        string file = s.WaitForDelivery(to, DeliveryTimeout);
        string raw = Encoding.UTF8.GetString(await File.ReadAllBytesAsync(file, Ct));
        string headers = raw.Replace("\r\n", "\n")[..raw.Replace("\r\n", "\n").IndexOf("\n\n", StringComparison.Ordinal)];
        Assert.Contains("Subject: =?utf-8?", headers, StringComparison.OrdinalIgnoreCase); // 7-bit header: no address needed SMTPUTF8
        Assert.DoesNotContain("Größe", headers);
        ParsedMessage parsed = PythonMime.ParseFile(file);
        Assert.Equal(request.Message.Subject, parsed.Subject);
        ParsedMimePart text = Assert.Single(parsed.Leaves());
        Assert.Equal(request.Message.Body.Replace("\r\n", "\n"), text.Text!.Replace("\r\n", "\n"));
        string[] sent = ClientCommands(transcript);
        string mailFrom = Assert.Single(sent, c => c.StartsWith("MAIL FROM:", StringComparison.Ordinal));
        Assert.DoesNotContain("SMTPUTF8", mailFrom);
        if (s.Offers8BitMime)
        {
            Assert.Contains("BODY=8BITMIME", mailFrom);
            Assert.Equal("8bit", text.ContentTransferEncoding);
        }
    }

    [Theory]
    [MemberData(nameof(Servers))]
    public async Task Staged_test_with_PLAIN_passes_every_stage_and_its_test_message_is_delivered(string name)
    {
        MaildirSubmissionServer s = MaildirSubmissionServer.Require(name);
        string to = s.NewRecipient("staged-" + name);
        var request = new TestSmtpAuthRequest
        {
            SmtpServer = s.Host, Port = s.SubmissionPort, TimeoutSeconds = 15,
            Credential = new System.Net.NetworkCredential(s.User, s.Password), Mechanism = SmtpAuthMechanism.Plain,
            To = new[] { to }, SendTestMessage = true, Transcript = true,
        };

        SmtpAuthTestReport report = await Diag.Op(s.CaCertificate).RunAsync(request);

        Assert.True(report.FailedStage == null, report.ToText());
        // The scripts make certificates valid for a week: CertificateExpiresSoon is a true finding there.
        Assert.True(report.Findings.All(f => f.Id == "CertificateExpiresSoon"), report.ToText());
        Assert.Equal("PLAIN", report.Mechanism);
        Assert.StartsWith("235", report.Stage(SmtpTestStage.Auth).Detail);
        string delivered = File.ReadAllText(s.WaitForDelivery(to, DeliveryTimeout));
        Assert.Contains("Subject: M365SmtpTools test message", delivered);
        Assert.DoesNotContain(s.Password, string.Join("\n", report.Transcript!) + report.ToText());
    }

    [Theory]
    [MemberData(nameof(Servers))]
    public async Task Staged_test_with_a_wrong_password_fails_at_AUTH_with_the_servers_535(string name)
    {
        MaildirSubmissionServer s = MaildirSubmissionServer.Require(name);
        var request = new TestSmtpAuthRequest
        {
            SmtpServer = s.Host, Port = s.SubmissionPort, TimeoutSeconds = 15,
            Credential = new System.Net.NetworkCredential(s.User, s.Password + "x"), Mechanism = SmtpAuthMechanism.Plain,
        };

        SmtpAuthTestReport report = await Diag.Op(s.CaCertificate).RunAsync(request);

        Assert.Equal(SmtpTestOutcome.Failed, report.Overall);
        Assert.Equal(SmtpTestStage.Auth, report.FailedStage);
        Assert.StartsWith("535", report.Stage(SmtpTestStage.Auth).Detail);
    }
}
