using M365SmtpTools.Engine.Mime;
using M365SmtpTools.Engine.Smtp;
using M365SmtpTools.Engine.Tests.Infrastructure;
using static M365SmtpTools.Engine.Tests.Smtp.Replay;

namespace M365SmtpTools.Engine.Tests.Smtp;

/// <summary>
/// Each way a mail transaction fails, as the caller reads it: the error's exact text and advice, what was written to
/// the server, and whether the session can be used for the next message.
/// </summary>
public class SmtpTransactionFailureTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static SmtpEnvelope Env(params string[] to) => new("alice@contoso.com", to.Length == 0 ? new[] { "bob@fabrikam.com" } : to);

    [Fact]
    public async Task Refusals_before_sending_say_why_and_what_to_do_and_write_nothing()
    {
        var (client, stream) = await ConnectAsync(Greeting, Ehlo("SIZE 100"));

        var none = await Assert.ThrowsAsync<M365SmtpException>(() =>
            client.SendAsync(new SmtpEnvelope("alice@contoso.com", Array.Empty<string>()), new TestMessageContent("x"), Ct));
        Assert.Equal(("SmtpNoRecipients", "The message has no recipients.", "Give at least one To, Cc or Bcc address."),
            (none.ErrorId, none.Message, none.RecommendedAction));

        var large = await Assert.ThrowsAsync<SmtpCommandException>(() =>
            client.SendAsync(Env(), new TestMessageContent(new string('z', 101)), Ct));
        Assert.Equal("The message is 101 bytes and the server at mx.test accepts at most 100 bytes; nothing was sent.", large.Message);
        Assert.Equal("Send smaller attachments (base64 makes them about a third larger), or share them by link.", large.RecommendedAction);

        var utf8 = await Assert.ThrowsAsync<SmtpCommandException>(() =>
            client.SendAsync(Env(), new TestMessageContent("x") { RequiresSmtpUtf8 = true }, Ct));
        Assert.Equal("The message needs SMTPUTF8 (internationalized addresses or headers) and the server at mx.test doesn't offer it; "
            + "nothing was sent.", utf8.Message);
        Assert.Equal("Use ASCII addresses, or a server that supports SMTPUTF8.", utf8.RecommendedAction);

        var eightBit = await Assert.ThrowsAsync<SmtpCommandException>(() =>
            client.SendAsync(Env(), new TestMessageContent("x") { Requires8BitMime = true }, Ct));
        Assert.Equal("The message has 8bit parts and the server at mx.test doesn't offer 8BITMIME; nothing was sent.", eightBit.Message);
        Assert.Equal("Encode the parts as quoted-printable or base64.", eightBit.RecommendedAction);

        Assert.Equal(EhloCommand, stream.Written);
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task Without_pipelining_one_accepted_recipient_is_enough_for_DATA()
    {
        var (client, stream) = await ConnectAsync(Greeting, Ehlo(), "250 ok\r\n", "250 ok\r\n", "550 5.1.1 unknown\r\n", "354 go\r\n",
            "250 queued\r\n");
        SmtpSendResult result = await client.SendAsync(Env("a@fabrikam.com", "b@fabrikam.com"), new TestMessageContent("hi\r\n"), Ct);
        Assert.Equal(250, result.FinalReply.Code);
        Assert.Equal("b@fabrikam.com", Assert.Single(result.RejectedRecipients).Address);
        Assert.Equal(new[] { "RCPT TO:<b@fabrikam.com>\r\n", "DATA\r\n", "hi\r\n.\r\n" }, stream.Turns.Skip(3));
    }

    [Theory]
    [InlineData(new[] { "b@fabrikam.com" }, "The server refused the recipient <b@fabrikam.com>: 550 5.1.1 unknown")]
    [InlineData(new[] { "a@fabrikam.com", "b@fabrikam.com" },
        "The server refused all 2 recipients (the first, <a@fabrikam.com>): 550 5.1.1 unknown")]
    public async Task Refused_recipients_are_named_in_the_error(string[] recipients, string message)
    {
        var replies = new List<string> { Greeting, Ehlo(), "250 ok\r\n" };
        replies.AddRange(recipients.Select(_ => "550 5.1.1 unknown\r\n"));
        replies.Add("250 reset\r\n");
        var (client, _) = await ConnectAsync(replies.ToArray());
        var ex = await Assert.ThrowsAsync<SmtpCommandException>(() =>
            client.SendAsync(Env(recipients), new TestMessageContent("x\r\n"), Ct));
        Assert.Equal(message, ex.Message);
    }

    [Fact]
    public async Task The_sender_and_DATA_refusals_are_named_in_the_error()
    {
        var (client, stream) = await ConnectAsync(Greeting, Ehlo(), "550 5.7.1 not you\r\n", "250 reset\r\n",
            "250 ok\r\n", "250 ok\r\n", "554 5.3.0 no data today\r\n", "250 reset\r\n");
        var sender = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(Env(), new TestMessageContent("x\r\n"), Ct));
        Assert.Equal("The server refused the sender <alice@contoso.com>: 550 5.7.1 not you", sender.Message);
        var data = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(Env(), new TestMessageContent("x\r\n"), Ct));
        Assert.Equal(("SmtpDataRejected", "The server refused DATA: 554 5.3.0 no data today"), (data.ErrorId, data.Message));
        Assert.Equal("RSET\r\n", stream.Turns[^1]);
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task A_421_at_a_later_recipient_ends_the_session_before_the_content()
    {
        var (client, stream) = await ConnectAsync(Greeting, Ehlo("PIPELINING"),
            "250 ok\r\n250 ok\r\n421 4.3.2 Service not available, closing transmission channel\r\n");
        var ex = await Assert.ThrowsAsync<SmtpProtocolException>(() =>
            client.SendAsync(Env("a@fabrikam.com", "b@fabrikam.com"), new TestMessageContent("x\r\n"), Ct));
        Assert.Equal("SmtpRecipientsRejected", ex.ErrorId);
        Assert.Equal("The server closed the session at the recipient <b@fabrikam.com>: 421 4.3.2 Service not available, closing "
            + "transmission channel"
            + " The server closed the session; reconnect to go on.", ex.Message);
        Assert.Equal("This is temporary: try again later.", ex.RecommendedAction); // the refusal's own advice is kept
        Assert.DoesNotContain("RSET", stream.Written);
        Assert.False(client.IsConnected);
    }

    [Fact]
    public async Task A_421_to_the_end_of_the_message_is_a_closed_session_that_keeps_the_refusals_advice()
    {
        var (client, stream) = await ConnectAsync(Greeting, Ehlo(), "250 ok\r\n", "250 ok\r\n", "354 go\r\n", "421 closing now\r\n");
        var closed = await Assert.ThrowsAsync<SmtpProtocolException>(() => client.SendAsync(Env(), new TestMessageContent("x\r\n"), Ct));
        Assert.Equal(("SmtpMessageRejected", 421), (closed.ErrorId, closed.ReplyCode));
        Assert.Equal("The server refused the message: 421 closing now The server closed the session; reconnect to go on.", closed.Message);
        Assert.Equal("This is temporary: try again later.", closed.RecommendedAction);
        Assert.DoesNotContain("RSET", stream.Written);
        Assert.False(client.IsConnected);
    }

    [Fact]
    public async Task A_refused_RSET_after_a_failure_ends_the_session_and_says_both()
    {
        var (client, stream) = await ConnectAsync(Greeting, Ehlo(), "451 4.3.0 try later\r\n", "500 5.5.1 what RSET\r\n");
        var ex = await Assert.ThrowsAsync<SmtpProtocolException>(() => client.SendAsync(Env(), new TestMessageContent("x\r\n"), Ct));
        Assert.Equal("SmtpResetFailed", ex.ErrorId);
        Assert.Equal(SmtpPhase.MailFrom, ex.Phase);
        Assert.Equal("The server refused the sender <alice@contoso.com>: 451 4.3.0 try later Then the session ended: "
            + "The server at mx.test refused RSET (500 5.5.1 what RSET); the session can't go on.", ex.Message);
        Assert.Equal(451, ex.ReplyCode);
        var refusal = Assert.IsType<SmtpCommandException>(ex.InnerException);
        Assert.NotNull(refusal.RecommendedAction);
        Assert.Equal(refusal.RecommendedAction, ex.RecommendedAction); // the refusal's advice, not the RSET's
        Assert.Equal("RSET\r\n", stream.Turns[^1]);
        Assert.False(client.IsConnected);
    }

    [Fact]
    public async Task A_refused_RSET_on_its_own_closes_the_session_and_says_to_reconnect()
    {
        var (client, _) = await ConnectAsync(Greeting, Ehlo(), "502 5.5.1 no RSET here\r\n");
        var ex = await Assert.ThrowsAsync<SmtpProtocolException>(() => client.ResetAsync(Ct));
        Assert.Equal(("SmtpResetFailed", SmtpPhase.Rset, "Reconnect."), (ex.ErrorId, ex.Phase, ex.RecommendedAction));
        Assert.Equal("The server at mx.test refused RSET (502 5.5.1 no RSET here); the session can't go on.", ex.Message);
        Assert.False(client.IsConnected);
    }

    [Fact]
    public async Task The_end_of_the_message_is_the_final_BDAT_reply_and_needs_no_RSET()
    {
        var (client, stream) = await ConnectAsync(Greeting, Ehlo("CHUNKING"), "250 ok\r\n", "250 ok\r\n", "554 5.6.0 bad content\r\n",
            "250 ok\r\n");
        var ex = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(Env(), new TestMessageContent("small\r\n"), Ct));
        Assert.Equal(("SmtpMessageRejected", SmtpPhase.Bdat, "The server refused the message: 554 5.6.0 bad content"),
            (ex.ErrorId, ex.Phase, ex.Message));
        Assert.Equal("BDAT 7 LAST\r\nsmall\r\n", stream.Turns[^1]);
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task A_chunk_filled_by_the_line_end_added_at_the_end_and_refused_resets_and_keeps_the_session()
    {
        // 1,023 bytes without a final line break: the CRLF added at the end fills the 1,024-byte chunk, which is sent as
        // a chunk of its own (not LAST) while the message is being ended, and refused.
        SmtpConnectOptions options = Options();
        options.ChunkSize = 1024;
        var (client, stream) = await ConnectAsync(options, Greeting, Ehlo("CHUNKING"), "250 ok\r\n", "250 ok\r\n",
            "552 5.3.4 Message size exceeds fixed maximum message size\r\n", "250 reset\r\n");
        var ex = await Assert.ThrowsAsync<SmtpCommandException>(() =>
            client.SendAsync(Env(), new TestMessageContent(new string('y', 1023)), Ct));
        Assert.Equal(("SmtpMessageRejected", SmtpPhase.Bdat), (ex.ErrorId, ex.Phase));
        Assert.StartsWith("The server refused a BDAT chunk: 552 5.3.4", ex.Message, StringComparison.Ordinal);
        Assert.Equal("bob@fabrikam.com", Assert.Single(ex.RecipientResults).Address);
        Assert.Contains("BDAT 1024\r\n", stream.Written);
        Assert.DoesNotContain("LAST", stream.Written);
        Assert.Equal("RSET\r\n", stream.Turns[^1]);
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task Content_that_fails_midway_says_so_and_why()
    {
        var (client, _) = await ConnectAsync(Greeting, Ehlo(), "250 ok\r\n", "250 ok\r\n", "354 go\r\n");
        var ex = await Assert.ThrowsAsync<SmtpProtocolException>(() =>
            client.SendAsync(Env(), new TestMessageContent(new string('a', 10_000)) { FailAfter = 5_000, WriteSize = 1000 }, Ct));
        Assert.Equal($"Writing the message failed midway ({ex.InnerException!.Message}); the connection to mx.test was closed so no "
            + $"partial message is delivered.", ex.Message);
    }

    [Fact]
    public async Task Cancelled_while_the_content_is_written_closes_the_connection_without_ending_the_message()
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var (client, stream) = await ConnectAsync(Greeting, Ehlo(), "250 ok\r\n", "250 ok\r\n", "354 go\r\n");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.SendAsync(Env(), new CancellingContent(cts), cts.Token));
        Assert.DoesNotContain("\r\n.\r\n", stream.Written);
        Assert.False(client.IsConnected);
        Assert.True(stream.Disposed);
    }

    [Fact]
    public async Task Cancelled_after_the_end_of_the_message_says_it_may_have_arrived()
    {
        var (client, _) = await ConnectAsync(Greeting, Ehlo(), "250 ok\r\n", "250 ok\r\n", "354 go\r\n", ScriptedSmtpStream.Hang);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var ex = await Assert.ThrowsAsync<SmtpDeliveryUnknownException>(() =>
            client.SendAsync(Env(), new TestMessageContent("hello\r\n"), cts.Token));
        Assert.Equal("Sending to mx.test was cancelled after the end of the message was sent and before the server answered. "
            + "The message may or may not "
            + "have been accepted: it is not reported as sent and was not resent.", ex.Message);
    }

    [Fact]
    public async Task Quit_after_the_server_closed_the_session_writes_nothing_and_does_not_throw()
    {
        var (client, stream) = await ConnectAsync(Greeting, Ehlo(), "421 4.3.2 closing\r\n");
        await Assert.ThrowsAsync<SmtpProtocolException>(() => client.SendAsync(Env(), new TestMessageContent("x\r\n"), Ct));
        int written = stream.Written.Length;
        await client.QuitAsync(Ct);
        Assert.Equal(written, stream.Written.Length);
        Assert.DoesNotContain("QUIT", stream.Written);
        await new SmtpClient().QuitAsync(Ct); // never connected: nothing to end
    }

    [Fact]
    public async Task Staged_refusals_name_the_sender_or_recipient_and_utf8_addresses_need_SMTPUTF8()
    {
        var (client, stream) = await ConnectAsync(Greeting, Ehlo(), "550 5.7.1 not you\r\n", "250 ok\r\n", "550 5.1.1 unknown\r\n");
        var sender = await Assert.ThrowsAsync<SmtpCommandException>(() => client.MailFromAsync("alice@contoso.com", Ct));
        Assert.Equal("The server refused the sender <alice@contoso.com>: 550 5.7.1 not you", sender.Message);
        await client.MailFromAsync("alice@contoso.com", Ct);
        var recipient = await Assert.ThrowsAsync<SmtpCommandException>(() => client.RecipientAsync("bob@fabrikam.com", Ct));
        Assert.Equal("The server refused the recipient <bob@fabrikam.com>: 550 5.1.1 unknown", recipient.Message);

        var utf8 = await Assert.ThrowsAsync<SmtpCommandException>(() => client.RecipientAsync("zoë@exämple.de", Ct));
        Assert.Equal("The recipient <zoë@exämple.de> needs SMTPUTF8 and the server at mx.test doesn't offer it; nothing was sent.",
            utf8.Message);
        Assert.Equal("Use an ASCII address, or a server that supports SMTPUTF8.", utf8.RecommendedAction);
        Assert.Equal(4, stream.Turns.Count); // EHLO, MAIL, MAIL, RCPT: the UTF-8 address never went out

        await Assert.ThrowsAsync<ArgumentNullException>(() => client.MailFromAsync(null!, Ct));
        await Assert.ThrowsAsync<ArgumentNullException>(() => client.RecipientAsync(null!, Ct));
    }

    /// <summary>Content whose writer is cancelled after its first block, as Ctrl+C during a large attachment would.</summary>
    private sealed class CancellingContent(CancellationTokenSource cts) : IMessageContent
    {
        public bool Requires8BitMime => false;
        public bool RequiresSmtpUtf8 => false;
        public long ComputeSize() => 4000;

        public async Task WriteToAsync(Stream output, CancellationToken cancellationToken)
        {
            byte[] block = System.Text.Encoding.ASCII.GetBytes(new string('c', 2000) + "\r\n");
            await output.WriteAsync(block, 0, block.Length, cancellationToken);
            cts.Cancel();
            cancellationToken.ThrowIfCancellationRequested();
        }
    }
}
