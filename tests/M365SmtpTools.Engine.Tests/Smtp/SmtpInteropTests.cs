using System.Security.Cryptography.X509Certificates;
using System.Text;
using M365SmtpTools.Engine.Smtp;
using M365SmtpTools.Engine.Tests.Infrastructure;

namespace M365SmtpTools.Engine.Tests.Smtp;

/// <summary>
/// The client against independent real servers on loopback (tests/interop/servers): Postfix + Dovecot SASL and the
/// aiosmtpd fault servers. Skipped, with the start command, when the servers aren't running.
/// </summary>
public class SmtpInteropTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static SmtpConnectOptions Trusting(X509Certificate2 serverCert, ISmtpTranscriptLogger? log = null) => new()
    {
        TlsPolicy = new TlsPolicy { ServerName = "localhost", TrustedRootCertificates = new X509Certificate2Collection(serverCert) },
        LocalDomain = "client.contoso.test",
        CommandTimeout = TimeSpan.FromSeconds(30),
        TranscriptLogger = log,
    };

    private static async Task<SmtpClient> ConnectAsync(string host, int port, SmtpConnectOptions options)
    {
        var client = new SmtpClient();
        await client.ConnectAsync(host, port, options, Ct);
        return client;
    }

    private static string Message(string from, string to, string subject, string body) =>
        $"From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: <{Guid.NewGuid():N}@client.contoso.test>\r\n\r\n{body}";

    // ---- Postfix + Dovecot ----

    [Theory]
    [InlineData(SmtpAuthMechanism.Plain, true)]
    [InlineData(SmtpAuthMechanism.Login, false)]
    public async Task Postfix_accepts_passwords_and_delivers_the_body_byte_for_byte(SmtpAuthMechanism mechanism, bool chunking)
    {
        PostfixServer pf = PostfixServer.Require();
        string to = pf.NewRecipient();
        SmtpConnectOptions options = Trusting(pf.CaCertificate);
        options.UseChunking = chunking;
        using SmtpClient client = await ConnectAsync(pf.Host, pf.SubmissionPort, options);
        Assert.True(client.IsSecure);
        await client.AuthenticateAsync(new SmtpCredential(pf.User, SmtpSecretKind.Password, _ => Task.FromResult(pf.Password)),
            mechanism, Ct);

        string body = ".leading dot\r\n..two dots\r\nbare LF\nbare CR\rend\r\n.\r\nafter a lone dot\r\n";
        SmtpSendResult result = await client.SendAsync(new SmtpEnvelope(pf.User, new[] { to }),
            new TestMessageContent(Message(pf.User, to, "interop " + mechanism, body)) { WriteSize = 7 }, Ct);
        await client.QuitAsync(Ct);

        Assert.Equal(chunking, result.UsedChunking);
        string delivered = await File.ReadAllTextAsync(pf.WaitForDelivery(to, TimeSpan.FromSeconds(30)).Single(), Ct);
        string deliveredBody = delivered.Replace("\r\n", "\n")
            [(delivered.Replace("\r\n", "\n").IndexOf("\n\n", StringComparison.Ordinal) + 2)..];
        Assert.Equal(".leading dot\n..two dots\nbare LF\nbare CR\nend\n.\nafter a lone dot\n", deliveredBody);
    }

    [Fact]
    public async Task Postfix_accepts_a_real_signed_jwt_with_xoauth2_and_oauthbearer()
    {
        PostfixServer pf = PostfixServer.Require();
        foreach (SmtpAuthMechanism mechanism in new[] { SmtpAuthMechanism.XOAuth2, SmtpAuthMechanism.OAuthBearer })
        {
            using SmtpClient client = await ConnectAsync(pf.Host, pf.SubmissionPort, Trusting(pf.CaCertificate));
            string jwt = pf.MintJwt(pf.User, TimeSpan.FromMinutes(10));
            SmtpReply reply = await client.AuthenticateAsync(SmtpCredential.FromAccessToken(pf.User, _ => Task.FromResult(jwt)),
                mechanism, Ct);
            Assert.Equal(235, reply.Code);
            string to = pf.NewRecipient();
            await client.SendAsync(new SmtpEnvelope(pf.User, new[] { to }),
                new TestMessageContent(Message(pf.User, to, "jwt " + mechanism, "hi\r\n")), Ct);
            await client.QuitAsync(Ct);
            pf.WaitForDelivery(to, TimeSpan.FromSeconds(30));
        }
    }

    [Fact]
    public async Task Postfix_rejects_a_wrong_token_through_the_334_json_path()
    {
        PostfixServer pf = PostfixServer.Require();
        var log = new InMemorySmtpTranscriptLogger();
        using SmtpClient client = await ConnectAsync(pf.Host, pf.SubmissionPort, Trusting(pf.CaCertificate, log));
        string badJwt = pf.MintJwt(pf.User, TimeSpan.FromMinutes(10), key: new byte[32]);
        var ex = await Assert.ThrowsAsync<SmtpCommandException>(() =>
            client.AuthenticateAsync(SmtpCredential.FromAccessToken(pf.User, _ => Task.FromResult(badJwt)),
                SmtpAuthMechanism.XOAuth2, Ct));

        Assert.Equal(535, ex.ReplyCode);
        Assert.Contains("\"status\"", ex.ServerErrorDetail);
        Assert.DoesNotContain(badJwt.Split('.')[2], log.ToString());
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task Postfix_pipelined_transaction_with_an_unknown_recipient_delivers_to_the_others()
    {
        PostfixServer pf = PostfixServer.Require();
        using SmtpClient client = await ConnectAsync(pf.Host, pf.SubmissionPort, Trusting(pf.CaCertificate));
        Assert.True(client.Capabilities.SupportsPipelining);
        await client.AuthenticateAsync(new SmtpCredential(pf.User, SmtpSecretKind.Password, _ => Task.FromResult(pf.Password)),
            cancellationToken: Ct);
        string good1 = pf.NewRecipient(), good2 = pf.NewRecipient(), bad = pf.NewRecipient(pf.UnknownLocalPartPrefix.TrimEnd('-'));
        bad = pf.UnknownLocalPartPrefix + bad;

        SmtpSendResult result = await client.SendAsync(new SmtpEnvelope(pf.User, new[] { good1, bad, good2 }),
            new TestMessageContent(Message(pf.User, good1, "partial", "x\r\n")), Ct);
        // and the session carries a second message
        await client.SendAsync(new SmtpEnvelope(pf.User, new[] { good1 }),
            new TestMessageContent(Message(pf.User, good1, "second", "y\r\n")), Ct);
        await client.QuitAsync(Ct);

        Assert.Equal(new[] { true, false, true }, result.Recipients.Select(r => r.Accepted));
        Assert.Equal(5, result.Recipients[1].Reply.Code / 100);
        pf.WaitForDelivery(good1, TimeSpan.FromSeconds(30), count: 2);
        pf.WaitForDelivery(good2, TimeSpan.FromSeconds(30));
    }

    // ---- aiosmtpd fault servers ----

    [Fact]
    public async Task Aiosmtpd_normal_accepts_xoauth2_and_answers_a_wrong_token_with_the_json_challenge()
    {
        FaultServer fs = FaultServer.Require();
        using (SmtpClient bad = await ConnectAsync(fs.Host, fs.NormalPort, Trusting(fs.CaCertificate)))
        {
            var ex = await Assert.ThrowsAsync<SmtpCommandException>(() =>
                bad.AuthenticateAsync(SmtpCredential.FromAccessToken(fs.User, _ => Task.FromResult("wrong")), cancellationToken: Ct));
            Assert.Equal(535, ex.ReplyCode);
            Assert.NotNull(ex.ServerErrorDetail);
        }
        using SmtpClient client = await ConnectAsync(fs.Host, fs.NormalPort, Trusting(fs.CaCertificate));
        await client.AuthenticateAsync(SmtpCredential.FromAccessToken(fs.User, _ => Task.FromResult(fs.XOAuth2Token)),
            cancellationToken: Ct);
        SmtpSendResult r = await client.SendAsync(new SmtpEnvelope(fs.User, new[] { "bob@fabrikam.test" }),
            new TestMessageContent(Message(fs.User, "bob@fabrikam.test", "aiosmtpd", "hello\r\n")), Ct);
        Assert.Equal(250, r.FinalReply.Code);
        await client.QuitAsync(Ct);
    }

    [Fact]
    public async Task Aiosmtpd_without_starttls_gets_no_auth_from_a_required_tls_client()
    {
        FaultServer fs = FaultServer.Require();
        var before = fs.Connections("no_starttls");
        using var client = new SmtpClient();
        SmtpConnectOptions options = Trusting(fs.CaCertificate);
        options.LocalDomain = FaultServer.UniqueClientName("tls-required");
        var ex = await Assert.ThrowsAsync<SmtpProtocolException>(() =>
            client.ConnectAsync(fs.Host, fs.NoStartTlsPort, options, Ct));
        Assert.Equal("SmtpStartTlsNotOffered", ex.ErrorId);
        IReadOnlyList<string> sent = fs.ClientLinesSince("no_starttls", before, options.LocalDomain);
        Assert.Equal(new[] { "EHLO " + options.LocalDomain }, sent);
    }

    [Fact]
    public async Task Aiosmtpd_slow_server_trips_the_command_timeout()
    {
        FaultServer fs = FaultServer.Require();
        SmtpConnectOptions options = Trusting(fs.CaCertificate);
        options.CommandTimeout = TimeSpan.FromSeconds(1);
        using var client = new SmtpClient();
        var ex = await Assert.ThrowsAsync<SmtpProtocolException>(() => client.ConnectAsync(fs.Host, fs.SlowPort, options, Ct));
        Assert.Equal("SmtpTimeout", ex.ErrorId);
        Assert.Equal(SmtpPhase.Ehlo, ex.Phase);
    }

    [Fact]
    public async Task Aiosmtpd_dropping_after_the_final_dot_is_unknown_delivery()
    {
        FaultServer fs = FaultServer.Require();
        SmtpConnectOptions options = Trusting(fs.CaCertificate);
        options.TlsMode = SmtpTlsMode.None;
        using SmtpClient client = await ConnectAsync(fs.Host, fs.DropDataPort, options);
        var ex = await Assert.ThrowsAsync<SmtpDeliveryUnknownException>(() =>
            client.SendAsync(new SmtpEnvelope("a@contoso.test", new[] { "b@fabrikam.test" }),
                new TestMessageContent("Subject: x\r\n\r\nbody\r\n"), Ct));
        Assert.True(ex.DeliveryUnknown);
    }

    [Theory]
    [InlineData("huge_reply", "SmtpReplyTooLong", SmtpPhase.Ehlo)]
    [InlineData("garbage", "SmtpInvalidReply", SmtpPhase.Ehlo)]
    [InlineData("garbage_greeting", "SmtpInvalidReply", SmtpPhase.Greeting)]
    public async Task Aiosmtpd_bad_replies_are_bounded_clear_protocol_errors(string behaviour, string errorId, SmtpPhase phase)
    {
        FaultServer fs = FaultServer.Require();
        int port = behaviour switch { "huge_reply" => fs.HugeReplyPort, "garbage" => fs.GarbagePort, _ => fs.GarbageGreetingPort };
        SmtpConnectOptions options = Trusting(fs.CaCertificate);
        options.TlsMode = SmtpTlsMode.None;
        using var client = new SmtpClient();
        var ex = await Assert.ThrowsAsync<SmtpProtocolException>(() => client.ConnectAsync(fs.Host, port, options, Ct));
        Assert.Equal(errorId, ex.ErrorId);
        Assert.Equal(phase, ex.Phase);
        Assert.Equal(ErrorKind.ProtocolError, ex.Kind);
    }

    [Fact]
    public async Task Aiosmtpd_server_that_never_greets_times_out_at_the_greeting()
    {
        FaultServer fs = FaultServer.Require();
        SmtpConnectOptions options = Trusting(fs.CaCertificate);
        options.CommandTimeout = TimeSpan.FromSeconds(1);
        using var client = new SmtpClient();
        var ex = await Assert.ThrowsAsync<SmtpProtocolException>(() => client.ConnectAsync(fs.Host, fs.BannerNeverPort, options, Ct));
        Assert.Equal("SmtpTimeout", ex.ErrorId);
        Assert.Equal(SmtpPhase.Greeting, ex.Phase);
    }

    [Fact]
    public async Task Aiosmtpd_tls_1_1_only_server_is_refused()
    {
        FaultServer fs = FaultServer.Require();
        int port = fs.Tls11OnlyPort;
        using var client = new SmtpClient();
        var ex = await Assert.ThrowsAsync<SmtpProtocolException>(() => client.ConnectAsync(fs.Host, port, Trusting(fs.CaCertificate), Ct));
        Assert.Equal("SmtpTlsHandshakeFailed", ex.ErrorId);
        Assert.Equal(ErrorKind.SecurityError, ex.Kind);
        Assert.Equal(SmtpPhase.StartTls, ex.Phase);
    }
}
