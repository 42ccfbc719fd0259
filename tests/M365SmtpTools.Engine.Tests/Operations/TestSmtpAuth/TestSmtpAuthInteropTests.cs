using M365SmtpTools.Engine.Auth;
using M365SmtpTools.Engine.Operations;
using M365SmtpTools.Engine.Smtp;
using M365SmtpTools.Engine.Tests.Infrastructure;

namespace M365SmtpTools.Engine.Tests.Operations.TestSmtpAuth;

/// <summary>Test-M365SmtpAuth against servers not written here: Postfix + Dovecot and the aiosmtpd fault servers.</summary>
public sealed class TestSmtpAuthInteropTests
{
    private static Dictionary<string, object> SmtpClaims(string upn) => new()
    {
        ["aud"] = "https://outlook.office.com",
        ["scp"] = "SMTP.Send",
        ["tid"] = "7f3c1e9a-4b2d-4c8e-9f10-2a3b4c5d6e7f",
        ["appid"] = "0a1b2c3d-1111-2222-3333-444455556666",
    };

    // postfix.sh makes a certificate valid for a week: CertificateExpiresSoon is a true finding there.
    private static void AssertPassed(SmtpAuthTestReport report)
    {
        Assert.True(report.FailedStage == null, report.ToText());
        Assert.True(report.Findings.All(f => f.Id == "CertificateExpiresSoon"), report.ToText());
    }

    [Fact]
    public async Task Postfix_XOAUTH2_with_a_real_jwt_passes_through_RCPT_TO()
    {
        PostfixServer pf = PostfixServer.Require();
        string jwt = pf.MintJwt(pf.User, TimeSpan.FromMinutes(10), extraClaims: SmtpClaims(pf.User));
        var request = new TestSmtpAuthRequest
        {
            SmtpServer = pf.Host, Port = pf.SubmissionPort, TimeoutSeconds = 15,
            AccessToken = SecretText.ToSecureString(jwt), UserName = pf.User, To = new[] { pf.NewRecipient() },
        };

        SmtpAuthTestReport report = await Diag.Op(pf.CaCertificate).RunAsync(request);

        AssertPassed(report);
        Assert.Equal("XOAUTH2", report.Mechanism);
        Assert.StartsWith("235", report.Stage(SmtpTestStage.Auth).Detail);
        Assert.Equal(pf.User, report.Token!.User);
        Assert.Equal(SmtpTestStage.RcptTo, report.Stages.Last().Stage);
        Assert.Contains("RSET", report.Stage(SmtpTestStage.RcptTo).Detail);
        Assert.Empty(pf.FindDelivered(request.To![0]));
    }

    [Fact]
    public async Task Postfix_PLAIN_passes_and_a_test_message_is_delivered()
    {
        PostfixServer pf = PostfixServer.Require();
        string to = pf.NewRecipient();
        var request = new TestSmtpAuthRequest
        {
            SmtpServer = pf.Host, Port = pf.SubmissionPort, TimeoutSeconds = 15,
            Credential = new System.Net.NetworkCredential(pf.User, pf.Password), Mechanism = SmtpAuthMechanism.Plain,
            To = new[] { to }, SendTestMessage = true,
        };

        SmtpAuthTestReport report = await Diag.Op(pf.CaCertificate).RunAsync(request);

        AssertPassed(report);
        Assert.Equal("PLAIN", report.Mechanism);
        Assert.Equal("Basic", report.Method);
        Assert.Equal(SmtpTestStageStatus.Skipped, report.Stage(SmtpTestStage.Token).Status);
        string delivered = File.ReadAllText(pf.WaitForDelivery(to, TimeSpan.FromSeconds(20)).Single());
        Assert.Contains("Subject: M365SmtpTools test message", delivered);
    }

    [Fact]
    public async Task Postfix_bad_token_goes_through_the_334_json_path_and_the_finding_shows_the_decoded_json()
    {
        PostfixServer pf = PostfixServer.Require();
        string badJwt = pf.MintJwt(pf.User, TimeSpan.FromMinutes(10), key: new byte[32], extraClaims: SmtpClaims(pf.User));
        var request = new TestSmtpAuthRequest
        {
            SmtpServer = pf.Host, Port = pf.SubmissionPort, TimeoutSeconds = 15,
            AccessToken = SecretText.ToSecureString(badJwt), UserName = pf.User, Transcript = true,
        };

        SmtpAuthTestReport report = await Diag.Op(pf.CaCertificate).RunAsync(request);

        Assert.Equal(SmtpTestOutcome.Failed, report.Overall);
        Assert.Equal(SmtpTestStage.Auth, report.FailedStage);
        Assert.Equal(SmtpTestStageStatus.Passed, report.Stage(SmtpTestStage.Token).Status); // the claims are fine, the signature isn't
        SmtpTestFinding f = report.Findings.First(x => x.Stage == SmtpTestStage.Auth);
        Assert.StartsWith("535", f.Evidence);
        Assert.Contains("Server error detail (decoded 334 challenge): {", f.Evidence);
        Assert.Contains("\"status\"", f.Evidence);
        Assert.DoesNotContain(badJwt, string.Join("\n", report.Transcript!) + report.ToText());
        Assert.Contains(report.Transcript!, l => l.EndsWith("C Auth: ", StringComparison.Ordinal)); // the empty line after the 334 error
    }

    [Fact]
    public async Task Aiosmtpd_without_STARTTLS_stops_at_tls_and_no_AUTH_is_sent()
    {
        FaultServer fs = FaultServer.Require();
        IReadOnlyList<string> before = fs.Connections("no_starttls");
        var request = new TestSmtpAuthRequest
        {
            SmtpServer = fs.Host, Port = fs.NoStartTlsPort, TimeoutSeconds = 10,
            Credential = new System.Net.NetworkCredential(fs.User, fs.Password),
        };

        string client = FaultServer.UniqueClientName("diagnosis");
        SmtpAuthTestReport report = await Diag.Op(fs.CaCertificate, "localhost", client).RunAsync(request);

        Assert.Equal(SmtpTestStage.Tls, report.FailedStage);
        SmtpTestFinding f = report.Finding("StartTlsNotOffered");
        Assert.Contains("AUTH", f.Evidence); // it offered AUTH in clear text…
        Assert.Contains("no credentials or token were sent", f.Meaning);
        IReadOnlyList<string> sent = fs.ClientLinesSince("no_starttls", before, client);
        Assert.NotEmpty(sent);
        Assert.DoesNotContain(sent, l => l.StartsWith("AUTH", StringComparison.OrdinalIgnoreCase)); // …and got none
        Assert.DoesNotContain(sent, l => l.Contains(fs.Password));
    }

    [Fact]
    public async Task Aiosmtpd_tls_1_1_only_fails_the_tls_stage()
    {
        FaultServer fs = FaultServer.Require();
        int port = fs.Tls11OnlyPort;
        var request = new TestSmtpAuthRequest { SmtpServer = fs.Host, Port = port, TimeoutSeconds = 10, StopAfter = SmtpTestStopAfter.Tls };

        SmtpAuthTestReport report = await Diag.Op(fs.CaCertificate, "localhost").RunAsync(request);

        Assert.Equal(SmtpTestStage.Tls, report.FailedStage);
        Assert.Contains("TLS 1.2", report.Finding("TlsHandshakeFailed").Meaning);
    }

    [Fact]
    public async Task Aiosmtpd_certificate_checked_for_another_name_is_a_name_mismatch()
    {
        FaultServer fs = FaultServer.Require();
        var request = new TestSmtpAuthRequest
        {
            SmtpServer = fs.Host, Port = fs.NormalPort, TimeoutSeconds = 10, StopAfter = SmtpTestStopAfter.Ehlo
        };

        SmtpAuthTestReport report = await Diag.Op(fs.CaCertificate, "smtp.wrong-name.test").RunAsync(request);

        Assert.Equal(SmtpTestStage.Tls, report.FailedStage);
        SmtpTestFinding f = report.Finding("CertificateNameMismatch");
        Assert.Contains("smtp.wrong-name.test", f.Evidence);
        Assert.NotNull(report.Tls?.Subject);
    }

    [Fact]
    public async Task Aiosmtpd_banner_that_never_comes_fails_the_greeting_stage_on_timeout()
    {
        FaultServer fs = FaultServer.Require();
        var request = new TestSmtpAuthRequest { SmtpServer = fs.Host, Port = fs.BannerNeverPort, TimeoutSeconds = 2 };

        SmtpAuthTestReport report = await Diag.Op(fs.CaCertificate).RunAsync(request);

        Assert.Equal(SmtpTestStageStatus.Passed, report.Stage(SmtpTestStage.Connect).Status);
        Assert.Equal(SmtpTestStage.Greeting, report.FailedStage);
        SmtpTestFinding f = report.Finding("GreetingTimeout");
        Assert.Contains("no SMTP banner", f.Evidence);
    }

    [Fact]
    public async Task Connect_Test_runs_a_real_AUTH_against_postfix_and_a_refusal_is_an_error()
    {
        PostfixServer pf = PostfixServer.Require();
        var tester = new SmtpClientAuthTester(o => o.TlsPolicy = new TlsPolicy { TrustedRootCertificates = new(pf.CaCertificate) });
        var registry = new SmtpConnectionRegistry();
        var op = new ConnectSmtpOperation(registry, tester: tester);
        var good = new ConnectSmtpRequest
        {
            Credential = new System.Net.NetworkCredential(pf.User, pf.Password), SmtpServer = pf.Host, Port = pf.SubmissionPort,
            Test = true
        };
        SmtpConnection c = await op.RunForResultAsync(good, new RecordingHost(), Diag.Ct);
        Assert.Same(c, registry.Get(null));

        var bad = new ConnectSmtpRequest
        {
            Credential = new System.Net.NetworkCredential(pf.User, "wrong"), SmtpServer = pf.Host, Port = pf.SubmissionPort,
            Test = true, Name = "Bad"
        };
        var e = await Assert.ThrowsAsync<SmtpCommandException>(() => op.RunForResultAsync(bad, new RecordingHost(), Diag.Ct));
        Assert.Equal("SmtpAuthenticationFailed", e.ErrorId);
        Assert.Equal(535, e.ReplyCode);
        Assert.Null(registry.TryGet("Bad"));
    }

    [Fact]
    public async Task Connect_Test_against_the_double_carries_the_catalogue_advice()
    {
        await using var exo = ExchangeOnlineDouble.Start(new ExchangeOnlineDoubleOptions
        {
            AuthPolicy = DoubleAuthPolicy.SmtpAuthDisabledForTenant
        });
        var tester = new SmtpClientAuthTester(o => o.TlsPolicy = exo.ClientTlsPolicy());
        var op = new ConnectSmtpOperation(new SmtpConnectionRegistry(), tester: tester);
        var request = new ConnectSmtpRequest
        {
            AccessToken = SecretText.ToSecureString(Diag.DelegatedToken(exo)), UserName = Diag.Alice, SmtpServer = "localhost",
            Port = exo.Port, Test = true
        };
        var e = await Assert.ThrowsAsync<SmtpCommandException>(() => op.RunForResultAsync(request, new RecordingHost(), Diag.Ct));
        Assert.Equal("5.7.139", e.EnhancedStatusCode!.ToString());
        Assert.Contains("Allow SMTP AUTH", e.RecommendedAction);
        Assert.Equal("XOAUTH2", exo.AuthAttempts.Single().Mechanism);
    }

    [Fact]
    public void The_default_tester_is_the_smtp_client() => Assert.IsType<SmtpClientAuthTester>(SmtpAuthTesters.Default);
}
