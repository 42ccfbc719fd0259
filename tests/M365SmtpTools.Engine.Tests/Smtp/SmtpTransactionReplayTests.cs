using System.Text;
using M365SmtpTools.Engine.Mime;
using M365SmtpTools.Engine.Smtp;
using M365SmtpTools.Engine.Tests.Infrastructure;
using static M365SmtpTools.Engine.Tests.Smtp.Replay;

namespace M365SmtpTools.Engine.Tests.Smtp;

/// <summary>MAIL/RCPT/DATA/BDAT byte for byte: pipelining, partial acceptance, RSET, SIZE, parameters, unknown delivery.</summary>
public class SmtpTransactionReplayTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static SmtpEnvelope Env(params string[] to) => new("alice@contoso.com", to.Length == 0 ? new[] { "bob@fabrikam.com" } : to);

    [Fact]
    public async Task Data_is_dot_stuffed_and_every_line_end_becomes_crlf_even_across_split_writes()
    {
        string body = "Subject: t\r\n\r\n.leading dot\nbare LF\rbare CR\r\n..two\r\n\r\n.\r\nend";
        var content = new TestMessageContent(body) { WriteSize = 3 };
        var (client, stream) = await ConnectAsync(Greeting, Ehlo("SIZE 1000000"),
            "250 2.1.0 ok\r\n", "250 2.1.5 ok\r\n", "354 go ahead\r\n", "250 2.0.0 queued as 123\r\n");

        SmtpSendResult result = await client.SendAsync(Env(), content, Ct);

        Assert.Equal(new[]
        {
            EhloCommand,
            $"MAIL FROM:<alice@contoso.com> SIZE={Encoding.UTF8.GetByteCount(body)}\r\n",
            "RCPT TO:<bob@fabrikam.com>\r\n",
            "DATA\r\n",
            "Subject: t\r\n\r\n..leading dot\r\nbare LF\r\nbare CR\r\n...two\r\n\r\n..\r\nend\r\n.\r\n",
        }, stream.Turns);
        Assert.Equal("2.0.0", result.FinalReply.EnhancedStatusCode!.ToString());
        Assert.False(result.UsedChunking);
        Assert.Equal("Subject: t\r\n\r\n..leading dot\r\nbare LF\r\nbare CR\r\n...two\r\n\r\n..\r\nend\r\n".Length, result.BytesSent);
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task No_bare_cr_or_lf_reaches_the_wire_for_any_input()
    {
        var random = new Random(4711);
        for (int round = 0; round < 200; round++)
        {
            byte[] soup = new byte[random.Next(0, 200)];
            for (int i = 0; i < soup.Length; i++) soup[i] = "\r\n.a"[random.Next(4)] is char c ? (byte)c : (byte)0;
            var (client, stream) = await ConnectAsync(Greeting, Ehlo(), "250 ok\r\n", "250 ok\r\n", "354 go\r\n", "250 ok\r\n");
            await client.SendAsync(Env(), new TestMessageContent(soup) { WriteSize = random.Next(1, 8) }, Ct);

            byte[] data = Encoding.Latin1.GetBytes(stream.Turns[^1]);
            for (int i = 0; i < data.Length; i++)
            {
                if (data[i] == '\r') Assert.True(i + 1 < data.Length && data[i + 1] == '\n', $"bare CR at {i} in round {round}");
                if (data[i] == '\n') Assert.True(i > 0 && data[i - 1] == '\r', $"bare LF at {i} in round {round}");
            }
            Assert.EndsWith("\r\n.\r\n", "\r\n" + stream.Turns[^1]);
            // Only the terminator is a lone dot line: the content can't end the message early.
            Assert.Equal(data.Length - 3, IndexOfDotLine(data));
        }
    }

    private static int IndexOfDotLine(byte[] d)
    {
        for (int i = 0; i + 2 < d.Length; i++)
            if ((i == 0 || d[i - 1] == '\n') && d[i] == '.' && d[i + 1] == '\r' && d[i + 2] == '\n') return i;
        return -1;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_large_message_is_streamed_in_bounded_writes_not_buffered_whole(bool chunking)
    {
        var script = new List<string> { Greeting, Ehlo(chunking ? "CHUNKING" : "SIZE"), "250 ok\r\n", "250 ok\r\n" };
        int size = 5 * 1024 * 1024;
        if (chunking) script.AddRange(Enumerable.Repeat("250 chunk ok\r\n", size / (64 * 1024) + 1));
        else script.Add("354 go\r\n");
        script.Add("250 queued\r\n");
        var (client, stream) = await ConnectAsync(script.ToArray());
        byte[] content = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat(new string('m', 998) + "\r\n", size / 1000)));
        SmtpSendResult result = await client.SendAsync(Env(), new TestMessageContent(content) { WriteSize = 256 * 1024 }, Ct);

        Assert.Equal(content.Length, result.BytesSent);
        Assert.InRange(stream.MaxWriteSize, 1, 16 * 1024);
        Assert.True(stream.WriteCount > content.Length / (16 * 1024));
    }

    [Fact]
    public async Task Pipelining_sends_mail_rcpt_and_data_together_and_reads_every_reply_when_a_middle_rcpt_fails()
    {
        var (client, stream) = await ConnectAsync(Greeting, Ehlo("PIPELINING", "ENHANCEDSTATUSCODES"),
            "250 2.1.0 Sender OK\r\n", "250 2.1.5 Recipient OK\r\n", "550 5.1.1 User unknown\r\n",
            "250 2.1.5 Recipient OK\r\n", "354 go\r\n", "250 2.0.0 queued\r\n");

        SmtpSendResult result = await client.SendAsync(Env("a@fabrikam.com", "b@fabrikam.com", "c@fabrikam.com"),
            new TestMessageContent("Subject: x\r\n\r\nhi\r\n"), Ct);

        Assert.Equal(3, stream.Turns.Count);
        Assert.Equal("MAIL FROM:<alice@contoso.com>\r\nRCPT TO:<a@fabrikam.com>\r\n" +
            "RCPT TO:<b@fabrikam.com>\r\nRCPT TO:<c@fabrikam.com>\r\nDATA\r\n", stream.Turns[1]);
        Assert.Equal("Subject: x\r\n\r\nhi\r\n.\r\n", stream.Turns[2]);
        Assert.Equal(new[] { true, false, true }, result.Recipients.Select(r => r.Accepted));
        SmtpRecipientResult rejected = Assert.Single(result.RejectedRecipients);
        Assert.Equal("b@fabrikam.com", rejected.Address);
        Assert.Equal("5.1.1", rejected.Reply.EnhancedStatusCode!.ToString());
    }

    [Fact]
    public async Task All_recipients_rejected_sends_rset_and_keeps_the_connection()
    {
        var (client, stream) = await ConnectAsync(Greeting, Ehlo("PIPELINING"),
            "250 2.1.0 Sender OK\r\n550 5.7.64 TenantAttribution; Relay Access Denied\r\n" +
                "550 5.7.64 TenantAttribution; Relay Access Denied\r\n554 5.5.1 Error: no valid recipients\r\n",
            "250 2.0.0 Resetting\r\n");

        var ex = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(Env("a@fabrikam.com", "b@fabrikam.com"),
            new TestMessageContent("x\r\n"), Ct));

        Assert.Equal("SmtpRecipientsRejected", ex.ErrorId);
        Assert.Equal(SmtpPhase.RcptTo, ex.Phase);
        Assert.Equal("5.7.64", ex.EnhancedStatusCode!.ToString());
        Assert.Equal(ErrorKind.PermissionDenied, ex.Kind);
        Assert.Equal(2, ex.RecipientResults.Count);
        Assert.All(ex.RecipientResults, r => Assert.False(r.Accepted));
        Assert.Equal("RSET\r\n", stream.Turns[^1]);
        Assert.DoesNotContain("\r\n.\r\n", stream.Written);
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task A_pipelined_data_accepted_after_all_recipients_failed_is_ended_empty_then_reset()
    {
        var (client, stream) = await ConnectAsync(Greeting, Ehlo("PIPELINING"),
            "250 ok\r\n", "550 5.1.1 unknown\r\n", "354 go ahead\r\n", "554 5.5.1 no valid recipients\r\n", "250 reset\r\n");
        await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(Env(), new TestMessageContent("x\r\n"), Ct));
        Assert.Equal(new[] { ".\r\n", "RSET\r\n" }, stream.Turns.Skip(2));
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task Mail_from_refused_without_auth_is_a_command_failure_with_rset()
    {
        var (client, stream) = await ConnectAsync(Greeting, Ehlo("ENHANCEDSTATUSCODES"),
            "530 5.7.57 Client not authenticated to send mail. [BN8PR01CA0001]\r\n", "250 2.0.0 Resetting\r\n");
        var ex = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(Env(), new TestMessageContent("x\r\n"), Ct));

        Assert.Equal("SmtpSenderRejected", ex.ErrorId);
        Assert.Equal(SmtpPhase.MailFrom, ex.Phase);
        Assert.Equal(530, ex.ReplyCode);
        Assert.Equal("5.7.57", ex.EnhancedStatusCode!.ToString());
        Assert.Equal(ErrorKind.AuthenticationError, ex.Kind);
        Assert.Equal(new[] { EhloCommand, "MAIL FROM:<alice@contoso.com>\r\n", "RSET\r\n" }, stream.Turns);
    }

    [Fact]
    public async Task Bdat_frames_the_message_in_chunks_with_last_and_no_dot_stuffing()
    {
        SmtpConnectOptions options = Options();
        options.ChunkSize = 1024;
        string body = ".first\n" + new string('x', 1500) + "\r\n.last";
        var (client, stream) = await ConnectAsync(options, Greeting, Ehlo("PIPELINING", "CHUNKING"),
            "250 ok\r\n250 ok\r\n", "250 2.0.0 chunk ok\r\n", "250 2.0.0 queued\r\n");

        SmtpSendResult result = await client.SendAsync(Env(), new TestMessageContent(body) { WriteSize = 100 }, Ct);

        string wire = ".first\r\n" + new string('x', 1500) + "\r\n.last\r\n";
        Assert.Equal(new[]
        {
            EhloCommand,
            "MAIL FROM:<alice@contoso.com>\r\nRCPT TO:<bob@fabrikam.com>\r\n",
            "BDAT 1024\r\n" + wire[..1024],
            $"BDAT {wire.Length - 1024} LAST\r\n" + wire[1024..],
        }, stream.Turns);
        Assert.True(result.UsedChunking);
        Assert.Equal(wire.Length, result.BytesSent);
    }

    [Theory]
    // The chunk size asked for, down to a floor of 1024 bytes (a tiny chunk would cost a round trip per few bytes).
    [InlineData(2000, new[] { 2000, 2000 })]
    [InlineData(100, new[] { 1024, 1024, 1024, 1024 })]
    // A chunk size larger than the message: its buffer is sized to the message, which still goes in one BDAT LAST.
    [InlineData(1_000_000, new int[0])]
    public async Task Bdat_chunks_have_the_size_asked_for_but_at_least_1024_bytes(int chunkSize, int[] fullChunks)
    {
        SmtpConnectOptions options = Options();
        options.ChunkSize = chunkSize;
        string wire = string.Concat(Enumerable.Range(0, 50).Select(i => $"line {i:D2} " + new string((char)('a' + i % 26), 90) + "\r\n"));
        Assert.Equal(5000, wire.Length);
        var script = new List<string> { Greeting, Ehlo("PIPELINING", "CHUNKING"), "250 ok\r\n250 ok\r\n" };
        script.AddRange(fullChunks.Select(_ => "250 2.0.0 chunk ok\r\n"));
        script.Add("250 2.0.0 queued\r\n");
        var (client, stream) = await ConnectAsync(options, script.ToArray());

        SmtpSendResult result = await client.SendAsync(Env(), new TestMessageContent(wire) { WriteSize = 700 }, Ct);

        var expected = new List<string> { EhloCommand, "MAIL FROM:<alice@contoso.com>\r\nRCPT TO:<bob@fabrikam.com>\r\n" };
        int at = 0;
        foreach (int n in fullChunks) { expected.Add($"BDAT {n}\r\n" + wire.Substring(at, n)); at += n; }
        expected.Add($"BDAT {wire.Length - at} LAST\r\n" + wire[at..]);
        Assert.Equal(expected, stream.Turns);
        Assert.Equal(wire.Length, result.BytesSent);
    }

    [Theory]
    [InlineData(false, "[message content: 3002 bytes]")]
    [InlineData(true, "[message content: 3002 bytes in 3 BDAT chunk(s)]")]
    public async Task The_transcript_notes_the_content_size_and_the_BDAT_chunks_instead_of_the_content(bool chunking, string note)
    {
        var transcript = new InMemorySmtpTranscriptLogger();
        SmtpConnectOptions options = Options();
        options.ChunkSize = 1024;
        options.TranscriptLogger = transcript;
        var script = new List<string> { Greeting, Ehlo(chunking ? "CHUNKING" : "8BITMIME"), "250 ok\r\n", "250 ok\r\n" };
        script.AddRange(chunking ? new[] { "250 chunk\r\n", "250 chunk\r\n", "250 2.0.0 queued\r\n" }
            : new[] { "354 go\r\n", "250 2.0.0 queued\r\n" });
        var (client, _) = await ConnectAsync(options, script.ToArray());

        // 3,000 bytes with no line end: the client ends the content with CRLF, 3,002 bytes in chunks of 1,024.
        await client.SendAsync(Env(), new TestMessageContent(new string('x', 3000)), Ct);

        string[] info = transcript.Entries.Where(e => e.Direction == SmtpTranscriptDirection.Info).Select(e => e.Text).ToArray();
        Assert.Contains(note, info);
        Assert.DoesNotContain(transcript.Entries, e => e.Text.Contains("xxxx", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_refused_bdat_chunk_resets_and_keeps_the_connection()
    {
        SmtpConnectOptions options = Options();
        options.ChunkSize = 1024;
        var (client, stream) = await ConnectAsync(options, Greeting, Ehlo("CHUNKING"), "250 ok\r\n", "250 ok\r\n",
            "552 5.3.4 Message size exceeds fixed maximum message size\r\n", "250 reset\r\n");

        var ex = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(Env(),
            new TestMessageContent(new string('y', 3000)), Ct));

        Assert.Equal(SmtpPhase.Bdat, ex.Phase);
        Assert.Equal(ErrorKind.LimitsExceeded, ex.Kind);
        Assert.Equal("SmtpMessageRejected", ex.ErrorId);
        Assert.StartsWith("The server refused a BDAT chunk: 552 5.3.4 Message size exceeds", ex.Message, StringComparison.Ordinal);
        Assert.Equal("RSET\r\n", stream.Turns[^1]);
        Assert.Single(ex.RecipientResults);
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task A_content_writer_that_ignores_a_refused_chunk_gets_the_same_failure_on_its_next_write()
    {
        SmtpConnectOptions options = Options();
        options.ChunkSize = 1024;
        var (client, stream) = await ConnectAsync(options, Greeting, Ehlo("CHUNKING"), "250 ok\r\n", "250 ok\r\n",
            "552 5.3.4 too big\r\n", "250 reset\r\n");
        var content = new StubbornContent();

        var ex = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(Env(), content, Ct));

        Assert.Equal("SmtpMessageRejected", ex.ErrorId);
        Assert.NotNull(content.FirstFailure);
        Assert.Same(content.FirstFailure, content.SecondFailure); // nothing more went on the wire after the refusal
        Assert.Equal(new[] { false, false, true }, content.Capabilities); // CanRead, CanSeek, CanWrite: a write-only stream
        Assert.Single(stream.Turns, t => t.StartsWith("BDAT ", StringComparison.Ordinal));
    }

    /// <summary>Content that swallows the first failure of a write and tries once more, as a careless writer might.</summary>
    private sealed class StubbornContent : IMessageContent
    {
        public Exception? FirstFailure, SecondFailure;
        public bool[] Capabilities = Array.Empty<bool>();
        public bool Requires8BitMime => false;
        public bool RequiresSmtpUtf8 => false;
        public long ComputeSize() => 4000;

        public async Task WriteToAsync(Stream output, CancellationToken cancellationToken)
        {
            Capabilities = new[] { output.CanRead, output.CanSeek, output.CanWrite };
            byte[] block = Encoding.ASCII.GetBytes(new string('s', 2000));
            try { await output.WriteAsync(block, 0, block.Length, cancellationToken); }
            catch (SmtpException e) { FirstFailure = e; }
            try { await output.WriteAsync(block, 0, block.Length, cancellationToken); }
            catch (SmtpException e) { SecondFailure = e; throw; }
        }
    }

    [Fact]
    public async Task A_message_over_the_size_limit_is_refused_before_anything_is_sent()
    {
        var (client, stream) = await ConnectAsync(Greeting, Ehlo("SIZE 100", "PIPELINING"));
        var ex = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(Env(),
            new TestMessageContent(new string('z', 101)), Ct));

        Assert.Equal("SmtpMessageTooLarge", ex.ErrorId);
        Assert.Equal(ErrorKind.LimitsExceeded, ex.Kind);
        Assert.Contains("101", ex.Message);
        Assert.Equal(EhloCommand, stream.Written);
        Assert.True(client.IsConnected);
    }

    [Theory]
    // RFC 1870: SIZE n is the largest message the server takes (a message of exactly n bytes goes); SIZE 0 means no
    // fixed limit.
    [InlineData("SIZE 100", 100)]
    [InlineData("SIZE 0", 5000)]
    public async Task A_message_up_to_the_size_limit_is_sent_and_SIZE_0_sets_no_limit(string sizeExtension, int length)
    {
        var (client, stream) = await ConnectAsync(Greeting, Ehlo(sizeExtension), "250 ok\r\n", "250 ok\r\n", "354 go\r\n", "250 ok\r\n");
        string body = new string('z', length - 2) + "\r\n";
        SmtpSendResult result = await client.SendAsync(Env(), new TestMessageContent(body), Ct);

        Assert.Equal($"MAIL FROM:<alice@contoso.com> SIZE={length}\r\n", stream.Turns[1]);
        Assert.Equal(body + ".\r\n", stream.Turns[4]);
        Assert.Equal(length, result.BytesSent);
    }

    [Fact]
    public async Task Two_internationalized_recipients_ask_for_SMTPUTF8_like_one()
    {
        var (client, stream) = await ConnectAsync(Greeting, Ehlo("SMTPUTF8"),
            "250 ok\r\n", "250 ok\r\n", "250 ok\r\n", "354 go\r\n", "250 ok\r\n");
        await client.SendAsync(Env("jörg@exämple.de", "zoë@exämple.de"), new TestMessageContent("x\r\n"), Ct);

        Assert.Equal("MAIL FROM:<alice@contoso.com> SMTPUTF8\r\n", stream.Turns[1]);
    }

    [Theory]
    [InlineData("alice smith@contoso.com", "bob@fabrikam.com", "sender", "alice smith@contoso.com")]
    [InlineData("alice@contoso.com", "bob smith@fabrikam.com", "recipient", "bob smith@fabrikam.com")]
    public async Task An_address_smtp_cant_carry_is_refused_naming_its_role(string from, string to, string role, string address)
    {
        var (client, stream) = await ConnectAsync(Greeting, Ehlo());
        var ex = await Assert.ThrowsAsync<M365SmtpException>(() => client.SendAsync(new SmtpEnvelope(from, new[] { to }),
            new TestMessageContent("x"), Ct));

        Assert.Equal($"The {role} address '{address}' contains a character SMTP doesn't allow in an address (space, control character " +
            "or angle bracket).", ex.Message);
        Assert.Equal(EhloCommand, stream.Written);
    }

    [Fact]
    public async Task Eight_bit_and_utf8_parameters_are_sent_when_needed_and_offered()
    {
        var (client, stream) = await ConnectAsync(Greeting, Ehlo("8BITMIME", "SMTPUTF8", "SIZE"),
            "250 ok\r\n", "250 ok\r\n", "354 go\r\n", "250 ok\r\n");
        var content = new TestMessageContent("Subject: ü\r\n\r\nü\r\n") { Requires8BitMime = true };
        await client.SendAsync(new SmtpEnvelope("jörg@exämple.de", new[] { "bob@fabrikam.com" }), content, Ct);

        byte[] expected = Encoding.UTF8.GetBytes($"MAIL FROM:<jörg@exämple.de> SIZE={content.ComputeSize()} BODY=8BITMIME SMTPUTF8\r\n");
        Assert.Equal(expected, Encoding.Latin1.GetBytes(stream.Turns[1]));
    }

    [Fact]
    public async Task Content_needing_8bitmime_or_smtputf8_is_refused_when_not_offered()
    {
        var (client, stream) = await ConnectAsync(Greeting, Ehlo("PIPELINING"));
        var ex1 = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(Env(),
            new TestMessageContent("x") { Requires8BitMime = true }, Ct));
        Assert.Equal("Smtp8BitMimeNotSupported", ex1.ErrorId);
        var ex2 = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(Env(),
            new TestMessageContent("x") { RequiresSmtpUtf8 = true }, Ct));
        Assert.Equal("SmtpUtf8NotSupported", ex2.ErrorId);
        var ex3 = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(Env("jörg@exämple.de"),
            new TestMessageContent("x"), Ct));
        Assert.Equal("SmtpUtf8NotSupported", ex3.ErrorId);
        Assert.Equal(EhloCommand, stream.Written);
    }

    [Fact]
    public async Task Dsn_parameters_are_sent_when_offered_and_dropped_with_a_warning_when_not()
    {
        SmtpEnvelope env = Env();
        env.Notify = SmtpDsnNotify.Success | SmtpDsnNotify.Failure;
        env.Return = SmtpDsnReturn.Headers;
        env.EnvelopeId = "id+1=x";
        var (client, stream) = await ConnectAsync(Greeting, Ehlo("DSN"), "250 ok\r\n", "250 ok\r\n", "354 go\r\n", "250 ok\r\n");
        await client.SendAsync(env, new TestMessageContent("x\r\n"), Ct);
        Assert.Equal("MAIL FROM:<alice@contoso.com> RET=HDRS ENVID=id+2B1+3Dx\r\n", stream.Turns[1]);
        Assert.Equal("RCPT TO:<bob@fabrikam.com> NOTIFY=SUCCESS,FAILURE\r\n", stream.Turns[2]);

        var host = new RecordingHost();
        SmtpConnectOptions options = Options();
        options.Host = host;
        var (client2, stream2) = await ConnectAsync(options, Greeting, Ehlo(), "250 ok\r\n", "250 ok\r\n", "354 go\r\n", "250 ok\r\n");
        await client2.SendAsync(env, new TestMessageContent("x\r\n"), Ct);
        Assert.Equal("MAIL FROM:<alice@contoso.com>\r\n", stream2.Turns[1]);
        Assert.Contains(host.Warnings, w => w.Contains("DSN"));

        // No notification asked for: nothing to drop, so no warning.
        var quiet = new RecordingHost();
        options.Host = quiet;
        var (client3, _) = await ConnectAsync(options, Greeting, Ehlo(), "250 ok\r\n", "250 ok\r\n", "354 go\r\n", "250 ok\r\n");
        await client3.SendAsync(Env(), new TestMessageContent("x\r\n"), Ct);
        Assert.Empty(quiet.Warnings);
    }

    [Fact]
    public async Task Connection_lost_after_the_final_dot_is_delivery_unknown()
    {
        var (client, stream) = await ConnectAsync(Greeting, Ehlo(), "250 ok\r\n", "250 ok\r\n", "354 go\r\n");
        var ex = await Assert.ThrowsAsync<SmtpDeliveryUnknownException>(() => client.SendAsync(Env(),
            new TestMessageContent("hello\r\n"), Ct));

        Assert.True(ex.DeliveryUnknown);
        Assert.Equal("SmtpDeliveryUnknown", ex.ErrorId);
        Assert.Equal(SmtpPhase.Data, ex.Phase);
        Assert.EndsWith("hello\r\n.\r\n", stream.Written);
        Assert.Matches(@"^The connection to \S+ was lost after the end of the message was sent and before the server answered " +
            @"\(.+\)\. The message may or may not have been accepted: it is not reported as sent and was not resent\.$", ex.Message);
        Assert.IsAssignableFrom<SmtpProtocolException>(ex);
        Assert.False(client.IsConnected);
    }

    [Fact]
    public async Task Cancelled_while_waiting_for_the_reply_to_the_final_dot_is_delivery_unknown()
    {
        var (client, _) = await ConnectAsync(Greeting, Ehlo(), "250 ok\r\n", "250 ok\r\n", "354 go\r\n", ScriptedSmtpStream.Hang);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var ex = await Assert.ThrowsAsync<SmtpDeliveryUnknownException>(() => client.SendAsync(Env(),
            new TestMessageContent("hello\r\n"), cts.Token));
        Assert.Equal(ErrorKind.Cancelled, ex.Kind);
        Assert.IsAssignableFrom<OperationCanceledException>(ex.InnerException);
    }

    [Fact]
    public async Task Connection_lost_after_bdat_last_is_delivery_unknown()
    {
        var (client, _) = await ConnectAsync(Greeting, Ehlo("CHUNKING"), "250 ok\r\n", "250 ok\r\n");
        var ex = await Assert.ThrowsAsync<SmtpDeliveryUnknownException>(() => client.SendAsync(Env(),
            new TestMessageContent("hello\r\n"), Ct));
        Assert.Equal(SmtpPhase.Bdat, ex.Phase);
    }

    [Fact]
    public async Task Connection_lost_before_data_is_a_protocol_failure_not_unknown()
    {
        var (client, _) = await ConnectAsync(Greeting, Ehlo(), "250 ok\r\n");
        var ex = await Assert.ThrowsAsync<SmtpProtocolException>(() => client.SendAsync(Env(), new TestMessageContent("hello\r\n"), Ct));
        Assert.False(ex.DeliveryUnknown);
        Assert.Equal("SmtpConnectionClosed", ex.ErrorId);
        Assert.Equal(SmtpPhase.RcptTo, ex.Phase);
    }

    [Fact]
    public async Task A_message_refused_after_the_dot_leaves_the_session_usable_for_the_next_one()
    {
        var (client, stream) = await ConnectAsync(Greeting, Ehlo(),
            "250 ok\r\n", "250 ok\r\n", "354 go\r\n", "554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException\r\n",
            "250 ok\r\n", "250 ok\r\n", "354 go\r\n", "250 2.0.0 queued\r\n", "221 bye\r\n");

        var ex = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(Env(), new TestMessageContent("one\r\n"), Ct));
        Assert.Equal("SmtpMessageRejected", ex.ErrorId);
        Assert.Equal(ErrorKind.LimitsExceeded, ex.Kind);
        Assert.Equal(SmtpPhase.Data, ex.Phase);
        Assert.True(client.IsConnected);

        SmtpSendResult second = await client.SendAsync(Env(), new TestMessageContent("two\r\n"), Ct);
        Assert.Equal(250, second.FinalReply.Code);
        await client.QuitAsync(Ct);
        Assert.Equal(new[] { "MAIL FROM:<alice@contoso.com>\r\n", "RCPT TO:<bob@fabrikam.com>\r\n", "DATA\r\n", "two\r\n.\r\n",
            "QUIT\r\n" }, stream.Turns.Skip(5));
    }

    [Fact]
    public async Task Content_that_fails_midway_closes_the_connection_so_no_partial_message_is_delivered()
    {
        var (client, stream) = await ConnectAsync(Greeting, Ehlo(), "250 ok\r\n", "250 ok\r\n", "354 go\r\n", "250 ok\r\n");
        var ex = await Assert.ThrowsAsync<SmtpProtocolException>(() => client.SendAsync(Env(),
            new TestMessageContent(new string('a', 100_000)) { FailAfter = 50_000, WriteSize = 1000 }, Ct));

        Assert.Equal("SmtpContentFailed", ex.ErrorId);
        Assert.IsType<IOException>(ex.InnerException);
        Assert.DoesNotContain("\r\n.\r\n", stream.Written);
        Assert.False(client.IsConnected);
        Assert.True(stream.Disposed);
    }

    [Theory]
    [InlineData("bob@fabrikam.com\r\nRCPT TO:<eve@evil.test>")]
    [InlineData("bob@fabrikam.com>")]
    [InlineData("bob smith@fabrikam.com")]
    [InlineData("")]
    public async Task Addresses_that_could_inject_commands_are_refused_before_sending(string recipient)
    {
        var (client, stream) = await ConnectAsync(Greeting, Ehlo());
        var ex = await Assert.ThrowsAsync<M365SmtpException>(() => client.SendAsync(Env(recipient), new TestMessageContent("x"), Ct));
        Assert.Equal("SmtpInvalidAddress", ex.ErrorId);
        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        Assert.Equal(EhloCommand, stream.Written);
    }

    [Fact]
    public async Task Transcript_notes_the_content_size_but_not_the_content()
    {
        var log = new InMemorySmtpTranscriptLogger();
        SmtpConnectOptions options = Options();
        options.TranscriptLogger = log;
        var (client, _) = await ConnectAsync(options, Greeting, Ehlo(), "250 ok\r\n", "250 ok\r\n", "354 go\r\n", "250 ok\r\n");
        await client.SendAsync(Env(), new TestMessageContent("Subject: private\r\n\r\nbody text\r\n"), Ct);

        Assert.DoesNotContain(log.Entries, e => e.Text.Contains("private") || e.Text.Contains("body text"));
        Assert.Contains(log.Entries, e => e.Direction == SmtpTranscriptDirection.Info && e.Text.Contains("message content: 31 bytes"));
        Assert.Contains(log.Entries, e => e.Direction == SmtpTranscriptDirection.Client && e.Text == "." && e.Phase == SmtpPhase.Data);
        Assert.Contains(log.Entries, e => e.Direction == SmtpTranscriptDirection.Client && e.Text == "RCPT TO:<bob@fabrikam.com>"
            && e.Phase == SmtpPhase.RcptTo);
    }
}
