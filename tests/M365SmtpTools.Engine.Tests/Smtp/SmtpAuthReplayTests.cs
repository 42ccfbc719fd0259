using System.Text;
using M365SmtpTools.Engine.Smtp;
using M365SmtpTools.Engine.Tests.Infrastructure;
using static M365SmtpTools.Engine.Tests.Smtp.Replay;

namespace M365SmtpTools.Engine.Tests.Smtp;

/// <summary>AUTH exchanges byte for byte, failures, mechanism choice and transcript redaction.</summary>
public class SmtpAuthReplayTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private const string Token = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.payload.sig";

    [Fact]
    public async Task Plain_sends_the_initial_response()
    {
        var (client, stream) = await ConnectAsync(Greeting, Ehlo("AUTH PLAIN LOGIN"), "235 2.7.0 Authentication successful\r\n");
        SmtpReply reply = await client.AuthenticateAsync(Password(), cancellationToken: Ct);

        Assert.Equal(EhloCommand + "AUTH PLAIN " + B64("\0alice@contoso.com\0s3cret-Pa55") + "\r\n", stream.Written);
        Assert.Equal(235, reply.Code);
        Assert.True(client.IsAuthenticated);
        Assert.Equal("PLAIN", client.AuthenticationMechanism);
        Assert.Equal("alice@contoso.com", client.AuthenticatedUser);
    }

    [Fact]
    public async Task Login_answers_the_two_prompts()
    {
        var (client, stream) = await ConnectAsync(Greeting, Ehlo("AUTH LOGIN"), "334 VXNlcm5hbWU6\r\n", "334 UGFzc3dvcmQ6\r\n",
            "235 2.7.0 Authentication successful\r\n");
        await client.AuthenticateAsync(Password(), cancellationToken: Ct);

        Assert.Equal(new[]
        {
            EhloCommand,
            "AUTH LOGIN\r\n",
            B64("alice@contoso.com") + "\r\n",
            B64("s3cret-Pa55") + "\r\n",
        }, stream.Turns);
    }

    [Fact]
    public async Task Xoauth2_sends_the_initial_response()
    {
        var (client, stream) = await ConnectAsync(Greeting, Ehlo("AUTH LOGIN XOAUTH2"), "235 2.7.0 Authentication successful\r\n");
        await client.AuthenticateAsync(Token(), cancellationToken: Ct);

        Assert.Equal(EhloCommand + "AUTH XOAUTH2 " + B64("user=alice@contoso.com\u0001auth=Bearer " + Token + "\u0001\u0001") + "\r\n",
            stream.Written);
        Assert.Equal("XOAUTH2", client.AuthenticationMechanism);
    }

    [Fact]
    public async Task Xoauth2_without_initial_response_waits_for_a_bare_334()
    {
        SmtpConnectOptions options = Options();
        options.UseSaslInitialResponse = false;
        var (client, stream) = await ConnectAsync(options, Greeting, Ehlo("AUTH XOAUTH2"), "334 \r\n",
            "235 2.7.0 Authentication successful\r\n");
        await client.AuthenticateAsync(Token(), SmtpAuthMechanism.XOAuth2, Ct);

        Assert.Equal(new[] { EhloCommand, "AUTH XOAUTH2\r\n",
            B64("user=alice@contoso.com\u0001auth=Bearer " + Token + "\u0001\u0001") + "\r\n" }, stream.Turns);
    }

    [Fact]
    public async Task Xoauth2_error_challenge_is_answered_with_an_empty_line_and_the_json_surfaces()
    {
        string json = "{\"status\":\"401\",\"schemes\":\"bearer\",\"scope\":\"https://mail.google.com/\"}";
        var (client, stream) = await ConnectAsync(Greeting, Ehlo("AUTH XOAUTH2"), "334 " + B64(json) + "\r\n",
            "535 5.7.8 Username and Password not accepted\r\n");
        var ex = await Assert.ThrowsAsync<SmtpCommandException>(() => client.AuthenticateAsync(Token(), cancellationToken: Ct));

        Assert.Equal("\r\n", stream.Turns[^1]);
        Assert.Equal("SmtpAuthenticationFailed", ex.ErrorId);
        Assert.Equal(ErrorKind.AuthenticationError, ex.Kind);
        Assert.Equal(SmtpPhase.Auth, ex.Phase);
        Assert.Equal(535, ex.ReplyCode);
        Assert.Equal(json, ex.ServerErrorDetail);
        Assert.Contains("\"status\":\"401\"", ex.Message);
        Assert.DoesNotContain(Token, ex.Message);
        Assert.True(client.IsConnected);
        Assert.False(client.IsAuthenticated);
    }

    [Fact]
    public async Task OAuthBearer_sends_the_gs2_header_and_answers_an_error_with_ctrl_a()
    {
        var (client, stream) = await ConnectAsync(Greeting, Ehlo("AUTH OAUTHBEARER"),
            "334 " + B64("{\"status\":\"invalid_token\"}") + "\r\n", "535 5.7.8 no\r\n");
        await Assert.ThrowsAsync<SmtpCommandException>(() => client.AuthenticateAsync(Token("a,b=c@contoso.com"), cancellationToken: Ct));

        Assert.Equal("AUTH OAUTHBEARER "
            + B64("n,a=a=2Cb=3Dc@contoso.com,\u0001host=mx.test\u0001port=25\u0001auth=Bearer " + Token + "\u0001\u0001") + "\r\n",
            stream.Turns[1]);
        Assert.Equal("AQ==\r\n", stream.Turns[2]);
    }

    [Fact]
    public async Task The_protocol_layer_alone_knows_no_service_only_the_rules_it_is_given_do()
    {
        const string refusal = "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox.";
        string ehlo = "250-BN9PR03CA0001.outlook.office365.com Hello\r\n250 AUTH LOGIN XOAUTH2\r\n";
        SmtpConnectOptions plain = Options();
        plain.ServerRules = null;
        var (bare, _) = await ConnectAsync(plain, Greeting, ehlo, refusal + "\r\n");
        var generic = await Assert.ThrowsAsync<SmtpCommandException>(() => bare.AuthenticateAsync(Password(), cancellationToken: Ct));
        Assert.False(bare.IsKnownServer);
        Assert.Null(generic.RecommendedAction);

        var (ruled, _) = await ConnectAsync(Options(), Greeting, ehlo, refusal + "\r\n");
        var advised = await Assert.ThrowsAsync<SmtpCommandException>(() => ruled.AuthenticateAsync(Password(), cancellationToken: Ct));
        Assert.True(ruled.IsKnownServer);
        Assert.StartsWith("Allow SMTP AUTH for this mailbox", advised.RecommendedAction);
    }

    [Theory]
    [InlineData("535 5.7.3 Authentication unsuccessful [BN8PR01CA0001.namprd01.prod.outlook.com]", "5.7.3", ErrorKind.AuthenticationError)]
    [InlineData("535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.", "5.7.139",
        ErrorKind.AuthenticationError)]
    [InlineData("550 5.7.30 Basic authentication is not supported for Client Submission.", "5.7.30", ErrorKind.AuthenticationError)]
    [InlineData("454 4.7.0 Temporary authentication failure", "4.7.0", ErrorKind.ResourceUnavailable)]
    public async Task Auth_failures_carry_code_enhanced_code_and_kind_and_leave_the_session_usable(string reply, string enhanced,
        ErrorKind kind)
    {
        var (client, stream) = await ConnectAsync(Greeting, Ehlo("AUTH LOGIN PLAIN"), reply + "\r\n", "250 2.0.0 Resetting\r\n");
        var ex = await Assert.ThrowsAsync<SmtpCommandException>(() => client.AuthenticateAsync(Password(), cancellationToken: Ct));
        Assert.Equal(enhanced, ex.EnhancedStatusCode!.ToString());
        Assert.Equal(int.Parse(reply[..3]), ex.ReplyCode);
        Assert.Equal(kind, ex.Kind);
        Assert.DoesNotContain("s3cret", ex.Message);
        // mx.test isn't Exchange Online: no catalogue advice, only the generic one for temporary failures.
        Assert.False(client.IsKnownServer);
        Assert.Equal(kind == ErrorKind.ResourceUnavailable ? "This is temporary: try again later." : null, ex.RecommendedAction);
        await client.ResetAsync(Ct);
        Assert.EndsWith("RSET\r\n", stream.Written);
    }

    [Fact]
    public async Task A_challenge_that_is_not_base64_cancels_with_a_star()
    {
        var (client, stream) = await ConnectAsync(Greeting, Ehlo("AUTH LOGIN"), "334 not base64 !!\r\n", "501 5.7.0 cancelled\r\n");
        var ex = await Assert.ThrowsAsync<SmtpCommandException>(() => client.AuthenticateAsync(Password(), SmtpAuthMechanism.Login, Ct));
        Assert.Equal("*\r\n", stream.Turns[^1]);
        Assert.Equal(501, ex.ReplyCode);
    }

    [Fact]
    public async Task A_server_that_keeps_challenging_is_cancelled_after_ten_rounds()
    {
        var script = new List<string> { Greeting, Ehlo("AUTH PLAIN") };
        script.AddRange(Enumerable.Repeat("334 \r\n", 11));
        script.Add("501 5.7.0 cancelled\r\n");
        var (client, stream) = await ConnectAsync(script.ToArray());
        var ex = await Assert.ThrowsAsync<SmtpCommandException>(() => client.AuthenticateAsync(Password(), cancellationToken: Ct));
        Assert.Equal(501, ex.ReplyCode);
        Assert.Equal("*\r\n", stream.Turns[^1]);
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task Auto_ranks_xoauth2_for_tokens_and_plain_over_login_for_passwords()
    {
        var (c1, s1) = await ConnectAsync(Greeting, Ehlo("AUTH LOGIN OAUTHBEARER XOAUTH2 PLAIN"), "235 ok\r\n");
        await c1.AuthenticateAsync(Token(), cancellationToken: Ct);
        Assert.StartsWith("AUTH XOAUTH2 ", s1.Turns[1]);

        var (c2, s2) = await ConnectAsync(Greeting, Ehlo("AUTH LOGIN OAUTHBEARER XOAUTH2 PLAIN"), "235 ok\r\n");
        await c2.AuthenticateAsync(Password(), cancellationToken: Ct);
        Assert.StartsWith("AUTH PLAIN ", s2.Turns[1]);

        var (c3, s3) = await ConnectAsync(Greeting, Ehlo("AUTH LOGIN"), "235 ok\r\n");
        var ex = await Assert.ThrowsAsync<SmtpCommandException>(() => c3.AuthenticateAsync(Token(), cancellationToken: Ct));
        Assert.Equal("SmtpAuthMechanismNotOffered", ex.ErrorId);
        Assert.Equal(EhloCommand, s3.Written);
    }

    [Fact]
    public async Task A_requested_mechanism_the_server_does_not_offer_is_refused_without_sending()
    {
        var (client, stream) = await ConnectAsync(Greeting, Ehlo("AUTH LOGIN"));
        var ex = await Assert.ThrowsAsync<SmtpCommandException>(() => client.AuthenticateAsync(Password(), SmtpAuthMechanism.Plain, Ct));
        Assert.Equal("SmtpAuthMechanismNotOffered", ex.ErrorId);
        Assert.Contains("LOGIN", ex.Message);
        Assert.Equal(EhloCommand, stream.Written);
    }

    [Fact]
    public async Task No_auth_offered_is_a_clear_error()
    {
        var (client, _) = await ConnectAsync(Greeting, Ehlo("PIPELINING"));
        var ex = await Assert.ThrowsAsync<SmtpCommandException>(() => client.AuthenticateAsync(Password(), cancellationToken: Ct));
        Assert.Equal("SmtpAuthNotOffered", ex.ErrorId);
    }

    [Fact]
    public async Task Auth_in_clear_text_warns()
    {
        var host = new RecordingHost();
        SmtpConnectOptions options = Options();
        options.Host = host;
        var (client, _) = await ConnectAsync(options, Greeting, Ehlo("AUTH PLAIN"), "235 ok\r\n");
        await client.AuthenticateAsync(Password(), cancellationToken: Ct);
        Assert.Contains(host.Warnings, w => w.Contains("without TLS"));
        Assert.DoesNotContain(host.AllText(), t => t.Contains("s3cret"));
    }

    [Fact]
    public async Task Transcript_redacts_every_secret_byte_of_every_mechanism()
    {
        var log = new InMemorySmtpTranscriptLogger();
        SmtpConnectOptions options = Options();
        options.TranscriptLogger = log;
        string json = "{\"status\":\"401\"}";

        var (c1, _) = await ConnectAsync(options, Greeting, Ehlo("AUTH XOAUTH2"), "334 " + B64(json) + "\r\n", "535 5.7.3 no\r\n");
        await Assert.ThrowsAsync<SmtpCommandException>(() => c1.AuthenticateAsync(Token(), cancellationToken: Ct));
        var (c2, _) = await ConnectAsync(options, Greeting, Ehlo("AUTH LOGIN"), "334 VXNlcm5hbWU6\r\n", "334 UGFzc3dvcmQ6\r\n",
            "235 ok\r\n");
        await c2.AuthenticateAsync(Password(), cancellationToken: Ct);
        var (c3, _) = await ConnectAsync(options, Greeting, Ehlo("AUTH PLAIN"), "235 ok\r\n");
        await c3.AuthenticateAsync(Password(), cancellationToken: Ct);

        string all = log.ToString();
        string[] secrets =
        {
            Token, "s3cret-Pa55", B64("s3cret-Pa55"), B64("alice@contoso.com"),
            B64("user=alice@contoso.com\u0001auth=Bearer " + Token + "\u0001\u0001"), B64("\0alice@contoso.com\0s3cret-Pa55"),
        };
        foreach (string s in secrets)
            foreach (string fragment in Fragments(s, 8))
                Assert.DoesNotContain(fragment, all);
        Assert.Contains(log.Entries, e => e.Direction == SmtpTranscriptDirection.Client
            && e.Text == "AUTH XOAUTH2 " + SmtpTranscript.RedactedText);
        Assert.Contains(log.Entries, e => e.Direction == SmtpTranscriptDirection.Client
            && e.Text == "AUTH PLAIN " + SmtpTranscript.RedactedText);
        Assert.Contains(log.Entries, e => e.Direction == SmtpTranscriptDirection.Client && e.Text == "AUTH LOGIN");
        // LOGIN user, password
        Assert.Equal(2, log.Entries.Count(e => e.Direction == SmtpTranscriptDirection.Client && e.Text == SmtpTranscript.RedactedText));
        // XOAUTH2's empty answer to the error
        Assert.Contains(log.Entries, e => e.Direction == SmtpTranscriptDirection.Client && e.Text == "");
        Assert.Contains(log.Entries, e => e.Direction == SmtpTranscriptDirection.Server
            && e.Text == "334 " + B64(json) && e.Phase == SmtpPhase.Auth);
    }

    [Fact]
    public async Task Unredacted_transcript_shows_the_auth_payload_when_explicitly_asked()
    {
        var log = new InMemorySmtpTranscriptLogger();
        SmtpConnectOptions options = Options();
        options.TranscriptLogger = log;
        options.IncludeSecretsInTranscript = true;
        var (client, _) = await ConnectAsync(options, Greeting, Ehlo("AUTH PLAIN"), "235 ok\r\n");
        await client.AuthenticateAsync(Password(), cancellationToken: Ct);
        Assert.Contains(log.Entries, e => e.Text == "AUTH PLAIN " + B64("\0alice@contoso.com\0s3cret-Pa55"));
    }

    [Fact]
    public void Redaction_works_at_the_byte_level_across_split_writes()
    {
        var log = new InMemorySmtpTranscriptLogger();
        var recorder = new SmtpTranscriptRecorder(log, redact: true) { Phase = SmtpPhase.Auth };
        byte[] prefix = Encoding.ASCII.GetBytes("AUTH XOAUTH2 ");
        byte[] secret = Encoding.ASCII.GetBytes("dXNlcj1hbGljZQFhdXRoPUJlYXJlciB0b2tlbgEB");
        recorder.ClientBytes(prefix, 0, 5, SmtpWriteKind.Normal);
        recorder.ClientBytes(prefix, 5, prefix.Length - 5, SmtpWriteKind.Normal);
        for (int i = 0; i < secret.Length; i += 3)
            recorder.ClientBytes(secret, i, Math.Min(3, secret.Length - i), SmtpWriteKind.Secret);
        recorder.ClientBytes(new[] { (byte)'\r' }, 0, 1, SmtpWriteKind.Normal);
        recorder.ClientBytes(new[] { (byte)'\n' }, 0, 1, SmtpWriteKind.Normal);
        // a secret line split so that its CR and LF arrive in the secret run
        recorder.ClientBytes(Encoding.ASCII.GetBytes("c2VjcmV0\r"), 0, 9, SmtpWriteKind.Secret);
        recorder.ClientBytes(Encoding.ASCII.GetBytes("\n"), 0, 1, SmtpWriteKind.Secret);

        Assert.Equal(new[] { "AUTH XOAUTH2 " + SmtpTranscript.RedactedText, SmtpTranscript.RedactedText }, log.Entries.Select(e => e.Text));
    }

    [Theory]
    [InlineData("alice@contoso.com\u0001auth=Bearer x", "token")]
    [InlineData("alice@contoso.com", "tok\u0001en")]
    [InlineData("alice@contoso.com", "pass\0word")]
    public async Task Control_characters_that_would_break_sasl_framing_are_refused_before_sending(string user, string secret)
    {
        var (client, stream) = await ConnectAsync(Greeting, Ehlo("AUTH PLAIN XOAUTH2"));
        var ex = await Assert.ThrowsAsync<M365SmtpException>(() =>
            client.AuthenticateAsync(new SmtpCredential(user, SmtpSecretKind.AccessToken, _ => Task.FromResult(secret)),
                cancellationToken: Ct));
        Assert.Equal("SmtpCredentialInvalidCharacter", ex.ErrorId);
        Assert.DoesNotContain(secret, ex.Message);
        Assert.Equal(EhloCommand, stream.Written);
    }

    [Fact]
    public void Credential_to_string_never_shows_the_secret()
    {
        SmtpCredential c = SmtpCredential.FromNetworkCredential(new System.Net.NetworkCredential("bob@contoso.com", "hunter2"));
        Assert.Equal("bob@contoso.com (Password)", c.ToString());
    }

    private static IEnumerable<string> Fragments(string s, int length)
    {
        if (s.Length <= length) { yield return s; yield break; }
        for (int i = 0; i + length <= s.Length; i++) yield return s.Substring(i, length);
    }
}
