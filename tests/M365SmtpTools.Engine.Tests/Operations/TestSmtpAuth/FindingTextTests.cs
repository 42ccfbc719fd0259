using System.Net.Sockets;
using M365SmtpTools.Engine.Exchange;
using M365SmtpTools.Engine.Operations;
using M365SmtpTools.Engine.Smtp;
using M365SmtpTools.Engine.Tests.Infrastructure;

namespace M365SmtpTools.Engine.Tests.Operations.TestSmtpAuth;

/// <summary>
/// The findings Test-M365SmtpAuth reports for what isn't a server reply (network, TLS, configuration), as the user
/// reads them: id, severity, stage, evidence, meaning, remediation and commands for each failure and its variants.
/// </summary>
public sealed class FindingTextTests
{
    private const string Submission587 = "Microsoft 365 client submission is smtp.office365.com port 587 with STARTTLS (port 25 also works "
        + "where it isn't blocked; port 465 is not supported).";

    private static SmtpProtocolException Protocol(string id, string message = "it failed", ErrorKind kind = ErrorKind.ConnectionError,
        SmtpReply? reply = null, Exception? inner = null) =>
        new(TestErrorCodes.Of(id, kind), kind, message, SmtpPhase.Connect, "mail.contoso.test", reply, inner);

    private static SmtpReply Reply(string line) => new(int.Parse(line[..3]), new[] { line[4..] });

    // ---- replies ----

    [Fact]
    public void A_refused_recipient_names_the_address_and_a_decoded_challenge_is_added_to_the_evidence()
    {
        SmtpTestFinding f = Findings.ForReply(SmtpTestStage.RcptTo, Reply("550 5.7.64 TenantAttribution; Relay Access Denied"),
            new RemediationContext(), "{\"status\":\"400\"}", "bob@fabrikam.test");
        Assert.Equal("RelayAccessDenied", f.Id);
        Assert.Equal(SmtpTestStage.RcptTo, f.Stage);
        Assert.Equal("RCPT TO:<bob@fabrikam.test> -> 550 5.7.64 TenantAttribution; Relay Access Denied" + Environment.NewLine
            + "Server error detail (decoded 334 challenge): {\"status\":\"400\"}", f.Evidence);
        Assert.Equal(ReplyCatalogue.Explain(550, "5.7.64", "5.7.64 TenantAttribution; Relay Access Denied").Meaning, f.Meaning);
    }

    [Fact]
    public void A_reply_without_address_or_detail_is_its_own_evidence()
    {
        SmtpTestFinding f = Findings.ForReply(SmtpTestStage.MailFrom, Reply("451 4.7.500 Server busy. Please try again later."),
            new RemediationContext(), "");
        Assert.Equal("451 4.7.500 Server busy. Please try again later.", f.Evidence);
        Assert.Equal(FindingSeverity.Warning, f.Severity);
    }

    [Theory]
    [InlineData(SmtpTestStage.Auth, "535 9.9.9 odd", true)]       // AUTH refused, no catalogue row: say it was the credentials
    [InlineData(SmtpTestStage.MailFrom, "535 9.9.9 odd", false)]  // not at AUTH
    [InlineData(SmtpTestStage.Auth, "554 9.9.9 odd", false)]      // not a 535
    public void An_unexplained_535_at_AUTH_says_the_credentials_were_refused(SmtpTestStage stage, string line, bool prefixed)
    {
        SmtpTestFinding f = Findings.ForReply(stage, Reply(line), new RemediationContext(), null);
        Assert.Equal("SmtpReply" + line[..3], f.Id);
        Assert.Equal(prefixed,
            f.Meaning.StartsWith("The server refused the credentials. Permanent failure (reply ", StringComparison.Ordinal));
        Assert.EndsWith($"Permanent failure (reply {line[..3]}).", f.Meaning);
    }

    [Fact]
    public void A_535_the_catalogue_explains_keeps_the_catalogue_meaning()
    {
        SmtpTestFinding f = Findings.ForReply(SmtpTestStage.Auth, Reply("535 5.7.3 Authentication unsuccessful"),
            new RemediationContext { UsedOAuth = true }, null);
        Assert.Equal("AuthenticationUnsuccessful", f.Id);
        Assert.DoesNotContain("The server refused the credentials.", f.Meaning);
    }

    // ---- name resolution and connection ----

    [Fact]
    public void No_DNS_answer_in_time()
    {
        SmtpTestFinding f = Findings.DnsTimeout("smtp.office365.com", 5);
        Assert.Equal(("DnsTimeout", FindingSeverity.Error, SmtpTestStage.Resolve), (f.Id, f.Severity, f.Stage));
        Assert.Equal("No DNS answer for smtp.office365.com within 5 s.", f.Evidence);
        Assert.Equal("This computer's DNS resolver didn't answer in time.", f.Meaning);
        Assert.Equal("Check the DNS servers this computer uses (ipconfig /all, /etc/resolv.conf) and that outbound DNS isn't blocked.",
            f.Remediation);
        Assert.Equal(new[] { Findings.DnsTestCommand("smtp.office365.com") }, f.Commands);
    }

    [Fact]
    public void Network_commands_are_the_tools_of_this_system_and_quote_a_hostile_name_for_PowerShell()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Equal("Resolve-DnsName -Name 'smtp.office365.com'", Findings.DnsTestCommand("smtp.office365.com"));
            Assert.Equal("Test-NetConnection -ComputerName 'smtp.office365.com' -Port 587",
                Findings.TcpTestCommand("smtp.office365.com", 587));
            return;
        }
        string dns = Findings.DnsTestCommand("smtp.office365.com");
        Assert.Contains(dns, new[] { "dig +short smtp.office365.com", "host smtp.office365.com", "getent hosts smtp.office365.com" });
        // The tools are looked up in this process's PATH (dig or host is there wherever the DNS interop tests run).
        string? path = Environment.GetEnvironmentVariable("PATH");
        Assert.Equal(Findings.DnsTestCommand("smtp.office365.com", false, tool => Findings.OnPath(tool, path)), dns);
        Assert.Equal(Findings.TcpTestCommand("smtp.office365.com", 587, false, tool => Findings.OnPath(tool, path)),
            Findings.TcpTestCommand("smtp.office365.com", 587));
        Assert.Contains(Findings.TcpTestCommand("smtp.office365.com", 587),
            new[] { "nc -vz smtp.office365.com 587", "openssl s_client -starttls smtp -crlf -connect smtp.office365.com:587" });
        // Pasted into pwsh, a POSIX-quoted 'h’;…' would end at the typographic quote: the name is a PowerShell literal.
        Assert.EndsWith(" 'h\u2019\u2019;Write-Host PWNED;#'", Findings.DnsTestCommand("h\u2019;Write-Host PWNED;#"));
        Assert.EndsWith(" 'x y'", Findings.DnsTestCommand("x y"));
    }

    [Theory]
    [InlineData("smtp.office365.con",
        "Check the spelling. For Microsoft 365 client submission in this cloud use smtp.office365.com. If the name is right, "
        + "check this computer's DNS servers.")]
    [InlineData("SMTP.Office365.com", "Check the spelling. If the name is right, check this computer's DNS servers.")]
    public void A_name_that_does_not_resolve_suggests_the_clouds_host_unless_it_is_that_host(string name, string remediation)
    {
        SmtpTestFinding f = Findings.HostNotFound(name, "NXDOMAIN", "smtp.office365.com");
        Assert.Equal(("HostNotFound", FindingSeverity.Error, SmtpTestStage.Resolve), (f.Id, f.Severity, f.Stage));
        Assert.Equal($"{name}: NXDOMAIN", f.Evidence);
        Assert.Equal($"The server name {name} doesn't resolve to any address.", f.Meaning);
        Assert.Equal(remediation, f.Remediation);
        Assert.Equal(new[] { Findings.DnsTestCommand(name) }, f.Commands);
    }

    public static TheoryData<int, string> PortAdvice => new()
    {
        { 25, "Outbound port 25 is blocked by most home and business ISPs and by cloud providers (Azure, AWS, Google Cloud block it by "
            + "default). For client submission use port 587; for relay or Direct Send from a cloud VM use a relay service or an "
            + "authenticated submission instead." },
        { 587, "A firewall, proxy or security product on the way blocks outbound TCP 587 (or nothing listens there). Allow outbound "
            + "TCP 587 to mail.contoso.test (Microsoft publishes the Exchange Online addresses in 'Office 365 URLs and IP address "
            + "ranges')." },
        { 2525, "Port 2525 is unusual for SMTP submission. " + Submission587 },
    };

    [Theory]
    [MemberData(nameof(PortAdvice))]
    public void A_failed_connection_gives_the_advice_for_its_port(int port, string advice)
    {
        var timeout = Protocol("SmtpConnectTimeout", "no answer", ErrorKind.OperationTimeout);
        var refused = Protocol("SmtpConnectFailed", "refused", inner: new SocketException((int)SocketError.ConnectionRefused));
        var unreachable = Protocol("SmtpConnectFailed", "unreachable", inner: new SocketException((int)SocketError.HostUnreachable));
        var plain = Protocol("SmtpConnectFailed", "failed");
        string command = Findings.TcpTestCommand("mail.contoso.test", port);

        SmtpTestFinding t = Findings.ForConnectFailure(timeout, "mail.contoso.test", port, 30);
        Assert.Equal(("ConnectTimedOut", FindingSeverity.Error, SmtpTestStage.Connect, "no answer"),
            (t.Id, t.Severity, t.Stage, t.Evidence));
        Assert.Equal($"No answer to the TCP connection to mail.contoso.test:{port} within 30 s: the packets are silently dropped, "
            + $"which is what a firewall or an ISP block does.", t.Meaning);

        SmtpTestFinding r = Findings.ForConnectFailure(refused, "mail.contoso.test", port, 30);
        Assert.Equal(("ConnectionRefused", FindingSeverity.Error, SmtpTestStage.Connect, "refused"),
            (r.Id, r.Severity, r.Stage, r.Evidence));
        Assert.Equal($"mail.contoso.test refused the TCP connection on port {port}: nothing listens there, or a firewall on the way "
            + $"answers with a reset.", r.Meaning);

        SmtpTestFinding u = Findings.ForConnectFailure(unreachable, "mail.contoso.test", port, 30);
        Assert.Equal(("ConnectFailed", FindingSeverity.Error, SmtpTestStage.Connect, "unreachable"),
            (u.Id, u.Severity, u.Stage, u.Evidence));
        Assert.Equal($"The TCP connection to mail.contoso.test:{port} failed (HostUnreachable): the network has no route to the "
            + $"server, or a firewall blocks it.", u.Meaning);

        SmtpTestFinding p = Findings.ForConnectFailure(plain, "mail.contoso.test", port, 30);
        Assert.Equal($"The TCP connection to mail.contoso.test:{port} failed (SmtpConnectFailed): the network has no route to the "
            + $"server, or a firewall blocks it.", p.Meaning);

        foreach (SmtpTestFinding f in new[] { t, r, u, p })
        {
            Assert.Equal(advice, f.Remediation);
            Assert.Equal(new[] { command }, f.Commands);
        }
    }

    [Theory]
    [InlineData("SmtpConnectFailed", 465)]
    [InlineData("SmtpImplicitTlsNotSupported", 587)]
    public void Port_465_or_an_implicit_TLS_server_is_the_port_finding(string errorId, int port)
    {
        SmtpTestFinding f = Findings.ForConnectFailure(Protocol(errorId, "the evidence"), "mail.contoso.test", port, 30);
        AssertPort465(f, "the evidence");
    }

    private static void AssertPort465(SmtpTestFinding f, string evidence)
    {
        Assert.Equal(("Port465NotSupported", FindingSeverity.Error, SmtpTestStage.Connect, evidence),
            (f.Id, f.Severity, f.Stage, f.Evidence));
        Assert.Equal("Port 465 (implicit TLS, 'SMTPS') is not supported by Exchange Online client submission.", f.Meaning);
        Assert.Equal("Use port 587 with STARTTLS. A device that can only use 465 needs a relay in between (or another sending method: "
            + "a relay connector on port 25, High Volume Email, Azure Communication Services).", f.Remediation);
        Assert.Empty(f.Commands);
    }

    [Fact]
    public void No_banner_is_a_greeting_timeout_except_on_port_465()
    {
        SmtpTestFinding g = Findings.GreetingTimeout("mail.contoso.test", 587, 20);
        Assert.Equal(("GreetingTimeout", FindingSeverity.Error, SmtpTestStage.Greeting), (g.Id, g.Severity, g.Stage));
        Assert.Equal("TCP connected to mail.contoso.test:587, but no SMTP banner (220) came within 20 s.", g.Evidence);
        Assert.Equal("Something accepts the connection but doesn't speak SMTP: a proxy, firewall or antivirus that intercepts mail "
            + "traffic, a load balancer with no server behind it, or an implicit-TLS port (465) that waits for a TLS handshake.",
            g.Meaning);
        Assert.Equal("Check for SMTP proxying or scanning (antivirus 'mail shield', firewall SMTP inspection) on this computer and the "
            + "network; test from another network. " + Submission587, g.Remediation);

        AssertPort465(Findings.GreetingTimeout("mail.contoso.test", 465, 20),
            "TCP connected to mail.contoso.test:465 but no SMTP banner came within 20 s (an implicit-TLS port waits for a TLS "
                + "handshake first).");
    }

    [Fact]
    public void Microsoft_365_by_IP_address_is_a_warning_naming_the_host_to_use()
    {
        SmtpTestFinding f = Findings.IpAddressForMicrosoft365("52.96.0.1", "BN8PR01CA0001.outlook.office365.com", "smtp.office365.com");
        Assert.Equal(("IpAddressForMicrosoft365", FindingSeverity.Warning, SmtpTestStage.Greeting), (f.Id, f.Severity, f.Stage));
        Assert.Equal("Server given as 52.96.0.1; the server calls itself BN8PR01CA0001.outlook.office365.com.", f.Evidence);
        Assert.Equal("The server is Microsoft 365, reached by IP address. Exchange Online's addresses change without notice and its " +
            "certificate names smtp.office365.com, not an IP address, so this breaks sooner or later.", f.Meaning);
        Assert.Equal("Configure the device or script with the name smtp.office365.com, never an IP address.", f.Remediation);
    }

    // ---- TLS ----

    private static SmtpCapabilities Ehlo(params string[] extensions) =>
        SmtpCapabilities.Parse(new SmtpReply(250, new[] { "mx.contoso.test" }.Concat(extensions).ToArray()));

    [Theory]
    [InlineData(new string[0], false, "EHLO reply from mx.contoso.test: (no extensions)", false)]
    // 5 characters: not a masked STARTTLS
    [InlineData(new[] { "PIPELINING", "XXXXA" }, false, "EHLO reply from mx.contoso.test: PIPELINING, XXXXA", false)]
    // STARTTLS masked by a firewall
    [InlineData(new[] { "PIPELINING", "XXXXXXXA" }, true, "EHLO reply from mx.contoso.test: PIPELINING, XXXXXXXA", true)]
    [InlineData(new[] { "xxxxxxxx" }, true, "EHLO reply from mx.contoso.test: xxxxxxxx", true)]
    // 6 characters: the shortest mask counted
    [InlineData(new[] { "XXXXXA" }, true, "EHLO reply from mx.contoso.test: XXXXXA", true)]
    [InlineData(new[] { "XXXXXXAB" }, false, "EHLO reply from mx.contoso.test: XXXXXXAB", false)]
    public void STARTTLS_not_offered_says_nothing_was_sent_and_recognises_a_masked_extension(string[] extensions, bool microsoft,
        string evidence, bool masked)
    {
        SmtpTestFinding f = Assert.Single(Findings.ForTlsFailure(Protocol("SmtpStartTlsNotOffered"), Ehlo(extensions),
            "mail.contoso.test", 587, microsoft, null));
        Assert.Equal(("StartTlsNotOffered", FindingSeverity.Error, SmtpTestStage.Tls, evidence), (f.Id, f.Severity, f.Stage, f.Evidence));
        Assert.StartsWith("The server did not offer STARTTLS, so the test stopped before AUTH: no credentials or token were sent.",
            f.Meaning);
        Assert.Equal(masked, f.Meaning.Contains(" An extension masked as X's is the mark of a firewall's SMTP inspection rewriting "
            + "STARTTLS away (e.g. Cisco ASA/Firepower 'ESMTP inspection').", StringComparison.Ordinal));
        Assert.StartsWith(microsoft
            ? "Exchange Online always offers STARTTLS, so something between this computer and Microsoft removes it: "
            : "Check the server and port; if the server normally offers STARTTLS, something on the way removes it: ", f.Remediation);
        Assert.EndsWith("disable SMTP inspection/STARTTLS stripping on the firewall or proxy for this traffic. " + Submission587,
            f.Remediation);
    }

    [Fact]
    public void STARTTLS_refused_shows_the_reply_or_else_the_message()
    {
        SmtpTestFinding withReply = Assert.Single(Findings.ForTlsFailure(Protocol("SmtpStartTlsRefused", "refused",
            reply: Reply("454 4.7.0 TLS not available")), Ehlo(), "h", 587, false, null));
        Assert.Equal(("StartTlsRefused", SmtpTestStage.Tls, "454 4.7.0 TLS not available"),
            (withReply.Id, withReply.Stage, withReply.Evidence));
        Assert.Equal("The server offered STARTTLS but refused it; the test stopped before AUTH.", withReply.Meaning);
        Assert.Equal("Check the server's TLS configuration (certificate, key, protocols).", withReply.Remediation);
        Assert.Equal("refused",
            Assert.Single(Findings.ForTlsFailure(Protocol("SmtpStartTlsRefused", "refused"), Ehlo(), "h", 587, false, null)).Evidence);
    }

    private static TlsSessionInfo Certificate(DateTime notBefore, DateTime notAfter, string issuer = "CN=Contoso Issuing CA",
        params string[] errors) => new()
    {
        Protocol = "Tls12", CipherSuite = "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", Subject = "CN=mail.contoso.test",
        SubjectAlternativeNames = new[] { "mail.contoso.test", "smtp.contoso.test" },
        Issuer = issuer, NotBefore = notBefore, NotAfter = notAfter, Thumbprint = "ABCDEF0123", ValidationErrors = errors,
    };

    private static SmtpProtocolException CertificateInvalid(TlsSessionInfo? tls, string? action = null)
    {
        var e = Protocol("SmtpCertificateInvalid", "The certificate was rejected.", ErrorKind.SecurityError);
        e.TlsSession = tls;
        if (action != null) e.RecommendedAction = action;
        return e;
    }

    private static readonly DateTime Start = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime ValidUntil = DateTime.UtcNow.AddYears(1);

    [Fact]
    public void A_certificate_for_another_name_is_a_name_mismatch_with_the_certificates_facts_as_evidence()
    {
        TlsSessionInfo tls = Certificate(Start, new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc), "CN=Contoso Issuing CA",
            "RemoteCertificateNameMismatch: the names don't include mail.fabrikam.test.");
        var findings = Findings.ForTlsFailure(CertificateInvalid(tls), Ehlo(), "mail.fabrikam.test", 587, false, null).ToList();
        SmtpTestFinding f = Assert.Single(findings);
        Assert.Equal(("CertificateNameMismatch", FindingSeverity.Error, SmtpTestStage.Tls), (f.Id, f.Severity, f.Stage));
        Assert.Equal("Certificate CN=mail.contoso.test; names mail.contoso.test, smtp.contoso.test; issuer CN=Contoso Issuing CA; "
            + "valid 2026-01-01 00:00:00Z to 2030-01-01 00:00:00Z; thumbprint ABCDEF0123. Problems: RemoteCertificateNameMismatch: "
            + "the names don't include mail.fabrikam.test.", f.Evidence);
        Assert.Equal("The server's certificate isn't for the name connected to (mail.fabrikam.test).", f.Meaning);
        Assert.Equal("Connect by a name the certificate carries, or have the server's certificate re-issued with this name.",
            f.Remediation);

        // For Microsoft 365: use the name on the certificate; an unexpected issuer also suggests interception.
        var microsoft = Findings.ForTlsFailure(CertificateInvalid(tls), Ehlo(), "52.96.0.1", 587, true, null).ToList();
        Assert.Equal(new[] { "CertificateNameMismatch", "TlsInterceptionSuspected" }, microsoft.Select(x => x.Id));
        Assert.Equal("Connect by the name on the certificate (smtp.office365.com), never by IP address or an alias (CNAME) of your own.",
            microsoft[0].Remediation);
        SmtpTestFinding interception = microsoft[1];
        Assert.Equal((FindingSeverity.Warning, SmtpTestStage.Tls), (interception.Severity, interception.Stage));
        Assert.Equal("Certificate CN=mail.contoso.test issued by CN=Contoso Issuing CA (thumbprint ABCDEF0123).", interception.Evidence);
        Assert.Equal("The server is Microsoft 365 but its certificate comes from an issuer Microsoft doesn't use: a proxy or firewall is " +
            "most likely intercepting TLS (and can read the token or password sent in AUTH).", interception.Meaning);
        Assert.Equal("Exempt the Microsoft 365 SMTP endpoints (smtp.office365.com) from TLS inspection. If Microsoft has moved to a new " +
            "certificate authority, give its name with -ExpectedIssuer.", interception.Remediation);

        // An issuer given with -ExpectedIssuer is not interception.
        Assert.Equal(new[] { "CertificateNameMismatch" },
            Findings.ForTlsFailure(CertificateInvalid(tls), Ehlo(), "52.96.0.1", 587, true, new[] { "Contoso Issuing" }).Select(x => x.Id));
    }

    [Fact]
    public void An_expired_certificate_says_when_and_for_Microsoft_365_points_at_inspection()
    {
        TlsSessionInfo tls = Certificate(Start, new DateTime(2026, 2, 1, 0, 0, 0, DateTimeKind.Utc),
            "CN=Microsoft Azure RSA TLS Issuing CA 03", "Certificate chain: NotTimeValid");
        SmtpTestFinding f = Assert.Single(Findings.ForTlsFailure(CertificateInvalid(tls), Ehlo(), "smtp.office365.com", 587, false, null));
        Assert.Equal(("CertificateExpired", FindingSeverity.Error, SmtpTestStage.Tls), (f.Id, f.Severity, f.Stage));
        Assert.Equal("The server's certificate expired on 2026-02-01 00:00:00Z.", f.Meaning);
        Assert.Equal("Renew the server's certificate.", f.Remediation);
        SmtpTestFinding m = Assert.Single(Findings.ForTlsFailure(CertificateInvalid(tls), Ehlo(), "smtp.office365.com", 587, true, null));
        Assert.Equal("Renew the server's certificate. Microsoft doesn't serve expired certificates: a device in between (TLS inspection) "
            + "probably does.", m.Remediation);

        // Past its end date even when the platform's errors don't say NotTimeValid.
        TlsSessionInfo past = Certificate(Start, new DateTime(2026, 2, 1, 0, 0, 0, DateTimeKind.Utc), "CN=x",
            "RemoteCertificateChainErrors");
        Assert.Equal("CertificateExpired",
            Assert.Single(Findings.ForTlsFailure(CertificateInvalid(past), Ehlo(), "h", 587, false, null)).Id);
    }

    [Fact]
    public void A_certificate_not_yet_valid_points_at_a_clock()
    {
        DateTime future = DateTime.UtcNow.AddDays(30);
        TlsSessionInfo tls = Certificate(future, future.AddYears(1), "CN=x", "Certificate chain: NotTimeValid");
        SmtpTestFinding f = Assert.Single(Findings.ForTlsFailure(CertificateInvalid(tls), Ehlo(), "h", 587, false, null));
        Assert.Equal(("CertificateNotYetValid", FindingSeverity.Error), (f.Id, f.Severity));
        Assert.Equal($"The server's certificate is not valid before {future:u}: the server's or this computer's clock is wrong.",
            f.Meaning);
        Assert.Equal("Check the clock of this computer (and of the server).", f.Remediation);
    }

    [Fact]
    public void An_untrusted_chain_is_its_own_finding_and_for_Microsoft_365_blames_re_signing()
    {
        TlsSessionInfo tls = Certificate(Start, ValidUntil, "CN=Contoso Firewall CA", "Certificate chain: UntrustedRoot");
        SmtpTestFinding f = Assert.Single(Findings.ForTlsFailure(CertificateInvalid(tls), Ehlo(), "h", 587, false, null));
        Assert.Equal(("CertificateUntrusted", FindingSeverity.Error, SmtpTestStage.Tls), (f.Id, f.Severity, f.Stage));
        Assert.Equal("The server's certificate doesn't chain to a root this computer trusts.", f.Meaning);
        Assert.Equal("Install the issuing CA's root certificate on this computer, or use a certificate from a public CA on the server.",
            f.Remediation);
        var m = Findings.ForTlsFailure(CertificateInvalid(tls), Ehlo(), "smtp.office365.com", 587, true, null).ToList();
        Assert.Equal(new[] { "CertificateUntrusted", "TlsInterceptionSuspected" }, m.Select(x => x.Id));
        Assert.StartsWith("Microsoft's certificates chain to public roots every current system trusts: a proxy or firewall that inspects "
            + "TLS is re-signing the connection.", m[0].Remediation);
    }

    [Fact]
    public void A_rejected_certificate_with_no_recognised_problem_is_certificate_invalid()
    {
        TlsSessionInfo tls = Certificate(Start, ValidUntil, "CN=Microsoft Azure RSA TLS Issuing CA 03",
            "RemoteCertificateChainErrors: revoked");
        SmtpTestFinding f = Assert.Single(Findings.ForTlsFailure(CertificateInvalid(tls, "Ask the server's admin."), Ehlo(),
            "h", 587, true, null));
        Assert.Equal(("CertificateInvalid", FindingSeverity.Error, SmtpTestStage.Tls), (f.Id, f.Severity, f.Stage));
        Assert.Equal("The server's certificate was rejected.", f.Meaning);
        Assert.Equal("Ask the server's admin.", f.Remediation);

        // Without session facts: the exception's message is the evidence and the problem.
        SmtpTestFinding bare = Assert.Single(Findings.ForTlsFailure(CertificateInvalid(null), Ehlo(), "h", 587, true, null));
        Assert.Equal(("CertificateInvalid", "The certificate was rejected."), (bare.Id, bare.Evidence));
    }

    [Theory]
    [InlineData(true, "Exchange Online offers TLS 1.2 and 1.3: a device in between is interfering with TLS. Make sure nothing "
        + "downgrades or intercepts the connection.")]
    [InlineData(false, "Enable TLS 1.2 (or 1.3) on the server. Old devices that can't be upgraded can send through a relay that "
        + "speaks modern TLS.")]
    public void A_failed_handshake_names_old_TLS_versions(bool microsoft, string remediation)
    {
        SmtpTestFinding f = Assert.Single(Findings.ForTlsFailure(Protocol("SmtpTlsHandshakeFailed", "handshake"), Ehlo(), "h", 587,
            microsoft, null));
        Assert.Equal(("TlsHandshakeFailed", FindingSeverity.Error, SmtpTestStage.Tls, "handshake"),
            (f.Id, f.Severity, f.Stage, f.Evidence));
        Assert.StartsWith("The TLS handshake failed after STARTTLS: typically the server offers only TLS 1.0/1.1", f.Meaning);
        Assert.Equal(remediation, f.Remediation);
    }

    [Fact]
    public void A_timeout_during_TLS_and_other_failures_there()
    {
        SmtpTestFinding t = Assert.Single(Findings.ForTlsFailure(Protocol("SmtpTimeout", "slow", ErrorKind.OperationTimeout), Ehlo(),
            "h", 587, false, null));
        Assert.Equal(("TlsTimeout", FindingSeverity.Error, SmtpTestStage.Tls, "slow"), (t.Id, t.Severity, t.Stage, t.Evidence));
        Assert.Equal("The server stopped answering during STARTTLS or the TLS handshake.", t.Meaning);
        Assert.Equal("Check for a firewall or proxy that blocks or inspects TLS on this port.", t.Remediation);
        SmtpTestFinding other = Assert.Single(Findings.ForTlsFailure(Protocol("SmtpConnectionClosed", "closed"), Ehlo(), "h", 587,
            false, null));
        Assert.Equal(("ConnectionDropped", SmtpTestStage.Tls), (other.Id, other.Stage));
    }

    [Theory]
    [InlineData("Tls12", false)]
    [InlineData("Tls13", false)]
    [InlineData("Tls11", true)]
    [InlineData("Tls", true)]
    public void TLS_older_than_1_2_is_an_error(string protocol, bool tooOld)
    {
        TlsSessionInfo tls = Certificate(Start, ValidUntil);
        tls.Protocol = protocol;
        tls.CertificateValid = true;
        var findings = Findings.ForTlsSession(tls, false, null, DateTime.UtcNow).ToList();
        if (!tooOld) { Assert.Empty(findings); return; }
        SmtpTestFinding f = Assert.Single(findings);
        Assert.Equal(("TlsVersionTooOld", FindingSeverity.Error, SmtpTestStage.Tls), (f.Id, f.Severity, f.Stage));
        Assert.Equal($"Negotiated {protocol} TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", f.Evidence);
        Assert.Equal("The session uses a TLS version older than 1.2.", f.Meaning);
        Assert.Equal("Enable TLS 1.2 or 1.3 on both ends.", f.Remediation);
    }

    [Theory]
    [InlineData(true, false, true)]
    [InlineData(true, true, false)]
    [InlineData(false, false, false)]
    public void Skipped_validation_of_a_bad_certificate_is_a_warning(bool skipped, bool valid, bool warned)
    {
        TlsSessionInfo tls = Certificate(Start, ValidUntil, "CN=x", "RemoteCertificateNameMismatch", "UntrustedRoot");
        tls.ValidationSkipped = skipped;
        tls.CertificateValid = valid;
        var findings = Findings.ForTlsSession(tls, false, null, DateTime.UtcNow).ToList();
        if (!warned) { Assert.Empty(findings); return; }
        SmtpTestFinding f = Assert.Single(findings);
        Assert.Equal(("CertificateNotValidated", FindingSeverity.Warning, "RemoteCertificateNameMismatch UntrustedRoot"),
            (f.Id, f.Severity, f.Evidence));
        Assert.Equal("Certificate validation was switched off and the certificate would have failed it.", f.Meaning);
        Assert.Equal("Fix the certificate rather than skipping validation.", f.Remediation);
    }

    [Theory]
    [InlineData(13.5, 13)]
    [InlineData(0.5, 0)]
    [InlineData(14, null)]
    [InlineData(30, null)]
    [InlineData(-1, null)] // already expired: the handshake reports that, not this
    public void A_certificate_expiring_within_14_days_is_a_warning_with_the_days_left(double daysLeft, int? reported)
    {
        DateTime now = new(2026, 6, 1, 12, 0, 0, DateTimeKind.Utc);
        TlsSessionInfo tls = Certificate(Start, now.AddDays(daysLeft));
        tls.CertificateValid = true;
        var findings = Findings.ForTlsSession(tls, false, null, now).ToList();
        if (reported == null) { Assert.Empty(findings); return; }
        SmtpTestFinding f = Assert.Single(findings);
        Assert.Equal(("CertificateExpiresSoon", FindingSeverity.Warning, SmtpTestStage.Tls), (f.Id, f.Severity, f.Stage));
        Assert.Equal($"Certificate CN=mail.contoso.test valid to {now.AddDays(daysLeft):u}", f.Evidence);
        Assert.Equal($"The server's certificate expires in {reported} day(s).", f.Meaning);
        Assert.Equal("Renew the server's certificate before it expires.", f.Remediation);
    }

    [Theory]
    [InlineData("CN=Microsoft Azure RSA TLS Issuing CA 07, O=Microsoft Corporation", true, false)]
    [InlineData("CN=Fortinet CA", true, true)]
    [InlineData("CN=Fortinet CA", false, false)]
    public void A_Microsoft_365_session_with_an_unexpected_issuer_suggests_interception(string issuer, bool microsoft, bool suspected)
    {
        TlsSessionInfo tls = Certificate(Start, ValidUntil, issuer);
        tls.CertificateValid = true;
        Assert.Equal(suspected ? new[] { "TlsInterceptionSuspected" } : Array.Empty<string>(),
            Findings.ForTlsSession(tls, microsoft, null, DateTime.UtcNow).Select(f => f.Id));
    }

    // ---- configuration ----

    [Theory]
    [InlineData(BasicAuthVerdictKind.Refuse, "BasicAuthRemoved", FindingSeverity.Error)]
    [InlineData(BasicAuthVerdictKind.Warn, "BasicAuthRetiring", FindingSeverity.Warning)]
    public void Basic_authentication_against_Microsoft_365_names_what_to_move_to(BasicAuthVerdictKind kind, string id,
        FindingSeverity severity)
    {
        SmtpTestFinding f = Findings.BasicAuthRetiring(new BasicAuthVerdict(kind, "smtp.office365.com", "Basic is going away.",
            new[] { "Use OAuth.", "Or Graph." }));
        Assert.Equal((id, severity, SmtpTestStage.Token), (f.Id, f.Severity, f.Stage));
        Assert.Equal("Basic authentication (-Credential) against smtp.office365.com.", f.Evidence);
        Assert.Equal("Basic is going away.", f.Meaning);
        Assert.Equal("Move to OAuth: Use OAuth. Or Graph.", f.Remediation);
    }

    [Theory]
    [InlineData(true, "This Microsoft 365 endpoint doesn't offer authentication: it is the tenant MX endpoint (relay connectors and "
        + "Direct Send), not client submission.", "For authenticated submission use smtp.office365.com port 587.")]
    [InlineData(false, "The server doesn't offer SMTP AUTH on this port.",
        "Use the server's submission port (usually 587), or enable SMTP AUTH on the server.")]
    public void No_AUTH_offered_explains_the_MX_endpoint_for_Microsoft_365(bool microsoft, string meaning, string remediation)
    {
        SmtpTestFinding f = Findings.AuthNotOffered("contoso-com.mail.protection.outlook.com", 25, microsoft);
        Assert.Equal(("AuthNotOffered", FindingSeverity.Error, SmtpTestStage.Auth), (f.Id, f.Severity, f.Stage));
        Assert.Equal("The EHLO reply of contoso-com.mail.protection.outlook.com:25 over TLS has no AUTH line.", f.Evidence);
        Assert.Equal((meaning, remediation), (f.Meaning, f.Remediation));
    }

    [Fact]
    public void An_app_token_without_a_service_principal_gets_the_two_commands_that_register_it()
    {
        var context = new RemediationContext { AppId = "11111111-2222-3333-4444-555555555555",
            ServicePrincipalObjectId = "66666666-7777-8888-9999-000000000000", Mailbox = "scanner@contoso.com" };
        Assert.Equal(new[]
        {
            "New-ServicePrincipal -AppId '11111111-2222-3333-4444-555555555555' -ObjectId '66666666-7777-8888-9999-000000000000'",
            "Add-MailboxPermission -Identity 'scanner@contoso.com' -User '66666666-7777-8888-9999-000000000000' -AccessRights FullAccess",
        }, Findings.TokenCommands("TokenMissingSendAsApp", context));
        Assert.Equal(new[]
        {
            "New-ServicePrincipal -AppId '<application id>' -ObjectId '<enterprise application object id>'",
            "Add-MailboxPermission -Identity '<mailbox>' -User '<enterprise application object id>' -AccessRights FullAccess",
        }, Findings.TokenCommands("TokenMissingSendAsApp", new RemediationContext()));
        Assert.Empty(Findings.TokenCommands("TokenExpired", context));
    }

    // ---- a session that broke ----

    [Fact]
    public void A_session_failure_is_read_by_its_error_id()
    {
        SmtpTestFinding timeout = Findings.ForSessionFailure(SmtpTestStage.Ehlo,
            Protocol("SmtpTimeout", "slow", ErrorKind.OperationTimeout), 587, 30);
        Assert.Equal(("EhloTimeout", FindingSeverity.Error, SmtpTestStage.Ehlo, "slow"),
            (timeout.Id, timeout.Severity, timeout.Stage, timeout.Evidence));
        Assert.Equal("The server stopped answering during the Ehlo stage.", timeout.Meaning);
        Assert.Equal("Check that the server isn't overloaded and that nothing on the network holds the connection; try again, or give "
            + "a longer -TimeoutSeconds.", timeout.Remediation);

        foreach (string id in new[] { "SmtpInvalidReply", "SmtpReplyTooLong" })
        {
            SmtpTestFinding f = Findings.ForSessionFailure(SmtpTestStage.Greeting, Protocol(id, "garbage", ErrorKind.ProtocolError),
                2525, 30);
            Assert.Equal(("NotAnSmtpServer", FindingSeverity.Error, SmtpTestStage.Greeting, "garbage"),
                (f.Id, f.Severity, f.Stage, f.Evidence));
            Assert.Equal("The server on port 2525 doesn't speak SMTP (or something in between rewrites the traffic).", f.Meaning);
            Assert.Equal("Check the host and port. " + Submission587, f.Remediation);
        }

        foreach (string id in new[] { "SmtpConnectionClosed", "SmtpConnectionLost" })
        {
            SmtpTestFinding f = Findings.ForSessionFailure(SmtpTestStage.Auth, Protocol(id, "gone"), 587, 30);
            Assert.Equal(("ConnectionDropped", FindingSeverity.Error, SmtpTestStage.Auth, "gone"), (f.Id, f.Severity, f.Stage, f.Evidence));
            Assert.Equal("The server or something in between closed the connection during the Auth stage.", f.Meaning);
            Assert.Equal("Try again; if it repeats, check firewalls and proxies on the way and the server's logs.", f.Remediation);
        }

        AssertPort465(Findings.ForSessionFailure(SmtpTestStage.Greeting, Protocol("SmtpImplicitTlsNotSupported", "TLS first"), 465, 30),
            "TLS first");

        var other = Protocol("SmtpSomethingElse", "odd");
        SmtpTestFinding o = Findings.ForSessionFailure(SmtpTestStage.MailFrom, other, 587, 30);
        Assert.Equal(("SmtpSomethingElse", FindingSeverity.Error, SmtpTestStage.MailFrom, "odd", "odd"),
            (o.Id, o.Severity, o.Stage, o.Evidence, o.Meaning));
        Assert.Equal("See the message.", o.Remediation);
        other.RecommendedAction = "Do this.";
        Assert.Equal("Do this.", Findings.ForSessionFailure(SmtpTestStage.MailFrom, other, 587, 30).Remediation);
    }

    [Fact]
    public void Every_command_template_is_listed_once_with_the_checks_of_this_class()
    {
        IReadOnlyList<string> all = Findings.AllCommandTemplates();
        Assert.Equal(all.Count, all.Distinct().Count());
        // The Windows forms: the templates are checked against the PowerShell cmdlet references, not this system's tools.
        Assert.Contains("Test-NetConnection -ComputerName 'smtp.office365.com' -Port 587", all);
        Assert.Contains("Resolve-DnsName -Name 'smtp.office365.com'", all);
        Assert.Contains("New-ServicePrincipal -AppId '<application id>' -ObjectId '<enterprise application object id>'", all);
        Assert.Contains("Set-CASMailbox -Identity '<mailbox>' -SmtpClientAuthenticationDisabled $false", all);
    }
}
