using System.Security.Authentication;
using System.Text;
using System.Text.Json;
using M365SmtpTools.Engine.Tests.Infrastructure;

namespace M365SmtpTools.Engine.Tests.Interop;

/// <summary>
/// Proves that each listener of tests/interop/servers/aiosmtpd.sh does what its name says, with a raw SMTP
/// conversation (not the project's client), so the client's fault tests can rely on them.
/// </summary>
public sealed class FaultServerTests
{
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(1.5);

    [Fact]
    public async Task Normal_RequiresStartTls_ThenPlainAndLogin()
    {
        FaultServer fs = FaultServer.Require();
        (RawSmtpSession s, RawSmtpReply greeting) = await RawSmtpSession.OpenAsync(fs.NormalPort);
        await using (s)
        {
            Assert.Equal(220, greeting.Code);
            RawSmtpReply ehlo = await s.EhloAsync();
            Assert.True(RawSmtpSession.Offers(ehlo, "STARTTLS"), ehlo.Text);
            Assert.Empty(RawSmtpSession.AuthMechanisms(ehlo));
            Assert.Equal(530, (await s.CommandAsync("MAIL FROM:<a@contoso.test>")).Code);
            await s.StartTlsAsync(fs.CaCertificate);
            ehlo = await s.EhloAsync();
            Assert.Equal(["LOGIN", "PLAIN", "XOAUTH2"], RawSmtpSession.AuthMechanisms(ehlo).Order().ToArray());
            Assert.Equal(535, (await s.AuthPlainAsync(fs.User, fs.Password + "x")).Code);
            Assert.Equal(235, (await s.AuthLoginAsync(fs.User, fs.Password)).Code);
        }
        await using (RawSmtpSession s2 = await NormalAfterTlsAsync(fs))
            Assert.Equal(235, (await s2.AuthPlainAsync(fs.User, fs.Password)).Code);
    }

    private static async Task<RawSmtpSession> NormalAfterTlsAsync(FaultServer fs, string clientName = "client.m365smtp.test")
    {
        (RawSmtpSession s, _) = await RawSmtpSession.OpenAsync(fs.NormalPort);
        await s.EhloAsync(clientName);
        await s.StartTlsAsync(fs.CaCertificate);
        await s.EhloAsync(clientName);
        return s;
    }

    [Fact]
    public async Task Normal_XOAuth2_RightToken235_WrongToken334Json_Then535()
    {
        FaultServer fs = FaultServer.Require();
        await using (RawSmtpSession s = await NormalAfterTlsAsync(fs))
        {
            RawSmtpReply ok = await s.AuthXOAuth2Async(fs.User, fs.XOAuth2Token);
            Assert.Equal(235, ok.Code);
        }
        await using (RawSmtpSession s = await NormalAfterTlsAsync(fs))
        {
            RawSmtpReply challenge = await s.AuthXOAuth2Async(fs.User, "not-" + fs.XOAuth2Token);
            Assert.Equal(334, challenge.Code);
            using JsonDocument json = JsonDocument.Parse(Convert.FromBase64String(challenge.Text));
            Assert.Equal("401", json.RootElement.GetProperty("status").GetString());
            RawSmtpReply final = await s.CommandAsync("");
            Assert.Equal(535, final.Code);
            Assert.StartsWith("5.7.3", final.Text);
        }
    }

    [Fact]
    public async Task Normal_StoresTheMessageAndEnvelope_AndTranscriptRedactsCredentials()
    {
        FaultServer fs = FaultServer.Require();
        string marker = Guid.NewGuid().ToString("N");
        string to = $"rcpt-{marker}@contoso.test";
        var before = fs.Connections("normal").ToHashSet();
        string client = FaultServer.UniqueClientName("storing");
        await using (RawSmtpSession s = await NormalAfterTlsAsync(fs, client))
        {
            Assert.Equal(235, (await s.AuthPlainAsync(fs.User, fs.Password)).Code);
            byte[] content = Encoding.ASCII.GetBytes($"From: {fs.User}\r\nTo: {to}\r\nSubject: {marker}\r\n\r\n..dot\r\nbody\r\n");
            Assert.Equal(250, (await s.SendMailAsync(fs.User, [to], content))[^1].Code);
            await s.QuitAsync();
        }
        string eml = fs.StoredMessages("normal").Single(f => File.ReadAllText(f).Contains(marker));
        ParsedMessage parsed = PythonMime.ParseFile(eml);
        Assert.Equal(marker, parsed.Subject);
        Assert.Equal("..dot\nbody\n", parsed.Root.Text);
        using JsonDocument envelope = JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(eml, ".json")));
        Assert.Equal(fs.User, envelope.RootElement.GetProperty("mail_from").GetString());
        Assert.Equal(to, envelope.RootElement.GetProperty("rcpt_tos")[0].GetString());
        Assert.True(envelope.RootElement.GetProperty("tls").GetBoolean());
        Assert.Equal(fs.User, envelope.RootElement.GetProperty("login").GetString());

        IReadOnlyList<string> sent = fs.ClientLinesSince("normal", before, client);
        Assert.Contains("STARTTLS", sent);
        Assert.Contains(sent, l => l.StartsWith("AUTH PLAIN <initial response:", StringComparison.Ordinal));
        Assert.Contains(sent, l => l.StartsWith("<message content:", StringComparison.Ordinal));
        string log = File.ReadAllText(fs.CommandLogPath("normal"));
        Assert.DoesNotContain(fs.Password, log);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes("\0" + fs.User + "\0" + fs.Password)), log);
    }

    [Fact]
    public async Task NoStartTls_DoesNotOfferStartTls_AndTheTranscriptShowsEveryCommand()
    {
        FaultServer fs = FaultServer.Require();
        var before = fs.Connections("no_starttls").ToHashSet();
        string client = FaultServer.UniqueClientName("no-auth-client");
        (RawSmtpSession s, RawSmtpReply greeting) = await RawSmtpSession.OpenAsync(fs.NoStartTlsPort);
        await using (s)
        {
            Assert.Equal(220, greeting.Code);
            RawSmtpReply ehlo = await s.EhloAsync(client);
            Assert.False(RawSmtpSession.Offers(ehlo, "STARTTLS"), ehlo.Text);
            Assert.Contains("PLAIN", RawSmtpSession.AuthMechanisms(ehlo)); // the trap: AUTH in clear text
            Assert.Equal(250, (await s.CommandAsync("NOOP")).Code);
            await s.QuitAsync();
        }
        IReadOnlyList<string> sent = fs.ClientLinesSince("no_starttls", before, client);
        Assert.Equal(["EHLO " + client, "NOOP", "QUIT"], sent);
        Assert.DoesNotContain(sent, l => l.StartsWith("AUTH", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Two_clients_at_once_each_find_only_their_own_commands_in_the_transcript()
    {
        // What tests/stress.sh does to every test here: another run's client talks to the same server at the same time.
        FaultServer fs = FaultServer.Require();
        var before = fs.Connections("no_starttls").ToHashSet();
        string first = FaultServer.UniqueClientName("first"), second = FaultServer.UniqueClientName("second");
        (RawSmtpSession a, _) = await RawSmtpSession.OpenAsync(fs.NoStartTlsPort);
        (RawSmtpSession b, _) = await RawSmtpSession.OpenAsync(fs.NoStartTlsPort);
        await using (a)
        await using (b)
        {
            await a.EhloAsync(first);
            await b.EhloAsync(second);
            Assert.Equal(250, (await b.CommandAsync("NOOP")).Code);
            await a.QuitAsync();
            await b.QuitAsync();
        }
        Assert.Equal(["EHLO " + first, "QUIT"], fs.ClientLinesSince("no_starttls", before, first));
        Assert.Equal(["EHLO " + second, "NOOP", "QUIT"], fs.ClientLinesSince("no_starttls", before, second));
    }

    [Fact]
    public async Task NoStartTls_TranscriptRecordsAnAuthAttempt()
    {
        // The negative of the previous test: the transcript would catch a client that authenticates in clear text.
        FaultServer fs = FaultServer.Require();
        var before = fs.Connections("no_starttls").ToHashSet();
        string client = FaultServer.UniqueClientName("clear-text-auth");
        (RawSmtpSession s, _) = await RawSmtpSession.OpenAsync(fs.NoStartTlsPort);
        await using (s)
        {
            await s.EhloAsync(client);
            Assert.Equal(235, (await s.AuthPlainAsync(fs.User, fs.Password)).Code);
            await s.QuitAsync();
        }
        Assert.Contains(fs.ClientLinesSince("no_starttls", before, client), l => l.StartsWith("AUTH PLAIN", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Slow_GreetsAtOnce_ThenHoldsTheReply()
    {
        FaultServer fs = FaultServer.Require();
        Assert.True(fs.SlowDelay > Quiet * 4, $"SLOW_DELAY_SECONDS={fs.SlowDelay.TotalSeconds} is too short for this test");
        var before = fs.Connections("slow").ToHashSet();
        string client = FaultServer.UniqueClientName("slow-client");
        (RawSmtpSession s, RawSmtpReply greeting) = await RawSmtpSession.OpenAsync(fs.SlowPort);
        await using (s)
        {
            Assert.Equal(220, greeting.Code);
            await s.SendLineAsync("EHLO " + client);
            await Assert.ThrowsAsync<TimeoutException>(() => s.ReadReplyAsync(Quiet));
        }
        Assert.Contains("EHLO " + client, fs.ClientLinesSince("slow", before, client, TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public async Task DropData_TakesTheWholeMessage_ThenClosesWithoutAReply()
    {
        FaultServer fs = FaultServer.Require();
        var before = fs.Connections("drop_data").ToHashSet();
        string client = FaultServer.UniqueClientName("dropped");
        byte[] content = Encoding.ASCII.GetBytes("Subject: dropped\r\n\r\n0123456789\r\n");
        (RawSmtpSession s, RawSmtpReply greeting) = await RawSmtpSession.OpenAsync(fs.DropDataPort);
        await using (s)
        {
            Assert.Equal(220, greeting.Code);
            Assert.Equal(250, (await s.EhloAsync(client)).Code);
            Assert.Equal(250, (await s.CommandAsync("MAIL FROM:<a@contoso.test>")).Code);
            Assert.Equal(250, (await s.CommandAsync("RCPT TO:<b@contoso.test>")).Code);
            Assert.Equal(354, (await s.CommandAsync("DATA")).Code);
            await s.SendRawAsync(RawSmtpSession.DotStuff(content));
            string? after;
            try { after = await s.ReadLineAsync(TimeSpan.FromSeconds(10)); }
            catch (IOException) { after = null; } // a reset is as good as a close
            Assert.Null(after);
        }
        IReadOnlyList<string> sent = fs.ClientLinesSince("drop_data", before, client);
        Assert.Contains($"<message content: {content.Length} bytes>", sent);
        Assert.Equal(".", sent[^1]);
    }

    [Fact]
    public async Task HugeReply_EhloReplyIsOneLineOfMoreThan100KB()
    {
        FaultServer fs = FaultServer.Require();
        (RawSmtpSession s, RawSmtpReply greeting) = await RawSmtpSession.OpenAsync(fs.HugeReplyPort);
        await using (s)
        {
            Assert.Equal(220, greeting.Code);
            RawSmtpReply ehlo = await s.EhloAsync();
            Assert.Equal(250, ehlo.Code);
            string line = Assert.Single(ehlo.Lines);
            Assert.Equal(fs.HugeReplyBytes, line.Length);
            Assert.True(line.Length > 100 * 1024);
        }
    }

    [Fact]
    public async Task Garbage_RepliesAreNotSmtp()
    {
        FaultServer fs = FaultServer.Require();
        (RawSmtpSession s, RawSmtpReply greeting) = await RawSmtpSession.OpenAsync(fs.GarbagePort);
        await using (s)
        {
            Assert.Equal(220, greeting.Code);
            await s.SendLineAsync("EHLO client.test");
            Assert.Equal("HTTP/1.1 400 Bad Request", await s.ReadLineAsync());
            await s.SendLineAsync("MAIL FROM:<a@contoso.test>");
            Assert.Equal("2x0 not a reply code", await s.ReadLineAsync());
            await s.SendLineAsync("RCPT TO:<b@contoso.test>");
            Assert.Equal("999 out of range", await s.ReadLineAsync());
            await s.SendLineAsync("NOOP");
            await Assert.ThrowsAsync<InvalidDataException>(() => s.ReadReplyAsync()); // "25": too short to be a reply
        }
    }

    [Fact]
    public async Task GarbageGreeting_IsAnSshBanner()
    {
        FaultServer fs = FaultServer.Require();
        await using RawSmtpSession s = await RawSmtpSession.ConnectAsync(fs.GarbageGreetingPort);
        string? line = await s.ReadLineAsync();
        Assert.StartsWith("SSH-2.0-", line);
    }

    [Fact]
    public async Task BannerNever_AcceptsButNeverGreets()
    {
        FaultServer fs = FaultServer.Require();
        var before = fs.Connections("banner_never").ToHashSet();
        string client = FaultServer.UniqueClientName("impatient");
        await using (RawSmtpSession s = await RawSmtpSession.ConnectAsync(fs.BannerNeverPort))
        {
            await Assert.ThrowsAsync<TimeoutException>(() => s.ReadLineAsync(Quiet));
            await s.SendLineAsync("EHLO " + client);
        }
        Assert.Equal(["EHLO " + client], fs.ClientLinesSince("banner_never", before, client));
    }

    [Fact]
    public async Task Tls11Only_RefusesATls12Handshake_AndSpeaksTls11()
    {
        FaultServer fs = FaultServer.Require();
        int port = fs.Tls11OnlyPort;
        (RawSmtpSession s, RawSmtpReply greeting) = await RawSmtpSession.OpenAsync(port);
        await using (s)
        {
            Assert.Equal(220, greeting.Code);
            Assert.True(RawSmtpSession.Offers(await s.EhloAsync(), "STARTTLS"));
            Assert.Equal(220, (await s.CommandAsync("STARTTLS")).Code);
            Exception e = await Assert.ThrowsAnyAsync<Exception>(() =>
                s.HandshakeAsync(fs.CaCertificate, protocols: SslProtocols.Tls12 | SslProtocols.Tls13));
            Assert.True(e is AuthenticationException or IOException, e.ToString());
        }
        // An independent TLS 1.1 client (openssl s_client) completes the handshake on the same port.
        string? openssl = ExternalTool.Find("openssl");
        if (openssl == null) Assert.Skip("openssl is not installed: can't confirm the listener speaks TLS 1.1");
        ExternalTool.Result r = ExternalTool.Run(openssl!,
            ["s_client", "-connect", $"127.0.0.1:{port}", "-starttls", "smtp", "-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0", "-brief"],
            stdin: "QUIT\r\n", timeout: TimeSpan.FromSeconds(30));
        Assert.Contains("Protocol version: TLSv1.1", r.StdOut + r.StdErr);
    }
}
