using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using M365SmtpTools.Engine.Tests.Infrastructure;

namespace M365SmtpTools.Engine.Tests.Interop;

/// <summary>
/// Proves the Postfix + Dovecot server of tests/interop/servers/postfix.sh with a raw SMTP conversation (not the
/// project's client): submission with PLAIN/LOGIN/XOAUTH2/OAUTHBEARER, delivery to Maildir, the relay port and its
/// client-certificate logging, and a swaks cross-check.
/// </summary>
public sealed class PostfixServerTests
{
    private static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(30);

    private static async Task<RawSmtpSession> SubmissionAfterTlsAsync(PostfixServer pf)
    {
        (RawSmtpSession s, RawSmtpReply greeting) = await RawSmtpSession.OpenAsync(pf.SubmissionPort);
        Assert.Equal(220, greeting.Code);
        Assert.Equal(250, (await s.EhloAsync()).Code);
        await s.StartTlsAsync(pf.CaCertificate);
        RawSmtpReply ehlo = await s.EhloAsync();
        Assert.Equal(250, ehlo.Code);
        return s;
    }

    [Fact]
    public async Task Submission_OffersNoAuthBeforeStartTls_AndRefusesMail()
    {
        PostfixServer pf = PostfixServer.Require();
        (RawSmtpSession s, RawSmtpReply greeting) = await RawSmtpSession.OpenAsync(pf.SubmissionPort);
        await using var session = s;
        Assert.Equal(220, greeting.Code);
        RawSmtpReply ehlo = await s.EhloAsync();
        Assert.True(RawSmtpSession.Offers(ehlo, "STARTTLS"), ehlo.Text);
        Assert.Empty(RawSmtpSession.AuthMechanisms(ehlo));
        RawSmtpReply mail = await s.CommandAsync($"MAIL FROM:<{pf.User}>");
        Assert.Equal(530, mail.Code); // smtpd_tls_security_level=encrypt: "Must issue a STARTTLS command first"
    }

    [Fact]
    public async Task Submission_AfterStartTls_OffersTheFourMechanisms_WithTls12OrLater()
    {
        PostfixServer pf = PostfixServer.Require();
        (RawSmtpSession s, RawSmtpReply _) = await RawSmtpSession.OpenAsync(pf.SubmissionPort);
        await using var session = s;
        await s.EhloAsync();
        await s.StartTlsAsync(pf.CaCertificate);
        RawSmtpReply ehlo = await s.EhloAsync();
        Assert.Equal(["LOGIN", "OAUTHBEARER", "PLAIN", "XOAUTH2"], RawSmtpSession.AuthMechanisms(ehlo).Order().ToArray());
        Assert.True(s.Tls!.SslProtocol >= System.Security.Authentication.SslProtocols.Tls12, s.Tls.SslProtocol.ToString());
    }

    [Fact]
    public async Task Submission_TlsHandshakeLimitedToTls11_IsRefused()
    {
        PostfixServer pf = PostfixServer.Require();
        (RawSmtpSession s, RawSmtpReply _) = await RawSmtpSession.OpenAsync(pf.SubmissionPort);
        await using var session = s;
        await s.EhloAsync();
        Assert.Equal(220, (await s.CommandAsync("STARTTLS")).Code);
#pragma warning disable SYSLIB0039 // TLS 1.1 on purpose: the server must refuse it
        Exception e = await Assert.ThrowsAnyAsync<Exception>(() =>
            s.HandshakeAsync(pf.CaCertificate, protocols: System.Security.Authentication.SslProtocols.Tls11));
#pragma warning restore SYSLIB0039
        Assert.True(e is System.Security.Authentication.AuthenticationException or IOException, e.ToString());
    }

    [Fact]
    public async Task AuthPlain_RightPassword_235_WrongPassword_535()
    {
        PostfixServer pf = PostfixServer.Require();
        await using (RawSmtpSession s = await SubmissionAfterTlsAsync(pf))
        {
            RawSmtpReply ok = await s.AuthPlainAsync(pf.User, pf.Password);
            Assert.Equal(235, ok.Code);
            Assert.StartsWith("2.7.0", ok.Text);
        }
        await using (RawSmtpSession s = await SubmissionAfterTlsAsync(pf))
        {
            RawSmtpReply bad = await s.AuthPlainAsync(pf.User, pf.Password + "x");
            Assert.Equal(535, bad.Code);
            Assert.StartsWith("5.7.8", bad.Text);
        }
    }

    [Fact]
    public async Task AuthLogin_RightPassword_235()
    {
        PostfixServer pf = PostfixServer.Require();
        await using RawSmtpSession s = await SubmissionAfterTlsAsync(pf);
        Assert.Equal(235, (await s.AuthLoginAsync(pf.User, pf.Password)).Code);
    }

    [Fact]
    public async Task XOAuth2_MintedJwt_235()
    {
        PostfixServer pf = PostfixServer.Require();
        await using RawSmtpSession s = await SubmissionAfterTlsAsync(pf);
        string token = pf.MintJwt(pf.User, TimeSpan.FromMinutes(10));
        RawSmtpReply r = await s.AuthXOAuth2Async(pf.User, token);
        Assert.Equal(235, r.Code);
        Assert.Equal("2.7.0 Authentication successful", r.Text);
    }

    [Fact]
    public async Task OAuthBearer_MintedJwt_235()
    {
        PostfixServer pf = PostfixServer.Require();
        await using RawSmtpSession s = await SubmissionAfterTlsAsync(pf);
        RawSmtpReply r = await s.AuthOAuthBearerAsync(pf.User, pf.MintJwt(pf.User, TimeSpan.FromMinutes(10)));
        Assert.Equal(235, r.Code);
    }

    public static TheoryData<string> BadTokens => new() { "wrong-key", "expired", "other-user", "not-a-jwt" };

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task XOAuth2_BadToken_334Base64Json_ThenEmptyLine_535(string kind)
    {
        PostfixServer pf = PostfixServer.Require();
        await using RawSmtpSession s = await SubmissionAfterTlsAsync(pf);
        string token = kind switch
        {
            "wrong-key" => pf.MintJwt(pf.User, TimeSpan.FromMinutes(10), key: RandomNumberGenerator.GetBytes(32)),
            "expired" => pf.MintJwt(pf.User, TimeSpan.FromMinutes(-10)),
            "other-user" => pf.MintJwt(pf.SecondUser, TimeSpan.FromMinutes(10)), // upn claim != user= in the XOAUTH2 string
            _ => "this-is-not-a-jwt",
        };
        RawSmtpReply challenge = await s.AuthXOAuth2Async(pf.User, token);
        Assert.Equal(334, challenge.Code);
        using JsonDocument json = JsonDocument.Parse(Convert.FromBase64String(challenge.Text));
        Assert.Equal("401", json.RootElement.GetProperty("status").GetString());
        RawSmtpReply final = await s.CommandAsync("");
        Assert.Equal(535, final.Code);
    }

    [Fact]
    public async Task Submission_RcptWithoutAuth_IsRejected()
    {
        PostfixServer pf = PostfixServer.Require();
        await using RawSmtpSession s = await SubmissionAfterTlsAsync(pf);
        Assert.Equal(250, (await s.CommandAsync($"MAIL FROM:<{pf.User}>")).Code);
        RawSmtpReply rcpt = await s.CommandAsync($"RCPT TO:<{pf.NewRecipient()}>");
        Assert.Equal(554, rcpt.Code); // smtpd_recipient_restrictions=permit_sasl_authenticated,reject
    }

    [Fact]
    public async Task Submission_UnknownUser_550()
    {
        PostfixServer pf = PostfixServer.Require();
        await using RawSmtpSession s = await SubmissionAfterTlsAsync(pf);
        Assert.Equal(235, (await s.AuthPlainAsync(pf.User, pf.Password)).Code);
        Assert.Equal(250, (await s.CommandAsync($"MAIL FROM:<{pf.User}>")).Code);
        RawSmtpReply rcpt = await s.CommandAsync($"RCPT TO:<{pf.NewRecipient(pf.UnknownLocalPartPrefix + "x")}>");
        Assert.Equal(550, rcpt.Code);
        Assert.StartsWith("5.1.1", rcpt.Text);
    }

    [Fact]
    public async Task Submission_MessageLandsInMaildir_AndParses()
    {
        PostfixServer pf = PostfixServer.Require();
        string to = pf.NewRecipient("deliver");
        string cc = pf.NewRecipient("deliver-cc", pf.SecondDomain);
        byte[] attachment = Enumerable.Range(0, 3000).Select(i => (byte)(i * 7 % 256)).ToArray();
        string messageId = $"<{Guid.NewGuid():N}@contoso.test>";
        string b64 = Convert.ToBase64String(attachment, Base64FormattingOptions.InsertLineBreaks);
        string message =
            $"From: =?utf-8?q?Alice_M=C3=BCller?= <{pf.User}>\r\n" +
            $"To: {to}\r\n" +
            $"Cc: \"Bob, B.\" <{cc}>\r\n" +
            "Subject: =?utf-8?b?R3LDvMOfZSBhdXMgZGVyIFRlc3R3ZWx0?=\r\n" +
            "Date: Sun, 22 Nov 2026 10:00:00 +0100\r\n" +
            $"Message-ID: {messageId}\r\n" +
            "MIME-Version: 1.0\r\n" +
            "Content-Type: multipart/mixed; boundary=\"=_b1\"\r\n\r\n" +
            "--=_b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" +
            "Gr=C3=BC=C3=9Fe\r\n.a line that starts with a dot\r\n" +
            "--=_b1\r\nContent-Type: application/octet-stream\r\n" +
            "Content-Disposition: attachment; filename=\"data.bin\"\r\nContent-ID: <att1@contoso.test>\r\n" +
            "Content-Transfer-Encoding: base64\r\n\r\n" + b64 + "\r\n" +
            "--=_b1--\r\n";

        await using (RawSmtpSession s = await SubmissionAfterTlsAsync(pf))
        {
            Assert.Equal(235, (await s.AuthPlainAsync(pf.User, pf.Password)).Code);
            IReadOnlyList<RawSmtpReply> replies = await s.SendMailAsync(pf.User, [to, cc], Encoding.ASCII.GetBytes(message));
            Assert.All(replies, r => Assert.True(r.Code is 250 or 354, r.ToString()));
            Assert.Equal(5, replies.Count);
            await s.QuitAsync();
        }

        string file = Assert.Single(pf.WaitForDelivery(to, DeliveryTimeout));
        Assert.Single(pf.WaitForDelivery(cc, DeliveryTimeout));
        ParsedMessage parsed = PythonMime.ParseFile(file);
        Assert.Equal("Grüße aus der Testwelt", parsed.Subject);
        Assert.Equal(messageId, parsed.MessageId);
        Assert.Equal("2026-11-22T10:00:00+01:00", parsed.Date);
        Assert.Equal(to, parsed.Header("Delivered-To"));
        ParsedAddress from = Assert.Single(parsed.From!);
        Assert.Equal(("Alice Müller", pf.User), (from.DisplayName, from.AddrSpec));
        ParsedAddress ccAddr = Assert.Single(parsed.Cc!);
        Assert.Equal(("Bob, B.", cc), (ccAddr.DisplayName, ccAddr.AddrSpec));
        Assert.Contains(parsed.HeaderValues("Received"), v => v!.Contains("ESMTPSA", StringComparison.Ordinal));
        Assert.Equal("multipart/mixed", parsed.Root.ContentType);
        Assert.Equal(2, parsed.Root.Parts.Count);
        ParsedMimePart text = parsed.Root.Parts[0];
        Assert.Equal(("text/plain", "utf-8"), (text.ContentType, text.Charset));
        // dot-unstuffed by the server; the CRLF before the boundary belongs to it
        Assert.Equal("Grüße\n.a line that starts with a dot", text.Text);
        ParsedMimePart att = parsed.Root.Parts[1];
        Assert.Equal(("attachment", "data.bin", "<att1@contoso.test>"), (att.Disposition, att.Filename, att.ContentId));
        Assert.Equal(attachment.Length, att.Size);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(attachment)), att.Sha256);
        Assert.Empty(parsed.Defects);
        Assert.Contains($"sasl_username={pf.User}", pf.ReadMaillog());
    }

    [Fact]
    public async Task Relay_AcceptsUnauthenticatedMailForTheTestDomain_FromLoopback()
    {
        PostfixServer pf = PostfixServer.Require();
        string to = pf.NewRecipient("relay");
        (RawSmtpSession s, RawSmtpReply greeting) = await RawSmtpSession.OpenAsync(pf.RelayPort);
        await using (s)
        {
            Assert.Equal(220, greeting.Code);
            RawSmtpReply ehlo = await s.EhloAsync("relay-client.fabrikam.test");
            Assert.Empty(RawSmtpSession.AuthMechanisms(ehlo));
            Assert.True(RawSmtpSession.Offers(ehlo, "STARTTLS"));
            byte[] content = Encoding.ASCII.GetBytes(
                $"From: app@fabrikam.test\r\nTo: {to}\r\nSubject: plain relay\r\n\r\nno TLS, no AUTH\r\n");
            IReadOnlyList<RawSmtpReply> replies = await s.SendMailAsync("app@fabrikam.test", [to], content);
            Assert.Equal(250, replies[^1].Code);
            await s.QuitAsync();
        }
        ParsedMessage parsed = PythonMime.ParseFile(Assert.Single(pf.WaitForDelivery(to, DeliveryTimeout)));
        Assert.Equal("plain relay", parsed.Subject);
        Assert.Equal("no TLS, no AUTH\n", parsed.Root.Text);
    }

    [Fact]
    public async Task Relay_ClientCertificate_IsLoggedWithItsSubject()
    {
        PostfixServer pf = PostfixServer.Require();
        string cn = $"relay-{Guid.NewGuid():N}.contoso.test";
        using X509Certificate2 clientCert = MakeClientCertificate(cn);
        string to = pf.NewRecipient("relay-cert");
        (RawSmtpSession s, _) = await RawSmtpSession.OpenAsync(pf.RelayPort);
        await using (s)
        {
            await s.EhloAsync();
            await s.StartTlsAsync(pf.CaCertificate, clientCert);
            Assert.Equal(250, (await s.EhloAsync()).Code);
            byte[] content = Encoding.ASCII.GetBytes(
                $"From: app@contoso.test\r\nTo: {to}\r\nSubject: cert relay\r\n\r\nwith a client certificate\r\n");
            Assert.Equal(250, (await s.SendMailAsync("app@contoso.test", [to], content))[^1].Code);
            await s.QuitAsync();
        }
        string delivered = File.ReadAllText(Assert.Single(pf.WaitForDelivery(to, DeliveryTimeout)));
        Assert.Contains($"(Client CN \"{cn}\"", delivered); // Received header with smtpd_tls_received_header
        string log = pf.ReadMaillog();
        Assert.Contains($"subject_CN={cn}", log);
        Assert.Contains("Untrusted TLS connection established", log);
    }

    [Fact]
    public async Task Relay_WithoutClientCertificate_LogsAnAnonymousTlsConnection()
    {
        PostfixServer pf = PostfixServer.Require();
        (RawSmtpSession s, _) = await RawSmtpSession.OpenAsync(pf.RelayPort);
        string helo = $"nocert-{Guid.NewGuid():N}.contoso.test";
        await using (s)
        {
            await s.EhloAsync(helo);
            await s.StartTlsAsync(pf.CaCertificate);
            Assert.Equal(250, (await s.EhloAsync(helo)).Code);
            await s.QuitAsync();
        }
        // The relay smtpd logs "Anonymous TLS connection established" when no client certificate was presented.
        static bool Logged(string log) => log.Split('\n').Any(l =>
            l.Contains("postfix/relay/smtpd[", StringComparison.Ordinal)
                && l.Contains("Anonymous TLS connection established", StringComparison.Ordinal));
        DateTime deadline = DateTime.UtcNow.AddSeconds(10);
        while (!Logged(pf.ReadMaillog()) && DateTime.UtcNow < deadline) await Task.Delay(100, TestContext.Current.CancellationToken);
        Assert.True(Logged(pf.ReadMaillog()), pf.MaillogTail(20));
    }

    [Fact]
    public void Swaks_AuthPlainOverStartTls_DeliversToMaildir()
    {
        PostfixServer pf = PostfixServer.Require();
        string? swaks = ExternalTool.Find("swaks");
        if (swaks == null) Assert.Skip("swaks is not installed (apt-get install swaks libnet-ssleay-perl)");
        string to = pf.NewRecipient("swaks");
        ExternalTool.Result r = ExternalTool.Run(swaks!,
        [
            "--server", pf.Host, "--port", pf.SubmissionPort.ToString(), "--tls", "--tls-verify", "--tls-ca-path", pf.CaCertPath,
            "--auth", "PLAIN", "--auth-user", pf.User, "--auth-password", pf.Password,
            "--from", pf.User, "--to", to, "--h-Subject", "swaks cross-check", "--body", "sent by swaks",
        ], timeout: TimeSpan.FromSeconds(60));
        Assert.True(r.ExitCode == 0, $"swaks exit {r.ExitCode}\n{r.StdOut}\n{r.StdErr}");
        Assert.Contains("235 2.7.0 Authentication successful", r.StdOut);
        ParsedMessage parsed = PythonMime.ParseFile(Assert.Single(pf.WaitForDelivery(to, DeliveryTimeout)));
        Assert.Equal("swaks cross-check", parsed.Subject);
        Assert.StartsWith("sent by swaks", parsed.Root.Text);
    }

    [Fact]
    public void MintJwt_IsAnHs256JwtWithTheRequiredClaims()
    {
        PostfixServer pf = PostfixServer.Require();
        string jwt = pf.MintJwt(pf.User, TimeSpan.FromMinutes(5));
        string[] parts = jwt.Split('.');
        Assert.Equal(3, parts.Length);
        static byte[] B64Url(string s) =>
            Convert.FromBase64String(s.Replace('-', '+').Replace('_', '/').PadRight(s.Length + (4 - s.Length % 4) % 4, '='));
        using JsonDocument header = JsonDocument.Parse(B64Url(parts[0]));
        Assert.Equal("HS256", header.RootElement.GetProperty("alg").GetString());
        using JsonDocument payload = JsonDocument.Parse(B64Url(parts[1]));
        Assert.Equal(pf.User, payload.RootElement.GetProperty("upn").GetString());
        long exp = payload.RootElement.GetProperty("exp").GetInt64();
        long nbf = payload.RootElement.GetProperty("nbf").GetInt64();
        Assert.InRange(exp - nbf, 300, 400);
        Assert.True(payload.RootElement.TryGetProperty("sub", out _));
        Assert.Equal(B64Url(parts[2]), HMACSHA256.HashData(pf.JwtKey, Encoding.ASCII.GetBytes(parts[0] + "." + parts[1])));
    }

    internal static X509Certificate2 MakeClientCertificate(string cn)
    {
        using RSA rsa = RSA.Create(2048);
        var req = new CertificateRequest($"CN={cn}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false)); // clientAuth
        using X509Certificate2 cert = req.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pfx), null);
    }
}
