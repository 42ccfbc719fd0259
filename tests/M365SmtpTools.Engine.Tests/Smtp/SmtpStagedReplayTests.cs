using M365SmtpTools.Engine.Smtp;
using static M365SmtpTools.Engine.Tests.Smtp.Replay;

namespace M365SmtpTools.Engine.Tests.Smtp;

/// <summary>The single-step methods diagnostics use: MAIL FROM alone, RCPT TO alone, RSET without DATA.</summary>
public class SmtpStagedReplayTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task MailFrom_and_Recipient_send_one_bare_command_each_and_RSET_abandons_the_transaction()
    {
        var (client, stream) = await ConnectAsync(Greeting, Ehlo("SIZE 1000", "PIPELINING", "DSN"), "250 2.1.0 Sender OK\r\n",
            "250 2.1.5 Recipient OK\r\n", "250 2.0.0 Resetting\r\n");

        SmtpReply mail = await client.MailFromAsync("alice@contoso.com", Ct);
        SmtpReply rcpt = await client.RecipientAsync("bob@fabrikam.com", Ct);
        await client.ResetAsync(Ct);

        Assert.Equal(new[] { EhloCommand, "MAIL FROM:<alice@contoso.com>\r\n", "RCPT TO:<bob@fabrikam.com>\r\n", "RSET\r\n" },
            stream.Turns);
        Assert.Equal(250, mail.Code);
        Assert.Equal("2.1.5", rcpt.EnhancedStatusCode!.ToString());
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task A_refused_sender_is_a_command_exception_carrying_the_reply_and_the_session_stays_usable()
    {
        var (client, stream) = await ConnectAsync(Greeting, Ehlo(),
            "550 5.7.60 SMTP; Client does not have permissions to send as this sender\r\n", "250 2.0.0 OK\r\n");

        var e = await Assert.ThrowsAsync<SmtpCommandException>(() => client.MailFromAsync("boss@contoso.com", Ct));
        Assert.Equal("SmtpSenderRejected", e.ErrorId);
        Assert.Equal(SmtpPhase.MailFrom, e.Phase);
        Assert.Equal("5.7.60", e.EnhancedStatusCode!.ToString());
        Assert.Equal(ErrorKind.PermissionDenied, e.Kind);
        Assert.True(client.IsConnected);
        Assert.Equal(250, (await client.NoopAsync(Ct)).Code);
        Assert.Equal(new[] { EhloCommand, "MAIL FROM:<boss@contoso.com>\r\n", "NOOP\r\n" }, stream.Turns);
    }

    [Fact]
    public async Task A_refused_recipient_carries_its_result_and_the_next_recipient_can_still_be_tried()
    {
        var (client, stream) = await ConnectAsync(Greeting, Ehlo(), "250 ok\r\n", "550 5.7.64 TenantAttribution; Relay Access Denied\r\n",
            "250 2.1.5 ok\r\n");
        await client.MailFromAsync("scanner@contoso.com", Ct);

        var e = await Assert.ThrowsAsync<SmtpCommandException>(() => client.RecipientAsync("x@fabrikam.com", Ct));
        Assert.Equal("SmtpRecipientsRejected", e.ErrorId);
        Assert.Equal(SmtpPhase.RcptTo, e.Phase);
        Assert.False(e.RecipientResults.Single().Accepted);
        Assert.Equal(250, (await client.RecipientAsync("y@contoso.com", Ct)).Code);
        Assert.Equal(new[] { EhloCommand, "MAIL FROM:<scanner@contoso.com>\r\n", "RCPT TO:<x@fabrikam.com>\r\n",
            "RCPT TO:<y@contoso.com>\r\n" }, stream.Turns);
    }

    [Fact]
    public async Task A_staged_address_that_needs_smtputf8_is_refused_unsent_when_the_server_does_not_offer_it()
    {
        var (client, stream) = await ConnectAsync(Greeting, Ehlo("PIPELINING"), "250 2.1.0 ok\r\n");

        var sender = await Assert.ThrowsAsync<SmtpCommandException>(() => client.MailFromAsync("jörg@exämple.de", Ct));
        Assert.Equal("SmtpUtf8NotSupported", sender.ErrorId);
        Assert.Equal(SmtpPhase.MailFrom, sender.Phase);
        Assert.StartsWith("The sender <jörg@exämple.de> needs SMTPUTF8", sender.Message);

        await client.MailFromAsync("alice@contoso.com", Ct);
        var recipient = await Assert.ThrowsAsync<SmtpCommandException>(() => client.RecipientAsync("zoë@exämple.de", Ct));
        Assert.Equal(SmtpPhase.RcptTo, recipient.Phase);
        Assert.StartsWith("The recipient <zoë@exämple.de> needs SMTPUTF8", recipient.Message);
        // Only the ASCII sender reached the wire.
        Assert.Equal(new[] { EhloCommand, "MAIL FROM:<alice@contoso.com>\r\n" }, stream.Turns);
    }

    [Fact]
    public async Task Addresses_that_would_break_the_command_line_are_refused_before_anything_is_sent()
    {
        var (client, stream) = await ConnectAsync(Greeting, Ehlo());
        var e = await Assert.ThrowsAnyAsync<M365SmtpException>(() => client.MailFromAsync("a@b.com>\r\nRCPT TO:<evil@x.com", Ct));
        Assert.Equal("SmtpInvalidAddress", e.ErrorId);
        Assert.Equal(new[] { EhloCommand }, stream.Turns);
    }

    [Fact]
    public async Task An_empty_recipient_is_refused_before_anything_is_sent()
    {
        var (client, stream) = await ConnectAsync(Greeting, Ehlo(), "250 ok\r\n");
        await client.MailFromAsync("alice@contoso.com", Ct);
        var e = await Assert.ThrowsAnyAsync<M365SmtpException>(() => client.RecipientAsync("", Ct));
        Assert.Equal("SmtpInvalidAddress", e.ErrorId);
        Assert.Equal(new[] { EhloCommand, "MAIL FROM:<alice@contoso.com>\r\n" }, stream.Turns);
    }
}
