using System.Security.Cryptography.X509Certificates;
using M365SmtpTools.Engine.Smtp;
using M365SmtpTools.Engine.Tests.Infrastructure;

namespace M365SmtpTools.Engine.Tests.Smtp;

/// <summary>STARTTLS against a loopback TLS server with certificates made in the test.</summary>
public class SmtpTlsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Starttls_negotiates_records_the_session_and_discards_pre_tls_capabilities()
    {
        await using var exo = ExchangeOnlineDouble.Start();
        var log = new InMemorySmtpTranscriptLogger();
        using var client = new SmtpClient();
        await client.ConnectAsync(exo.Host, exo.Port, exo.ClientOptions(log), Ct);

        Assert.True(client.IsSecure);
        TlsSessionInfo tls = client.TlsSession!;
        Assert.Contains(tls.Protocol, new[] { "Tls12", "Tls13" });
        Assert.False(string.IsNullOrEmpty(tls.CipherSuite));
        Assert.Equal("CN=localhost", tls.Subject);
        Assert.Equal("CN=M365SmtpTools Test CA", tls.Issuer);
        Assert.Contains("localhost", tls.SubjectAlternativeNames);
        Assert.Contains("127.0.0.1", tls.SubjectAlternativeNames);
        Assert.True(tls.CertificateValid);
        Assert.Empty(tls.ValidationErrors);
        Assert.NotNull(tls.Thumbprint);
        Assert.True(tls.NotAfter > DateTime.UtcNow);
        // After TLS: AUTH appears, STARTTLS is gone (the pre-TLS list was discarded).
        Assert.False(client.Capabilities.SupportsStartTls);
        Assert.Equal(new[] { "LOGIN", "XOAUTH2" }, client.Capabilities.AuthMechanisms);
        Assert.Equal(2, log.Entries.Count(e => e.Direction == SmtpTranscriptDirection.Client && e.Text.StartsWith("EHLO ")));
        await client.QuitAsync(Ct);
        await exo.WaitForSessionsAsync();
        Assert.Equal(new[] { "EHLO client.contoso.com", "STARTTLS", "EHLO client.contoso.com", "QUIT" }, exo.Sessions.Single().Commands);
        Assert.True(exo.Sessions.Single().Tls);
    }

    [Fact]
    public async Task A_certificate_for_another_name_is_rejected_and_nothing_is_sent_after_the_handshake()
    {
        await using var exo = ExchangeOnlineDouble.Start(new ExchangeOnlineDoubleOptions
        {
            ServerCertificate = TestCertificates.CreateServer(new[] { "mail.fabrikam.test" }, includeLoopbackIp: false),
        });
        using var client = new SmtpClient();
        var ex = await Assert.ThrowsAsync<SmtpProtocolException>(() => client.ConnectAsync(exo.Host, exo.Port, exo.ClientOptions(), Ct));

        Assert.Equal("SmtpCertificateInvalid", ex.ErrorId);
        Assert.Equal(ErrorKind.SecurityError, ex.Kind);
        Assert.Equal(SmtpPhase.StartTls, ex.Phase);
        Assert.Contains("mail.fabrikam.test", ex.Message);
        Assert.Contains("'localhost'", ex.Message);
        await exo.WaitForSessionsAsync();
        Assert.Equal(new[] { "EHLO client.contoso.com", "STARTTLS" }, exo.Sessions.Single().Commands);
    }

    [Fact]
    public async Task An_expired_certificate_is_rejected()
    {
        await using var exo = ExchangeOnlineDouble.Start(new ExchangeOnlineDoubleOptions
        {
            ServerCertificate = TestCertificates.CreateServer(new[] { "localhost" }, notBefore: DateTimeOffset.UtcNow.AddDays(-30),
                notAfter: DateTimeOffset.UtcNow.AddDays(-1)),
        });
        using var client = new SmtpClient();
        var ex = await Assert.ThrowsAsync<SmtpProtocolException>(() => client.ConnectAsync(exo.Host, exo.Port, exo.ClientOptions(), Ct));
        Assert.Equal("SmtpCertificateInvalid", ex.ErrorId);
        Assert.Contains("NotTimeValid", ex.Message);
        // The certificate's facts come with the error, for diagnosis.
        Assert.Equal("CN=localhost", ex.TlsSession!.Subject);
        Assert.True(ex.TlsSession.NotAfter < DateTime.UtcNow);
        Assert.Contains(ex.TlsSession.ValidationErrors, e => e.Contains("NotTimeValid"));
        Assert.False(ex.TlsSession.CertificateValid);
    }

    [Fact]
    public async Task A_certificate_from_an_untrusted_ca_is_rejected()
    {
        await using var exo = ExchangeOnlineDouble.Start();
        SmtpConnectOptions options = exo.ClientOptions();
        options.TlsPolicy.TrustedRootCertificates = null;
        using var client = new SmtpClient();
        var ex = await Assert.ThrowsAsync<SmtpProtocolException>(() => client.ConnectAsync(exo.Host, exo.Port, options, Ct));
        Assert.Equal("SmtpCertificateInvalid", ex.ErrorId);
        Assert.Contains("chain", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_trusted_root_that_did_not_sign_the_certificate_does_not_help()
    {
        await using var exo = ExchangeOnlineDouble.Start();
        SmtpConnectOptions options = exo.ClientOptions();
        options.TlsPolicy.TrustedRootCertificates = new X509Certificate2Collection(TestCertificates.CreateCa("Another CA"));
        using var client = new SmtpClient();
        var ex = await Assert.ThrowsAsync<SmtpProtocolException>(() => client.ConnectAsync(exo.Host, exo.Port, options, Ct));
        Assert.Equal("SmtpCertificateInvalid", ex.ErrorId);
    }

    [Fact]
    public async Task Skipping_validation_connects_but_warns_on_every_connection()
    {
        await using var exo = ExchangeOnlineDouble.Start(new ExchangeOnlineDoubleOptions
        {
            ServerCertificate = TestCertificates.CreateServer(new[] { "wrong.name.test" }, notAfter: DateTimeOffset.UtcNow.AddDays(-1),
                notBefore: DateTimeOffset.UtcNow.AddDays(-9), includeLoopbackIp: false),
        });
        var host = new RecordingHost();
        for (int i = 0; i < 2; i++)
        {
            SmtpConnectOptions options = exo.ClientOptions(host: host);
            options.TlsPolicy = new TlsPolicy { SkipCertificateValidation = true };
            using var client = new SmtpClient();
            await client.ConnectAsync(exo.Host, exo.Port, options, Ct);
            Assert.True(client.IsSecure);
            Assert.True(client.TlsSession!.ValidationSkipped);
            Assert.False(client.TlsSession.CertificateValid);
            Assert.NotEmpty(client.TlsSession.ValidationErrors);
            await client.QuitAsync(Ct);
        }
        Assert.Equal(2, host.Warnings.Count(w => w.Contains("certificate validation is switched off")));
    }

    [Fact]
    public async Task A_client_certificate_is_presented_when_given()
    {
        await using var exo = ExchangeOnlineDouble.Start(new ExchangeOnlineDoubleOptions
        {
            RequestClientCertificate = true, Role = DoubleRole.Mx
        });
        SmtpConnectOptions options = exo.ClientOptions();
        options.TlsPolicy.ClientCertificate = TestCertificates.CreateClient("relay.contoso.com");
        using var client = new SmtpClient();
        await client.ConnectAsync(exo.Host, exo.Port, options, Ct);
        Assert.True(client.TlsSession!.ClientCertificatePresented);
        await client.QuitAsync(Ct);
        await exo.WaitForSessionsAsync();
        Assert.Equal("CN=relay.contoso.com", exo.Sessions.Single().ClientCertificateSubject);
    }

    [Fact]
    public async Task Implicit_tls_to_a_non_microsoft_server_handshakes_first()
    {
        // A tiny implicit-TLS server: TLS from the first byte, then the greeting.
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        X509Certificate2 cert = TestCertificates.CreateServer(new[] { "localhost" });
        Task server = Task.Run(async () =>
        {
            using var tcp = await listener.AcceptTcpClientAsync(Ct);
            using var ssl = new System.Net.Security.SslStream(tcp.GetStream());
            await ssl.AuthenticateAsServerAsync(cert);
            var w = new StreamWriter(ssl) { NewLine = "\r\n", AutoFlush = true };
            var r = new StreamReader(ssl);
            await w.WriteLineAsync("220 implicit.test ESMTP");
            string? ehlo = await r.ReadLineAsync(Ct);
            await w.WriteLineAsync(ehlo!.StartsWith("EHLO ") ? "250-implicit.test\r\n250 AUTH PLAIN" : "500 what");
            await r.ReadLineAsync(Ct);
            await w.WriteLineAsync("221 bye");
        }, Ct);

        using var client = new SmtpClient();
        await client.ConnectAsync("127.0.0.1", port, new SmtpConnectOptions
        {
            TlsMode = SmtpTlsMode.ImplicitTls,
            TlsPolicy = new TlsPolicy
            {
                ServerName = "localhost", TrustedRootCertificates = new X509Certificate2Collection(TestCertificates.Ca)
            },
            LocalDomain = "client.test",
        }, Ct);
        Assert.True(client.IsSecure);
        Assert.Equal(new[] { "PLAIN" }, client.Capabilities.AuthMechanisms);
        await client.QuitAsync(Ct);
        await server;
    }

    [Fact]
    public async Task Tls_versions_below_1_2_are_refused()
    {
        await using var exo = ExchangeOnlineDouble.Start();
        SmtpConnectOptions options = exo.ClientOptions();
#pragma warning disable SYSLIB0039 // the point is to refuse it
        options.TlsPolicy.Protocols = System.Security.Authentication.SslProtocols.Tls11 | System.Security.Authentication.SslProtocols.Tls12;
#pragma warning restore SYSLIB0039
        using var client = new SmtpClient();
        var ex = await Assert.ThrowsAsync<SmtpProtocolException>(() => client.ConnectAsync(exo.Host, exo.Port, options, Ct));
        Assert.Equal("SmtpTlsProtocolNotAllowed", ex.ErrorId);
        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
    }

    [Fact]
    public async Task Connects_over_ipv6_loopback()
    {
        if (!System.Net.Sockets.Socket.OSSupportsIPv6) Assert.Skip("IPv6 isn't available on this machine.");
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.IPv6Loopback, 0);
        try { listener.Start(); }
        catch (System.Net.Sockets.SocketException) { Assert.Skip("The IPv6 loopback address can't be bound here."); }
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        Task<string?> server = Task.Run(async () =>
        {
            using var tcp = await listener.AcceptTcpClientAsync(Ct);
            var s = tcp.GetStream();
            var w = new StreamWriter(s) { NewLine = "\r\n", AutoFlush = true };
            var r = new StreamReader(s);
            await w.WriteLineAsync("220 v6.test ESMTP");
            string? ehlo = await r.ReadLineAsync(Ct);
            await w.WriteLineAsync("250-v6.test Hello\r\n250 PIPELINING");
            return ehlo;
        }, Ct);
        using var client = new SmtpClient();
        await client.ConnectAsync("::1", port, new SmtpConnectOptions { TlsMode = SmtpTlsMode.None }, Ct);
        string? ehlo = await server;
        Assert.StartsWith("EHLO ", ehlo);
        Assert.Equal("v6.test", client.Capabilities.ServerName);
        Assert.True(client.Capabilities.SupportsPipelining);
    }

    [Fact]
    public void Subject_alternative_names_are_read_from_der()
    {
        X509Certificate2 cert = TestCertificates.CreateServer(new[] { "a.test", "b.test" });
        Assert.Equal(new[] { "a.test", "b.test", "127.0.0.1" }, SubjectAlternativeNames.Read(cert));
        Assert.Throws<FormatException>(() => SubjectAlternativeNames.Parse(new byte[] { 0x30, 0x05, 0x82, 0x10 }));
    }
}
