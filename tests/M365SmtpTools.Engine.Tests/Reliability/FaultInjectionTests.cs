using System.Text;
using M365SmtpTools.Engine.Tests.Infrastructure;
using M365SmtpTools.Engine.Mime;
using M365SmtpTools.Engine.Smtp;
using M365SmtpTools.Engine.Tests.Smtp;

namespace M365SmtpTools.Engine.Tests.Reliability;

/// <summary>
/// Fault injection against <see cref="SmtpClient"/> with a scripted loopback server: at every step of a session the
/// server resets, answers 421, goes silent, sends half a reply, sends an invalid code or a 10 MB line. Each case must
/// end in the engine's own exception, with the phase where it happened, within the configured timeouts, and never
/// with a result that says the message was accepted.
/// </summary>
public class FaultInjectionTests
{
    public enum Fault { Reset, Reply421, Silence, PartialReply, InvalidCode, HugeLine }

    // Client steps: 0 connect (before the greeting), 1 EHLO, 2 AUTH, 3 MAIL, 4 RCPT, 5 DATA, 6 final dot.
    private static readonly SmtpPhase[] PhaseOfStep = { SmtpPhase.Greeting, SmtpPhase.Ehlo, SmtpPhase.Auth, SmtpPhase.MailFrom,
        SmtpPhase.RcptTo, SmtpPhase.Data, SmtpPhase.Data };
    private static readonly int[] CodeOfStep = { 220, 250, 235, 250, 250, 354, 250 };
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    public static TheoryData<Fault, int> Matrix()
    {
        var data = new TheoryData<Fault, int>();
        foreach (Fault f in Enum.GetValues<Fault>())
            for (int step = 0; step <= 6; step++) data.Add(f, step);
        return data;
    }

    private static SmtpConnectOptions Options(TimeSpan timeout) => new()
    {
        TlsMode = SmtpTlsMode.None,
        LocalDomain = "client.test",
        CommandTimeout = timeout,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        UsePipelining = false,
    };

    /// <summary>A well-behaved session (no PIPELINING, no CHUNKING) except at <paramref name="faultStep"/>.</summary>
    private static ScriptedServer Server(Fault fault, int faultStep) => new(async c =>
    {
        int step = 0;
        async Task<bool> Step()
        {
            if (step++ != faultStep) return false;
            int code = CodeOfStep[faultStep];
            switch (fault)
            {
                case Fault.Reset: c.Reset(); break;
                case Fault.Reply421: await c.WriteAsync("421 4.3.2 Service shutting down, closing transmission channel\r\n"); break;
                case Fault.Silence: await c.GoSilentAsync(); break;
                case Fault.PartialReply:
                    await c.WriteAsync($"{code}-first line of a reply that never ends\r\n{code}");
                    await c.GoSilentAsync();
                    break;
                case Fault.InvalidCode:
                    await c.WriteAsync("999 this is not a reply code\r\n");
                    await c.WaitForClientCloseAsync(TimeSpan.FromSeconds(10));
                    break;
                case Fault.HugeLine:
                    var huge = new byte[10 * 1024 * 1024];
                    Array.Fill(huge, (byte)'a');
                    Encoding.ASCII.GetBytes(code + " ").CopyTo(huge, 0);
                    try { await c.Stream.WriteAsync(huge); } catch (IOException) { }
                    await c.WaitForClientCloseAsync(TimeSpan.FromSeconds(10));
                    break;
            }
            return true;
        }

        if (await Step()) return;
        await c.WriteAsync("220 mx.test ESMTP\r\n");
        while (true)
        {
            string? line = await c.ReadLineAsync();
            if (line == null) return;
            string verb = line.Split(' ')[0].ToUpperInvariant();
            if (verb == "QUIT") { await c.WriteAsync("221 bye\r\n"); return; }
            if (verb == "RSET" || verb == "NOOP") { await c.WriteAsync("250 ok\r\n"); continue; }
            if (await Step()) return;
            switch (verb)
            {
                case "EHLO": await c.WriteAsync("250-mx.test\r\n250-8BITMIME\r\n250 AUTH PLAIN LOGIN\r\n"); break;
                case "AUTH": await c.WriteAsync("235 2.7.0 Authentication successful\r\n"); break;
                case "MAIL": await c.WriteAsync("250 2.1.0 Sender OK\r\n"); break;
                case "RCPT": await c.WriteAsync("250 2.1.5 Recipient OK\r\n"); break;
                case "DATA":
                    await c.WriteAsync("354 go ahead\r\n");
                    if (await c.ReadDataAsync() == null) return;
                    if (await Step()) return;
                    await c.WriteAsync("250 2.0.0 Queued\r\n");
                    break;
                default: await c.WriteAsync("500 5.5.1 unknown\r\n"); break;
            }
        }
    });

    private static async Task<SmtpSendResult> RunSessionAsync(SmtpClient client, int port, SmtpConnectOptions options,
        IMessageContent? content = null)
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await client.ConnectAsync("127.0.0.1", port, options, ct);
        await client.AuthenticateAsync(Replay.Password(), SmtpAuthMechanism.Plain, ct);
        return await client.SendAsync(new SmtpEnvelope("alice@contoso.com", new[] { "bob@contoso.com" }),
            content ?? new TestMessageContent("Subject: fault\r\n\r\nbody\r\n"), ct);
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task Every_fault_at_every_step_ends_in_a_specific_engine_error_in_its_phase(Fault fault, int step)
    {
        bool waits = fault is Fault.Silence or Fault.PartialReply;
        TimeSpan timeout = waits ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(15);
        await using ScriptedServer server = Server(fault, step);
        using var client = new SmtpClient();

        Task<SmtpSendResult> session = RunSessionAsync(client, server.Port, Options(timeout));
        SmtpException error = await Assert.ThrowsAnyAsync<SmtpException>(() =>
            session.WaitAsync(HangGuard, TestContext.Current.CancellationToken));

        Assert.Empty(server.ScriptErrors);
        if (fault == Fault.Reset && step == 0)
            Assert.Contains(error.Phase, new[] { SmtpPhase.Connect, SmtpPhase.Greeting }); // the reset may beat the connect's completion
        else
            Assert.Equal(PhaseOfStep[step], error.Phase);
        Assert.False(client.IsConnected, "after a fault that ends the session the client must not claim a usable connection");
        // Every one of these faults leaves the connection dead: the caller must reconnect.
        Assert.IsAssignableFrom<SmtpProtocolException>(error);

        string expectedId = fault switch
        {
            // SmtpConnectionLost, SmtpConnectionClosed (or SmtpConnectFailed when the reset beats the connect)
            Fault.Reset => "SmtpConnect",
            Fault.Silence or Fault.PartialReply => "SmtpTimeout",
            Fault.InvalidCode => "SmtpInvalidReply",
            Fault.HugeLine => "SmtpReplyTooLong",
            _ => "",
        };
        if (step == 6 && fault != Fault.Reply421)
        {
            // The final dot went out and no valid reply came back: the message may have arrived. Never "sent".
            var unknown = Assert.IsType<SmtpDeliveryUnknownException>(error);
            Assert.True(unknown.DeliveryUnknown);
            var inner = Assert.IsAssignableFrom<SmtpProtocolException>(unknown.InnerException);
            Assert.StartsWith(expectedId, inner.ErrorId);
            return;
        }
        if (fault == Fault.Reply421)
        {
            Assert.Equal(421, error.ReplyCode);
            Assert.False(error.DeliveryUnknown, "a 421 is an explicit refusal, not an unknown outcome");
        }
        else Assert.StartsWith(expectedId, error.ErrorId);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public async Task A_421_among_pipelined_replies_ends_the_session_with_that_reply(int at)
    {
        // Pipelined MAIL, RCPT, RCPT, DATA: reply "at" is 421 and the server closes; earlier replies are 250.
        await using var server = new ScriptedServer(async c =>
        {
            await c.WriteAsync("220 mx.test ESMTP\r\n");
            while (await c.ReadLineAsync() is { } line)
            {
                string verb = line.Split(' ')[0].ToUpperInvariant();
                if (verb == "EHLO") { await c.WriteAsync("250-mx.test\r\n250-PIPELINING\r\n250 AUTH PLAIN\r\n"); continue; }
                if (verb == "AUTH") { await c.WriteAsync("235 ok\r\n"); continue; }
                if (verb != "MAIL") { await c.WriteAsync("250 ok\r\n"); continue; }
                for (int i = 0; i < 3; i++) await c.ReadLineAsync(); // RCPT, RCPT, DATA
                var sb = new StringBuilder();
                for (int i = 0; i < at; i++) sb.Append("250 2.1.5 ok\r\n");
                sb.Append("421 4.4.2 mx.test Error: timeout exceeded\r\n");
                await c.WriteAsync(sb.ToString());
                return;
            }
        });
        using var client = new SmtpClient();
        SmtpConnectOptions options = Options(TimeSpan.FromSeconds(15));
        options.UsePipelining = true;
        CancellationToken ct = TestContext.Current.CancellationToken;
        await client.ConnectAsync("127.0.0.1", server.Port, options, ct);
        await client.AuthenticateAsync(Replay.Password(), SmtpAuthMechanism.Plain, ct);
        SmtpException error = await Assert.ThrowsAnyAsync<SmtpException>(() =>
            client.SendAsync(new SmtpEnvelope("alice@contoso.com", new[] { "bob@contoso.com", "carol@contoso.com" }),
                new TestMessageContent("Subject: x\r\n\r\nx\r\n"), ct).WaitAsync(HangGuard, ct));
        Assert.IsAssignableFrom<SmtpProtocolException>(error);
        Assert.Equal(421, error.ReplyCode);
        Assert.Equal(at == 0 ? SmtpPhase.MailFrom : SmtpPhase.RcptTo, error.Phase);
        Assert.Equal(at == 0 ? "SmtpSenderRejected" : "SmtpRecipientsRejected", error.ErrorId);
        Assert.False(client.IsConnected);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_reset_in_the_middle_of_the_content_is_a_lost_connection_not_an_unknown_delivery(bool chunking)
    {
        await using var server = new ScriptedServer(async c =>
        {
            await c.WriteAsync("220 mx.test ESMTP\r\n");
            while (await c.ReadLineAsync() is { } line)
            {
                string verb = line.Split(' ')[0].ToUpperInvariant();
                if (verb == "EHLO") await c.WriteAsync("250-mx.test\r\n" + (chunking ? "250-CHUNKING\r\n" : "") + "250 AUTH PLAIN\r\n");
                else if (verb == "DATA") { await c.WriteAsync("354 go\r\n"); await c.ReadDataAsync(stopAfter: 100_000); c.Reset(); return; }
                else if (verb == "BDAT") { await c.SkipAsync(100_000); c.Reset(); return; }
                else await c.WriteAsync(verb == "AUTH" ? "235 ok\r\n" : "250 ok\r\n");
            }
        });
        using var client = new SmtpClient();
        var content = new GeneratedContent(8 * 1024 * 1024);
        SmtpException error = await Assert.ThrowsAnyAsync<SmtpException>(() =>
            RunSessionAsync(client, server.Port, Options(TimeSpan.FromSeconds(15)), content)
                .WaitAsync(HangGuard, TestContext.Current.CancellationToken));
        Assert.IsNotType<SmtpDeliveryUnknownException>(error);
        Assert.IsAssignableFrom<SmtpProtocolException>(error);
        Assert.Equal(chunking ? SmtpPhase.Bdat : SmtpPhase.Data, error.Phase);
        Assert.Equal("SmtpConnectionLost", error.ErrorId);
        Assert.False(client.IsConnected);
    }

    [Fact]
    public async Task A_server_that_stops_reading_mid_data_trips_the_command_timeout_instead_of_hanging()
    {
        await using var server = new ScriptedServer(async c =>
        {
            await c.WriteAsync("220 mx.test ESMTP\r\n");
            while (await c.ReadLineAsync() is { } line)
            {
                string verb = line.Split(' ')[0].ToUpperInvariant();
                if (verb == "EHLO") await c.WriteAsync("250-mx.test\r\n250 AUTH PLAIN\r\n");
                else if (verb == "DATA") { await c.WriteAsync("354 go\r\n"); await c.GoSilentAsync(); return; }
                else await c.WriteAsync(verb == "AUTH" ? "235 ok\r\n" : "250 ok\r\n");
            }
        });
        using var client = new SmtpClient();
        var content = new GeneratedContent(1L << 30); // far more than the socket buffers hold
        SmtpException error = await Assert.ThrowsAnyAsync<SmtpException>(() =>
            RunSessionAsync(client, server.Port, Options(TimeSpan.FromSeconds(1)), content)
                .WaitAsync(HangGuard, TestContext.Current.CancellationToken));
        Assert.Equal("SmtpTimeout", error.ErrorId);
        Assert.Equal(SmtpPhase.Data, error.Phase);
        Assert.Equal(ErrorKind.OperationTimeout, error.Kind);
        Assert.False(error.DeliveryUnknown, "the end of the message was never sent");
        Assert.True(content.Written < content.Size, "the client stopped writing");
        Assert.False(client.IsConnected);
    }

    public enum TlsFault { CloseAfter220, GarbageAfter220, SilentAfter220 }

    [Theory]
    [InlineData(TlsFault.CloseAfter220, "SmtpTlsHandshakeFailed")]
    [InlineData(TlsFault.GarbageAfter220, "SmtpTlsHandshakeFailed")]
    [InlineData(TlsFault.SilentAfter220, "SmtpTimeout")]
    public async Task A_failed_tls_handshake_is_a_security_or_timeout_error_in_the_starttls_phase_and_sends_no_credentials(TlsFault fault,
        string errorId)
    {
        await using var server = new ScriptedServer(async c =>
        {
            await c.WriteAsync("220 mx.test ESMTP\r\n");
            while (await c.ReadLineAsync() is { } line)
            {
                string verb = line.Split(' ')[0].ToUpperInvariant();
                if (verb == "EHLO") { await c.WriteAsync("250-mx.test\r\n250-STARTTLS\r\n250 AUTH PLAIN\r\n"); continue; }
                if (verb != "STARTTLS") { await c.WriteAsync("250 ok\r\n"); continue; }
                await c.WriteAsync("220 2.0.0 Ready to start TLS\r\n");
                if (fault == TlsFault.CloseAfter220) { await Task.Delay(100); return; }
                if (fault == TlsFault.SilentAfter220) { await c.GoSilentAsync(); return; }
                byte[] hello = new byte[512];
                _ = await c.Stream.ReadAsync(hello); // the ClientHello
                await c.WriteAsync("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
                await c.WaitForClientCloseAsync(TimeSpan.FromSeconds(10));
                return;
            }
        });
        using var client = new SmtpClient();
        SmtpConnectOptions options = Options(TimeSpan.FromSeconds(fault == TlsFault.SilentAfter220 ? 1 : 15));
        options.TlsMode = SmtpTlsMode.StartTlsRequired;
        options.TlsPolicy = new TlsPolicy { ServerName = "localhost" };
        SmtpException error = await Assert.ThrowsAnyAsync<SmtpException>(() =>
            RunSessionAsync(client, server.Port, options).WaitAsync(HangGuard, TestContext.Current.CancellationToken));
        Assert.IsAssignableFrom<SmtpProtocolException>(error);
        Assert.Equal(errorId, error.ErrorId);
        Assert.Equal(SmtpPhase.StartTls, error.Phase);
        Assert.False(client.IsAuthenticated);
        Assert.False(client.IsConnected);
    }

    [Fact]
    public async Task A_multi_line_reply_of_many_short_lines_is_bounded_too()
    {
        await using var server = new ScriptedServer(async c =>
        {
            await c.WriteAsync("220 mx.test ESMTP\r\n");
            await c.ReadLineAsync();
            var sb = new StringBuilder();
            for (int i = 0; i < 40_000; i++) sb.Append("250-EXTENSION-NUMBER-").Append(i).Append('\r').Append('\n');
            try { await c.WriteAsync(sb.ToString()); } catch (IOException) { }
            await c.WaitForClientCloseAsync(TimeSpan.FromSeconds(10));
        });
        using var client = new SmtpClient();
        SmtpException error = await Assert.ThrowsAnyAsync<SmtpException>(() =>
            RunSessionAsync(client, server.Port, Options(TimeSpan.FromSeconds(15)))
                .WaitAsync(HangGuard, TestContext.Current.CancellationToken));
        Assert.Equal("SmtpReplyTooLong", error.ErrorId);
        Assert.Equal(SmtpPhase.Ehlo, error.Phase);
    }

    [Theory]
    [InlineData("600 six hundred")]
    [InlineData("2x0 letters")]
    [InlineData("25")]
    [InlineData("250x no separator")]
    [InlineData("150 positive preliminary is not SMTP")]
    [InlineData("\u00e9250 non-ascii first")]
    [InlineData("")]
    public async Task An_invalid_reply_to_mail_from_is_an_invalid_reply_error(string reply)
    {
        await using var server = new ScriptedServer(async c =>
        {
            await c.WriteAsync("220 mx.test ESMTP\r\n");
            while (await c.ReadLineAsync() is { } line)
            {
                string verb = line.Split(' ')[0].ToUpperInvariant();
                if (verb == "EHLO") await c.WriteAsync("250-mx.test\r\n250 AUTH PLAIN\r\n");
                else if (verb == "MAIL")
                {
                    await c.WriteAsync(reply + "\r\n");
                    await c.WaitForClientCloseAsync(TimeSpan.FromSeconds(10));
                    return;
                }
                else await c.WriteAsync(verb == "AUTH" ? "235 ok\r\n" : "250 ok\r\n");
            }
        });
        using var client = new SmtpClient();
        SmtpException error = await Assert.ThrowsAnyAsync<SmtpException>(() =>
            RunSessionAsync(client, server.Port, Options(TimeSpan.FromSeconds(15)))
                .WaitAsync(HangGuard, TestContext.Current.CancellationToken));
        Assert.Equal("SmtpInvalidReply", error.ErrorId);
        Assert.Equal(SmtpPhase.MailFrom, error.Phase);
        Assert.IsAssignableFrom<SmtpProtocolException>(error);
    }

    [Theory]
    [InlineData("354 go ahead")]        // an intermediate reply where a completion is due
    [InlineData("334 VXNlcm5hbWU6")]   // an AUTH challenge out of place
    [InlineData("452 4.3.1 insufficient storage")]
    public async Task Only_a_2xx_reply_to_the_final_dot_counts_as_sent(string finalReply)
    {
        await using var server = new ScriptedServer(async c =>
        {
            await c.WriteAsync("220 mx.test ESMTP\r\n");
            while (await c.ReadLineAsync() is { } line)
            {
                string verb = line.Split(' ')[0].ToUpperInvariant();
                if (verb == "EHLO") await c.WriteAsync("250-mx.test\r\n250 AUTH PLAIN\r\n");
                else if (verb == "DATA")
                {
                    await c.WriteAsync("354 go\r\n");
                    await c.ReadDataAsync();
                    await c.WriteAsync(finalReply + "\r\n");
                }
                else if (verb == "QUIT") { await c.WriteAsync("221 bye\r\n"); return; }
                else await c.WriteAsync(verb == "AUTH" ? "235 ok\r\n" : "250 ok\r\n");
            }
        });
        using var client = new SmtpClient();
        SmtpException error = await Assert.ThrowsAnyAsync<SmtpException>(() =>
            RunSessionAsync(client, server.Port, Options(TimeSpan.FromSeconds(15)))
                .WaitAsync(HangGuard, TestContext.Current.CancellationToken));
        Assert.Equal(SmtpPhase.Data, error.Phase);
        Assert.Equal(int.Parse(finalReply[..3]), error.ReplyCode);
        Assert.False(error.DeliveryUnknown);
    }
}

/// <summary>A message of <see cref="Size"/> bytes generated on the fly (no big array): header, then lines of text.</summary>
public sealed class GeneratedContent(long size) : IMessageContent
{
    private static readonly byte[] Block = MakeBlock();

    public long Size => size;
    public long Written { get; private set; }
    public bool Requires8BitMime => false;
    public bool RequiresSmtpUtf8 => false;
    public long ComputeSize() => size;

    private static byte[] MakeBlock()
    {
        var sb = new StringBuilder();
        while (sb.Length < 64 * 1024 - 80) sb.Append("0123456789abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ0123\r\n");
        return Encoding.ASCII.GetBytes(sb.ToString());
    }

    public async Task WriteToAsync(Stream output, CancellationToken cancellationToken)
    {
        byte[] header = Encoding.ASCII.GetBytes("Subject: generated\r\n\r\n");
        await output.WriteAsync(header, cancellationToken);
        Written = header.Length;
        while (Written < size)
        {
            int n = (int)Math.Min(Block.Length, size - Written);
            await output.WriteAsync(Block.AsMemory(0, n), cancellationToken);
            Written += n;
        }
    }
}
