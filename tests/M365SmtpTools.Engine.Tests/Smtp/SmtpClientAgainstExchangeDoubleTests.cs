using System.Text;
using M365SmtpTools.Engine.Smtp;
using M365SmtpTools.Engine.Tests.Infrastructure;

namespace M365SmtpTools.Engine.Tests.Smtp;

/// <summary>The client against the Exchange Online behaviour double: every reply in DOMAIN.md's catalogue, over real sockets and
/// TLS.</summary>
public class SmtpClientAgainstExchangeDoubleTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private const string Body = "From: alice@contoso.com\r\nTo: bob@fabrikam.com\r\nSubject: hi\r\n\r\n.dot line\r\nbye\r\n";

    private static SmtpEnvelope Env(string from = "alice@contoso.com", params string[] to) =>
        new(from, to.Length == 0 ? new[] { "bob@fabrikam.com" } : to);

    private static async Task<SmtpClient> ConnectAsync(ExchangeOnlineDouble exo, SmtpConnectOptions? options = null)
    {
        var client = new SmtpClient();
        await client.ConnectAsync(exo.Host, exo.Port, options ?? exo.ClientOptions(), Ct);
        return client;
    }

    [Fact]
    public async Task Oauth_submission_end_to_end_with_bdat()
    {
        await using var exo = ExchangeOnlineDouble.Start();
        using SmtpClient client = await ConnectAsync(exo);
        await client.AuthenticateAsync(Replay.Token(token: "good-token"), cancellationToken: Ct);
        SmtpSendResult result = await client.SendAsync(Env(), new TestMessageContent(Body), Ct);
        await client.QuitAsync(Ct);

        Assert.True(result.UsedChunking);
        Assert.Contains("Queued mail for delivery", result.FinalReply.Text);
        DoubleMessage m = Assert.Single(exo.Messages);
        Assert.Equal(Body, m.Text);
        Assert.Equal("alice@contoso.com", m.Mailbox);
        Assert.True(m.OverTls && m.UsedBdat);
        DoubleAuthAttempt auth = Assert.Single(exo.AuthAttempts);
        Assert.Equal(("XOAUTH2", "alice@contoso.com", true, true), (auth.Mechanism, auth.User, auth.Succeeded, auth.InitialResponse));
    }

    [Fact]
    public async Task Data_path_delivers_the_message_unstuffed_and_with_crlf_only()
    {
        await using var exo = ExchangeOnlineDouble.Start();
        SmtpConnectOptions options = exo.ClientOptions();
        options.UseChunking = false;
        using SmtpClient client = await ConnectAsync(exo, options);
        await client.AuthenticateAsync(Replay.Password(password: "app-password"), SmtpAuthMechanism.Login, Ct);
        await client.SendAsync(Env(), new TestMessageContent("Subject: x\n\n.a\rb\r\n") { WriteSize = 2 }, Ct);

        DoubleMessage m = Assert.Single(exo.Messages);
        Assert.False(m.UsedBdat);
        Assert.Equal("Subject: x\r\n\r\n.a\r\nb\r\n", m.Text);
        Assert.Equal("Subject: x\r\n\r\n..a\r\nb\r\n.\r\n", Encoding.ASCII.GetString(m.RawData));
    }

    [Fact]
    public async Task Many_messages_share_one_connection()
    {
        await using var exo = ExchangeOnlineDouble.Start();
        using SmtpClient client = await ConnectAsync(exo);
        await client.AuthenticateAsync(Replay.Token(token: "good-token"), cancellationToken: Ct);
        for (int i = 0; i < 3; i++)
            await client.SendAsync(Env(), new TestMessageContent($"Subject: {i}\r\n\r\nx\r\n"), Ct);
        await client.QuitAsync(Ct);
        Assert.Equal(3, exo.Messages.Count);
        Assert.Equal(1, exo.ConnectionCount);
    }

    [Fact]
    public async Task Wrong_token_is_535_5_7_3()
    {
        await using var exo = ExchangeOnlineDouble.Start();
        using SmtpClient client = await ConnectAsync(exo);
        var ex = await Assert.ThrowsAsync<SmtpCommandException>(() =>
            client.AuthenticateAsync(Replay.Token(token: "bad-token"), cancellationToken: Ct));
        Assert.Equal((535, "5.7.3"), (ex.ReplyCode!.Value, ex.EnhancedStatusCode!.ToString()));
        Assert.Equal(ErrorKind.AuthenticationError, ex.Kind);
        Assert.True(client.IsConnected);
        Assert.False(Assert.Single(exo.AuthAttempts).Succeeded);
    }

    [Fact]
    public async Task Xoauth2_error_challenge_path_against_a_real_socket()
    {
        await using var exo = ExchangeOnlineDouble.Start(new ExchangeOnlineDoubleOptions { XOAuth2ErrorChallenge = true });
        using SmtpClient client = await ConnectAsync(exo);
        var ex = await Assert.ThrowsAsync<SmtpCommandException>(() =>
            client.AuthenticateAsync(Replay.Token(token: "bad-token"), cancellationToken: Ct));
        Assert.Equal(535, ex.ReplyCode);
        Assert.Contains("\"status\":\"401\"", ex.ServerErrorDetail);
        await client.QuitAsync(Ct);
        await exo.WaitForSessionsAsync();
        Assert.Contains("client answered the error challenge with an empty line", exo.Sessions.Single().Notes);
    }

    [Theory]
    [InlineData(DoubleAuthPolicy.SmtpAuthDisabledForTenant, 535, "5.7.139", "disabled for the Tenant")]
    [InlineData(DoubleAuthPolicy.SecurityDefaults, 535, "5.7.139", "security defaults")]
    [InlineData(DoubleAuthPolicy.BasicAuthRetired, 550, "5.7.30", "Basic authentication is not supported")]
    public async Task Tenant_policies_refuse_good_passwords(DoubleAuthPolicy policy, int code, string enhanced, string text)
    {
        await using var exo = ExchangeOnlineDouble.Start(new ExchangeOnlineDoubleOptions { AuthPolicy = policy });
        using SmtpClient client = await ConnectAsync(exo);
        var ex = await Assert.ThrowsAsync<SmtpCommandException>(() =>
            client.AuthenticateAsync(Replay.Password(password: "app-password"), cancellationToken: Ct));
        Assert.Equal(code, ex.ReplyCode);
        Assert.Equal(enhanced, ex.EnhancedStatusCode!.ToString());
        Assert.Contains(text, ex.ReplyText);
        Assert.Equal(SmtpPhase.Auth, ex.Phase);
        // The double names itself *.outlook.office365.com in EHLO, so the reply catalogue's advice is attached.
        Assert.True(client.IsKnownServer);
        string expectedAction = M365SmtpTools.Engine.Exchange.ReplyCatalogue.Explain(code, enhanced, ex.ReplyText!).Remediation;
        Assert.NotNull(ex.RecommendedAction);
        Assert.Equal(expectedAction, ex.RecommendedAction);
    }

    [Fact]
    public async Task Plain_when_offered()
    {
        await using var exo = ExchangeOnlineDouble.Start(new ExchangeOnlineDoubleOptions
        {
            AuthMechanisms = new[] { "LOGIN", "PLAIN", "XOAUTH2" }
        });
        using SmtpClient client = await ConnectAsync(exo);
        await client.AuthenticateAsync(Replay.Password(password: "app-password"), cancellationToken: Ct);
        Assert.Equal("PLAIN", Assert.Single(exo.AuthAttempts).Mechanism);
    }

    [Fact]
    public async Task Mail_without_auth_is_530_5_7_57()
    {
        await using var exo = ExchangeOnlineDouble.Start();
        using SmtpClient client = await ConnectAsync(exo);
        var ex = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(Env(), new TestMessageContent(Body), Ct));
        Assert.Equal((530, "5.7.57", SmtpPhase.MailFrom), (ex.ReplyCode!.Value, ex.EnhancedStatusCode!.ToString(), ex.Phase));
        Assert.True(client.IsConnected);
        Assert.Empty(exo.Messages);
    }

    [Fact]
    public async Task Send_as_without_permission_is_5_7_60_and_granting_it_fixes_it()
    {
        await using var exo = ExchangeOnlineDouble.Start();
        using SmtpClient client = await ConnectAsync(exo);
        await client.AuthenticateAsync(Replay.Token(token: "good-token"), cancellationToken: Ct);
        var ex = await Assert.ThrowsAsync<SmtpCommandException>(() =>
            client.SendAsync(Env("shared@contoso.com"), new TestMessageContent(Body), Ct));
        Assert.Equal("5.7.60", ex.EnhancedStatusCode!.ToString());
        Assert.Equal(ErrorKind.PermissionDenied, ex.Kind);

        exo.Options.SendAs["alice@contoso.com"] = new HashSet<string> { "shared@contoso.com" };
        await client.SendAsync(Env("shared@contoso.com"), new TestMessageContent(Body), Ct);
        Assert.Equal("shared@contoso.com", Assert.Single(exo.Messages).MailFrom);
    }

    [Fact]
    public async Task Send_as_refused_after_data_when_configured_so()
    {
        await using var exo = ExchangeOnlineDouble.Start(new ExchangeOnlineDoubleOptions { SendAsCheck = DoubleSendAsCheck.EndOfData });
        using SmtpClient client = await ConnectAsync(exo);
        await client.AuthenticateAsync(Replay.Token(token: "good-token"), cancellationToken: Ct);
        var ex = await Assert.ThrowsAsync<SmtpCommandException>(() =>
            client.SendAsync(Env("shared@contoso.com"), new TestMessageContent(Body), Ct));
        Assert.Equal("5.7.60", ex.EnhancedStatusCode!.ToString());
        Assert.Equal(SmtpPhase.Bdat, ex.Phase);
    }

    [Fact]
    public async Task A_fourth_concurrent_session_of_the_mailbox_gets_432_4_3_2()
    {
        await using var exo = ExchangeOnlineDouble.Start();
        var clients = new List<SmtpClient>();
        try
        {
            for (int i = 0; i < 4; i++)
            {
                SmtpClient c = await ConnectAsync(exo);
                clients.Add(c);
                await c.AuthenticateAsync(Replay.Token(token: "good-token"), cancellationToken: Ct);
            }
            await clients[0].SendAsync(Env(), new TestMessageContent(Body), Ct);
            var ex = await Assert.ThrowsAsync<SmtpCommandException>(() => clients[3].SendAsync(Env(), new TestMessageContent(Body), Ct));
            Assert.Equal((432, "4.3.2"), (ex.ReplyCode!.Value, ex.EnhancedStatusCode!.ToString()));
            Assert.Equal(ErrorKind.ResourceUnavailable, ex.Kind);
            Assert.Equal(4, exo.PeakConcurrentConnections);

            await clients[0].QuitAsync(Ct);
            await exo.WaitUntilAsync(() => exo.Sessions[0].Ended);
            await clients[3].SendAsync(Env(), new TestMessageContent(Body), Ct);
            Assert.Equal(2, exo.Messages.Count);
        }
        finally
        {
            foreach (SmtpClient c in clients) c.Dispose();
        }
    }

    [Fact]
    public async Task The_rate_limit_uses_the_injected_clock()
    {
        DateTimeOffset now = new(2026, 11, 22, 8, 0, 0, TimeSpan.Zero);
        await using var exo = ExchangeOnlineDouble.Start(new ExchangeOnlineDoubleOptions { MessagesPerMinute = 2, Clock = () => now });
        using SmtpClient client = await ConnectAsync(exo);
        await client.AuthenticateAsync(Replay.Token(token: "good-token"), cancellationToken: Ct);
        await client.SendAsync(Env(), new TestMessageContent(Body), Ct);
        await client.SendAsync(Env(), new TestMessageContent(Body), Ct);
        var ex = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(Env(), new TestMessageContent(Body), Ct));
        Assert.Equal((554, "5.2.0"), (ex.ReplyCode!.Value, ex.EnhancedStatusCode!.ToString()));
        Assert.Contains("SubmissionQuotaExceeded", ex.ReplyText);
        Assert.Equal(ErrorKind.LimitsExceeded, ex.Kind);

        now = now.AddSeconds(61);
        await client.SendAsync(Env(), new TestMessageContent(Body), Ct);
        Assert.Equal(3, exo.Messages.Count);
    }

    [Fact]
    public async Task Mailbox_full_is_554_5_2_2()
    {
        await using var exo = ExchangeOnlineDouble.Start(new ExchangeOnlineDoubleOptions { MailboxFull = true });
        using SmtpClient client = await ConnectAsync(exo);
        await client.AuthenticateAsync(Replay.Token(token: "good-token"), cancellationToken: Ct);
        var ex = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(Env(), new TestMessageContent(Body), Ct));
        Assert.Equal("5.2.2", ex.EnhancedStatusCode!.ToString());
        Assert.Contains("mailbox full", ex.ReplyText);
    }

    [Fact]
    public async Task Size_limit_is_checked_by_the_client_first_and_enforced_by_the_server()
    {
        await using var exo = ExchangeOnlineDouble.Start(new ExchangeOnlineDoubleOptions { MaxMessageSize = 1000 });
        SmtpConnectOptions options = exo.ClientOptions();
        options.UseChunking = false;
        using SmtpClient client = await ConnectAsync(exo, options);
        await client.AuthenticateAsync(Replay.Token(token: "good-token"), cancellationToken: Ct);
        Assert.Equal(1000, client.Capabilities.MaxMessageSize);

        var before = await Assert.ThrowsAsync<SmtpCommandException>(() =>
            client.SendAsync(Env(), new TestMessageContent(new string('x', 1001)), Ct));
        Assert.Equal("SmtpMessageTooLarge", before.ErrorId);
        Assert.DoesNotContain(exo.Sessions.Single().Commands, c => c.StartsWith("MAIL"));

        // A content that under-reports its size meets the server's own 552 5.3.4 after DATA.
        var after = await Assert.ThrowsAsync<SmtpCommandException>(() =>
            client.SendAsync(Env(), new TestMessageContent(new string('x', 2000)) { ReportedSize = 10 }, Ct));
        Assert.Equal((552, "5.3.4"), (after.ReplyCode!.Value, after.EnhancedStatusCode!.ToString()));
        Assert.Equal(ErrorKind.LimitsExceeded, after.Kind);
    }

    [Theory]
    [InlineData(DoubleMxBehavior.RelayDenied, "5.7.64")]
    [InlineData(DoubleMxBehavior.DirectSendRejected, "5.7.68")]
    public async Task Mx_endpoint_refusals(DoubleMxBehavior behavior, string enhanced)
    {
        await using var exo = ExchangeOnlineDouble.Start(new ExchangeOnlineDoubleOptions { Role = DoubleRole.Mx, MxBehavior = behavior });
        using SmtpClient client = await ConnectAsync(exo);
        var ex = await Assert.ThrowsAsync<SmtpCommandException>(() =>
            client.SendAsync(Env("scanner@contoso.com", "bob@contoso.com"), new TestMessageContent(Body), Ct));
        Assert.Equal(enhanced, ex.EnhancedStatusCode!.ToString());
        Assert.Equal(SmtpPhase.RcptTo, ex.Phase);
        Assert.Equal("RSET", exo.Sessions.Single().Commands[^1]);
    }

    [Fact]
    public async Task Mx_direct_send_accepts_internal_recipients_and_refuses_external_ones_with_pipelined_data()
    {
        await using var exo = ExchangeOnlineDouble.Start(new ExchangeOnlineDoubleOptions
        {
            Role = DoubleRole.Mx, MxBehavior = DoubleMxBehavior.UnableToRelayNonAccepted
        });
        SmtpConnectOptions options = exo.ClientOptions();
        options.UseChunking = false;
        using SmtpClient client = await ConnectAsync(exo, options);
        SmtpSendResult result = await client.SendAsync(Env("scanner@contoso.com", "bob@contoso.com", "eve@fabrikam.com"),
            new TestMessageContent(Body), Ct);

        Assert.Equal("5.7.54", Assert.Single(result.RejectedRecipients).Reply.EnhancedStatusCode!.ToString());
        Assert.Equal(new[] { "bob@contoso.com" }, Assert.Single(exo.Messages).Recipients);
    }

    [Fact]
    public async Task Dropped_after_end_of_data_is_unknown_and_the_double_kept_nothing()
    {
        await using var exo = ExchangeOnlineDouble.Start(new ExchangeOnlineDoubleOptions { DropAfterEndOfData = true });
        using SmtpClient client = await ConnectAsync(exo);
        await client.AuthenticateAsync(Replay.Token(token: "good-token"), cancellationToken: Ct);
        var ex = await Assert.ThrowsAsync<SmtpDeliveryUnknownException>(() => client.SendAsync(Env(), new TestMessageContent(Body), Ct));
        Assert.True(ex.DeliveryUnknown);
        Assert.False(client.IsConnected);
    }

    [Fact]
    public async Task A_slow_server_trips_the_command_timeout()
    {
        await using var exo = ExchangeOnlineDouble.Start();
        exo.Options.ReplyDelay = TimeSpan.FromSeconds(5);
        SmtpConnectOptions options = exo.ClientOptions();
        options.CommandTimeout = TimeSpan.FromMilliseconds(300);
        using var slow = new SmtpClient();
        var ex = await Assert.ThrowsAsync<SmtpProtocolException>(() => slow.ConnectAsync(exo.Host, exo.Port, options, Ct));
        Assert.Equal("SmtpTimeout", ex.ErrorId);
        Assert.Equal(ErrorKind.OperationTimeout, ex.Kind);
        Assert.Equal(SmtpPhase.Greeting, ex.Phase);
        Assert.False(slow.IsConnected);
    }

    [Fact]
    public async Task No_starttls_on_a_required_tls_connection_sends_no_auth_and_no_mail()
    {
        await using var exo = ExchangeOnlineDouble.Start(new ExchangeOnlineDoubleOptions
        {
            OfferStartTls = false, OfferAuthWithoutTls = true
        });
        using var client = new SmtpClient();
        var ex = await Assert.ThrowsAsync<SmtpProtocolException>(() => client.ConnectAsync(exo.Host, exo.Port, exo.ClientOptions(), Ct));
        Assert.Equal("SmtpStartTlsNotOffered", ex.ErrorId);
        await exo.WaitForSessionsAsync();
        Assert.Equal(new[] { "EHLO client.contoso.com" }, exo.Sessions.Single().Commands);
        Assert.Empty(exo.AuthAttempts);
    }

    [Fact]
    public async Task Transcript_file_holds_the_session_without_secrets()
    {
        string dir = TestPaths.NewTempDir();
        string path = Path.Combine(dir, "smtp.log");
        await using var exo = ExchangeOnlineDouble.Start();
        using (var file = new FileSmtpTranscriptLogger(path))
        {
            using SmtpClient client = await ConnectAsync(exo, exo.ClientOptions(file));
            await client.AuthenticateAsync(Replay.Password(password: "app-password"), SmtpAuthMechanism.Login, Ct);
            await client.SendAsync(Env(), new TestMessageContent(Body), Ct);
            await client.QuitAsync(Ct);
        }
        string text = await File.ReadAllTextAsync(path, Ct);
        Assert.Contains(" C Auth: AUTH LOGIN", text);
        Assert.Contains(" S Auth: 235 2.7.0 Authentication successful", text);
        Assert.Contains(" * StartTls: TLS negotiated", text);
        Assert.DoesNotContain("app-password", text);
        Assert.DoesNotContain(Replay.B64("app-password"), text);
        Assert.DoesNotContain(Replay.B64("alice@contoso.com"), text);
        Assert.Contains(" C Bdat: BDAT ", text);
        Directory.Delete(dir, true);
    }
}
