using System.Net;
using System.Net.Sockets;
using M365SmtpTools.Engine.Auth;
using M365SmtpTools.Engine.Operations;
using M365SmtpTools.Engine.Smtp;
using M365SmtpTools.Engine.Tests.Auth;
using M365SmtpTools.Engine.Tests.Infrastructure;

namespace M365SmtpTools.Engine.Tests.Operations.TestSmtpAuth;

/// <summary>Test-M365SmtpAuth against the Exchange Online double: the stages, what reaches the server, the report.</summary>
public sealed class TestSmtpAuthDoubleTests
{
    [Fact]
    public async Task A_healthy_path_passes_every_stage_and_reports_tls_and_token_facts_but_never_the_token()
    {
        await using var exo = ExchangeOnlineDouble.Start();
        string token = Diag.DelegatedToken(exo);
        TestSmtpAuthRequest request = Diag.Request(exo).WithToken(token);
        request.Transcript = true;
        var host = new RecordingHost();

        SmtpAuthTestReport report = await Diag.Op(exo).RunAsync(request, host);

        Assert.True(report.Overall == SmtpTestOutcome.Passed, report.ToText());
        Assert.Equal(new[] { SmtpTestStage.Resolve, SmtpTestStage.Connect, SmtpTestStage.Greeting, SmtpTestStage.Tls, SmtpTestStage.Ehlo,
            SmtpTestStage.Token, SmtpTestStage.Auth },
            report.Stages.Select(s => s.Stage));
        Assert.All(report.Stages, s => Assert.Equal(SmtpTestStageStatus.Passed, s.Status));
        Assert.Empty(report.Findings);
        Assert.Equal("AccessToken", report.Method);
        Assert.Equal("XOAUTH2", report.Mechanism);
        Assert.Equal(Diag.Alice, report.UserName);
        Assert.Contains("127.0.0.1", report.Addresses);
        Assert.Equal($"127.0.0.1:{exo.Port}", report.RemoteEndPoint);
        Assert.True(report.IsMicrosoft365); // the double calls itself *.outlook.office365.com
        Assert.StartsWith("220 BN8PR01CA0001.outlook.office365.com", report.Banner);
        Assert.Equal(new[] { "LOGIN", "XOAUTH2" }, report.AuthMechanisms);
        Assert.Equal("CN=localhost", report.Tls!.Subject);
        Assert.Contains(report.Tls.Protocol, new[] { "Tls12", "Tls13" });
        Assert.Equal("https://outlook.office.com", report.Token!.Audience);
        Assert.Contains("SMTP.Send", report.Token.Scopes);
        Assert.Contains("235 2.7.0 Authentication successful (XOAUTH2 as alice@contoso.com)", report.Stage(SmtpTestStage.Auth).Detail);
        Assert.Null(report.FailedStage);

        // The transcript is there, redacted: the AUTH line carries the marker, never the token.
        Assert.NotNull(report.Transcript);
        Assert.Contains(report.Transcript!, l => l.Contains("AUTH XOAUTH2 " + SmtpTranscript.RedactedText));
        Assert.DoesNotContain(report.Transcript!, l => l.Contains(token));
        string everything = report.ToText() + string.Join("\n", host.AllText()) + report;
        Assert.DoesNotContain(token, everything);
        Assert.DoesNotContain(token.Split('.')[1], everything);

        await exo.WaitForSessionsAsync();
        DoubleSession session = exo.Sessions.Single();
        Assert.Equal(new[] { "EHLO client.contoso.com", "STARTTLS", "EHLO client.contoso.com" }, session.Commands.Take(3));
        Assert.StartsWith("AUTH XOAUTH2 ", session.Commands[3]);
        Assert.Equal("QUIT", session.Commands.Last());
        Assert.True(exo.AuthAttempts.Single().Succeeded);
    }

    [Fact]
    public async Task MailFrom_and_RcptTo_run_then_RSET_so_nothing_is_sent()
    {
        await using var exo = ExchangeOnlineDouble.Start();
        TestSmtpAuthRequest request = Diag.Request(exo).WithToken(Diag.DelegatedToken(exo));
        request.To = new[] { "bob@contoso.com", "carol@fabrikam.com" };

        SmtpAuthTestReport report = await Diag.Op(exo).RunAsync(request);

        Assert.True(report.Overall == SmtpTestOutcome.Passed, report.ToText());
        Assert.Equal(SmtpTestStage.RcptTo, report.Stages.Last().Stage);
        Assert.Equal(Diag.Alice, report.From);
        Assert.Contains("<bob@contoso.com>: 250 2.1.5 Recipient OK", report.Stage(SmtpTestStage.RcptTo).Detail);
        Assert.Contains("RSET", report.Stage(SmtpTestStage.RcptTo).Detail);
        await exo.WaitForSessionsAsync();
        IReadOnlyList<string> commands = exo.Sessions.Single().Commands;
        Assert.Equal(new[] { "MAIL FROM:<alice@contoso.com>", "RCPT TO:<bob@contoso.com>", "RCPT TO:<carol@fabrikam.com>", "RSET", "QUIT" },
            commands.Skip(4));
        Assert.DoesNotContain(commands, c => c.StartsWith("DATA") || c.StartsWith("BDAT"));
        Assert.Empty(exo.Messages);
    }

    [Fact]
    public async Task SendTestMessage_goes_all_the_way_and_the_double_receives_one_message()
    {
        await using var exo = ExchangeOnlineDouble.Start();
        TestSmtpAuthRequest request = Diag.Request(exo).WithToken(Diag.DelegatedToken(exo));
        request.To = new[] { "bob@contoso.com" };
        request.SendTestMessage = true;

        SmtpAuthTestReport report = await Diag.Op(exo).RunAsync(request);

        Assert.True(report.Overall == SmtpTestOutcome.Passed, report.ToText());
        Assert.StartsWith("250 2.0.0 OK", report.Stage(SmtpTestStage.Message).Detail);
        DoubleMessage message = exo.Messages.Single();
        Assert.Equal("alice@contoso.com", message.MailFrom);
        Assert.Equal(new[] { "bob@contoso.com" }, message.Recipients);
        Assert.Contains("Subject: M365SmtpTools test message", System.Text.Encoding.UTF8.GetString(message.Content));
    }

    [Theory]
    [InlineData(SmtpTestStopAfter.Connect, new[] { SmtpTestStage.Resolve, SmtpTestStage.Connect }, new string[0])]
    [InlineData(SmtpTestStopAfter.Tls, new[] { SmtpTestStage.Resolve, SmtpTestStage.Connect, SmtpTestStage.Greeting, SmtpTestStage.Tls },
        new[] { "EHLO client.contoso.com", "STARTTLS", "QUIT" })]
    [InlineData(SmtpTestStopAfter.Ehlo,
        new[] { SmtpTestStage.Resolve, SmtpTestStage.Connect, SmtpTestStage.Greeting, SmtpTestStage.Tls, SmtpTestStage.Ehlo },
        new[] { "EHLO client.contoso.com", "STARTTLS", "EHLO client.contoso.com", "QUIT" })]
    public async Task StopAfter_ends_the_run_at_that_stage_and_sends_nothing_more(SmtpTestStopAfter stop, SmtpTestStage[] stages,
        string[] commands)
    {
        await using var exo = ExchangeOnlineDouble.Start();
        TestSmtpAuthRequest request = Diag.Request(exo).WithToken(Diag.DelegatedToken(exo));
        request.StopAfter = stop;

        SmtpAuthTestReport report = await Diag.Op(exo).RunAsync(request);

        Assert.True(report.Overall == SmtpTestOutcome.Passed, report.ToText());
        Assert.Equal(stages, report.Stages.Select(s => s.Stage));
        Assert.Null(report.Token); // no token was even acquired
        await exo.WaitUntilAsync(() => exo.Sessions.Count == 1 && exo.Sessions[0].Ended);
        Assert.Equal(commands, exo.Sessions.Single().Commands);
        Assert.Empty(exo.AuthAttempts);
    }

    [Fact]
    public async Task A_certificate_from_an_unexpected_issuer_is_flagged_as_likely_tls_interception()
    {
        await using var exo = ExchangeOnlineDouble.Start();
        TestSmtpAuthRequest request = Diag.Request(exo).WithToken(Diag.DelegatedToken(exo));
        request.ExpectedIssuer = null; // Microsoft's real issuers: the double's test CA is not one of them

        SmtpAuthTestReport report = await Diag.Op(exo).RunAsync(request);

        Assert.Equal(SmtpTestOutcome.Warning, report.Overall);
        SmtpTestFinding f = report.Finding("TlsInterceptionSuspected");
        Assert.Equal(FindingSeverity.Warning, f.Severity);
        Assert.Contains("CN=M365SmtpTools Test CA", f.Evidence);
        Assert.Equal(SmtpTestStageStatus.Warning, report.Stage(SmtpTestStage.Tls).Status);
        Assert.Equal(SmtpTestStageStatus.Passed, report.Stage(SmtpTestStage.Auth).Status);
    }

    [Fact]
    public async Task An_IP_address_for_Microsoft_365_is_warned_about()
    {
        await using var exo = ExchangeOnlineDouble.Start();
        TestSmtpAuthRequest request = Diag.Request(exo).WithToken(Diag.DelegatedToken(exo));
        request.SmtpServer = "127.0.0.1";

        SmtpAuthTestReport report = await Diag.Op(exo).RunAsync(request);

        Assert.Equal(SmtpTestOutcome.Warning, report.Overall);
        SmtpTestFinding f = report.Finding("IpAddressForMicrosoft365");
        Assert.Contains("smtp.office365.com", f.Remediation);
        Assert.Contains("BN8PR01CA0001.outlook.office365.com", f.Evidence);
        Assert.Contains("no DNS lookup", report.Stage(SmtpTestStage.Resolve).Detail);
    }

    [Fact]
    public async Task An_expired_certificate_made_in_the_test_fails_the_tls_stage_before_any_auth()
    {
        var expired = TestCertificates.CreateServer(new[] { "localhost" }, notBefore: DateTimeOffset.UtcNow.AddDays(-30),
            notAfter: DateTimeOffset.UtcNow.AddDays(-2));
        await using var exo = ExchangeOnlineDouble.Start(new ExchangeOnlineDoubleOptions { ServerCertificate = expired });
        TestSmtpAuthRequest request = Diag.Request(exo).WithToken(Diag.DelegatedToken(exo));

        SmtpAuthTestReport report = await Diag.Op(exo).RunAsync(request);

        Assert.Equal(SmtpTestOutcome.Failed, report.Overall);
        Assert.Equal(SmtpTestStage.Tls, report.FailedStage);
        SmtpTestFinding f = report.Finding("CertificateExpired");
        Assert.Contains(expired.Thumbprint, f.Evidence);
        Assert.Contains("expired", f.Meaning);
        Assert.Equal(expired.Thumbprint, report.Tls!.Thumbprint);
        Assert.True(report.Tls.NotAfter < DateTime.UtcNow);
        await exo.WaitForSessionsAsync();
        Assert.Equal(new[] { "EHLO client.contoso.com", "STARTTLS" }, exo.Sessions.Single().Commands);
        Assert.Empty(exo.AuthAttempts);
    }

    [Fact]
    public async Task A_port_that_refuses_is_explained()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var request = new TestSmtpAuthRequest
        {
            SmtpServer = "127.0.0.1", Port = port, TimeoutSeconds = 5, StopAfter = SmtpTestStopAfter.Connect
        };

        SmtpAuthTestReport report = await new TestSmtpAuthOperation(new SmtpConnectionRegistry()).RunAsync(request);

        Assert.Equal(SmtpTestOutcome.Failed, report.Overall);
        Assert.Equal(SmtpTestStage.Connect, report.FailedStage);
        SmtpTestFinding f = report.Finding("ConnectionRefused");
        Assert.Contains($"port {port}", f.Meaning);
        // Test-NetConnection exists only on Windows; elsewhere the fix is nc, or openssl where there is no nc.
        string expected = OperatingSystem.IsWindows() ? $"Test-NetConnection -ComputerName '127.0.0.1' -Port {port}"
            : File.Exists("/usr/bin/nc") || File.Exists("/bin/nc") ? $"nc -vz 127.0.0.1 {port}"
            : $"openssl s_client -starttls smtp -crlf -connect 127.0.0.1:{port}";
        Assert.Equal(new[] { expected }, f.Commands);
        Diag.WriteCommands("connect-refused", report);
    }

    [Theory]
    [InlineData(25, "ISPs")]
    [InlineData(587, "outbound TCP 587")]
    public void Refused_and_timed_out_ports_25_and_587_name_the_likely_blocker(int port, string expected)
    {
        var refused = new SmtpProtocolException(SmtpErrorCodes.ConnectFailed, "Can't connect", SmtpPhase.Connect, "smtp.office365.com",
            null, new SocketException((int)SocketError.ConnectionRefused));
        var timeout = new SmtpProtocolException(SmtpErrorCodes.ConnectTimeout, "took longer", SmtpPhase.Connect, "smtp.office365.com");
        SmtpTestFinding a = Findings.ForConnectFailure(refused, "smtp.office365.com", port, 30);
        SmtpTestFinding b = Findings.ForConnectFailure(timeout, "smtp.office365.com", port, 30);
        Assert.Equal("ConnectionRefused", a.Id);
        Assert.Equal("ConnectTimedOut", b.Id);
        Assert.Contains(expected, a.Remediation);
        Assert.Contains(expected, b.Remediation);
        Assert.Contains("silently dropped", b.Meaning);
        SmtpTestFinding c = Findings.ForConnectFailure(refused, "mail.contoso.com", 465, 30);
        Assert.Equal("Port465NotSupported", c.Id);
    }

    [Fact]
    public async Task Port_465_to_a_Microsoft_365_host_is_refused_with_the_port_finding_before_connecting()
    {
        var request = new TestSmtpAuthRequest
        {
            SmtpServer = "smtp.office365.com", Port = 465, TimeoutSeconds = 5, StopAfter = SmtpTestStopAfter.Connect
        };
        var op = new TestSmtpAuthOperation(new SmtpConnectionRegistry());
        SmtpAuthTestReport report = await op.RunAsync(request);
        Assert.Equal(SmtpTestStage.Connect, report.FailedStage);
        Assert.Contains("587", report.Finding("Port465NotSupported").Remediation);
    }

    [Fact]
    public async Task No_credentials_skips_auth_with_a_warning_instead_of_failing()
    {
        await using var exo = ExchangeOnlineDouble.Start();
        SmtpAuthTestReport report = await Diag.Op(exo).RunAsync(Diag.Request(exo));
        Assert.Equal(SmtpTestOutcome.Warning, report.Overall);
        Assert.Equal(SmtpTestStageStatus.Skipped, report.Stage(SmtpTestStage.Auth).Status);
        Assert.Equal(FindingSeverity.Warning, report.Finding("NoCredentials").Severity);
        Assert.Empty(exo.AuthAttempts);
    }

    [Fact]
    public async Task The_session_connection_is_used_when_no_auth_parameters_are_given()
    {
        await using var exo = ExchangeOnlineDouble.Start();
        var registry = new SmtpConnectionRegistry();
        var connect = new ConnectSmtpRequest
        {
            AccessToken = SecretText.ToSecureString(Diag.DelegatedToken(exo)), UserName = Diag.Alice, SmtpServer = "localhost",
            Port = exo.Port
        };
        await new ConnectSmtpOperation(registry).RunForResultAsync(connect, new RecordingHost(), Diag.Ct);

        var request = new TestSmtpAuthRequest { ExpectedIssuer = new[] { "M365SmtpTools Test CA" } };
        SmtpAuthTestReport report = await Diag.Op(exo, registry).RunAsync(request);

        Assert.True(report.Overall == SmtpTestOutcome.Passed, report.ToText());
        Assert.Equal($"localhost:{exo.Port}", report.Target);
        Assert.Equal("AccessToken", report.Method);
        Assert.True(exo.AuthAttempts.Single().Succeeded);
        Assert.False(registry.Get(null).IsClosed); // the session's connection stays usable
    }

    [Fact]
    public async Task A_token_for_the_wrong_audience_stops_at_the_token_stage_before_the_server_sees_it()
    {
        await using var exo = ExchangeOnlineDouble.Start();
        string graph = TestJwt.Delegated(Diag.Alice, DateTimeOffset.UtcNow.AddHours(1), aud: "https://graph.microsoft.com");
        exo.Options.AccessTokens[graph] = Diag.Alice;
        SmtpAuthTestReport report = await Diag.Op(exo).RunAsync(Diag.Request(exo).WithToken(graph));

        Assert.Equal(SmtpTestStage.Token, report.FailedStage);
        SmtpTestFinding f = report.Finding("TokenWrongAudience");
        Assert.Contains("Microsoft Graph", f.Meaning);
        Assert.Contains("aud=https://graph.microsoft.com", f.Evidence);
        Assert.Empty(exo.AuthAttempts);
    }

    [Fact]
    public async Task An_app_only_token_without_SMTP_SendAsApp_gets_the_service_principal_commands()
    {
        await using var exo = ExchangeOnlineDouble.Start();
        string token = TestJwt.AppOnly(TestJwt.Tenant, DateTimeOffset.UtcNow.AddHours(1), roles: new[] { "Mail.Send" });
        SmtpAuthTestReport report = await Diag.Op(exo).RunAsync(Diag.Request(exo).WithToken(token));

        SmtpTestFinding f = report.Finding("TokenMissingSendAsApp");
        Assert.Contains($"New-ServicePrincipal -AppId '{TestJwt.AppId}' -ObjectId '{TestJwt.Oid}'", f.Commands);
        Diag.WriteCommands("token-missing-sendasapp", report);
    }

    [Fact]
    public async Task ErrorOnFailure_throws_with_the_first_finding_and_carries_the_report()
    {
        await using var exo = ExchangeOnlineDouble.Start(new ExchangeOnlineDoubleOptions
        {
            AuthPolicy = DoubleAuthPolicy.SmtpAuthDisabledForTenant
        });
        TestSmtpAuthRequest request = Diag.Request(exo).WithToken(Diag.DelegatedToken(exo));
        request.ErrorOnFailure = true;

        var e = await Assert.ThrowsAsync<SmtpAuthTestFailedException>(() => Diag.Op(exo).RunAsync(request));

        Assert.Equal("SmtpAuthTestFailed", e.ErrorId);
        Assert.Equal(ErrorKind.AuthenticationError, e.Kind);
        Assert.Contains("SmtpAuthDisabled", e.Message);
        Assert.Contains("535 5.7.139", e.Message);
        Assert.Contains("Set-CASMailbox -Identity 'alice@contoso.com' -SmtpClientAuthenticationDisabled $false", e.RecommendedAction);
        Assert.Same(e.Report, e.TargetObject);
        Assert.Equal(SmtpTestStage.Auth, e.Report.FailedStage);
    }

    [Fact]
    public async Task Parameter_mistakes_are_errors_before_any_connection()
    {
        await using var exo = ExchangeOnlineDouble.Start();
        TestSmtpAuthRequest a = Diag.Request(exo);
        a.SendTestMessage = true;
        Assert.Equal("ToMissing", (await Assert.ThrowsAnyAsync<M365SmtpException>(() => Diag.Op(exo).RunAsync(a))).ErrorId);
        TestSmtpAuthRequest b = Diag.Request(exo).WithToken("x");
        b.Credential = new NetworkCredential("u", "p");
        Assert.Equal("AuthMethodConflict", (await Assert.ThrowsAnyAsync<M365SmtpException>(() => Diag.Op(exo).RunAsync(b))).ErrorId);
        TestSmtpAuthRequest c = Diag.Request(exo);
        c.ConnectionName = "Nope";
        Assert.Equal("ConnectionNotFound", (await Assert.ThrowsAnyAsync<M365SmtpException>(() => Diag.Op(exo).RunAsync(c))).ErrorId);
        // A session connection and auth parameters: the same id and text as Send-M365Mail gives for this mistake.
        TestSmtpAuthRequest d = Diag.Request(exo).WithToken("x");
        d.ConnectionName = "Reports";
        M365SmtpException both = await Assert.ThrowsAnyAsync<M365SmtpException>(() => Diag.Op(exo).RunAsync(d));
        Assert.Equal("ConnectionNameNotApplicable", both.ErrorId);
        Assert.Equal("-ConnectionName names a session connection, but auth parameters were given too.", both.Message);
        Assert.Equal(0, exo.ConnectionCount);
    }

    [Fact]
    public void Every_command_a_finding_can_carry_is_written_for_pscheck()
    {
        IReadOnlyList<string> all = Findings.AllCommandTemplates();
        Assert.Contains("Set-CASMailbox -Identity '<mailbox>' -SmtpClientAuthenticationDisabled $false", all);
        Assert.Contains("Add-RecipientPermission -Identity '<sender address>' -Trustee '<mailbox>' -AccessRights SendAs -Confirm:$false",
            all);
        Diag.WriteCommands("all-command-templates", all.Select(c => ("template", c)));
        Assert.True(File.Exists(Path.Combine(Diag.GeneratedDir, "all-command-templates.ps1")));
    }

    [Fact]
    public async Task A_failing_run_renders_as_text_for_the_readme()
    {
        await using var exo = ExchangeOnlineDouble.Start(new ExchangeOnlineDoubleOptions
        {
            AuthPolicy = DoubleAuthPolicy.SmtpAuthDisabledForTenant
        });
        string token = TestJwt.AppOnly(TestJwt.Tenant, DateTimeOffset.UtcNow.AddHours(1));
        exo.Options.AccessTokens[token] = "scanner@contoso.com";
        TestSmtpAuthRequest request = Diag.Request(exo).WithToken(token, "scanner@contoso.com");

        SmtpAuthTestReport report = await Diag.Op(exo).RunAsync(request);
        string text = report.ToText();

        Assert.StartsWith("Overall   : Failed", text);
        Assert.Contains("Auth      Failed", text);
        Assert.Contains("535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant", text);
        Assert.Contains("> Set-CASMailbox -Identity 'scanner@contoso.com' -SmtpClientAuthenticationDisabled $false", text);
        Assert.DoesNotContain(token, text);
        Directory.CreateDirectory(Path.Combine(TestPaths.RepoRoot, "tests", "generated"));
        File.WriteAllText(Path.Combine(TestPaths.RepoRoot, "tests", "generated", "readme-test-m365smtpauth-report.txt"), text);
    }
}
