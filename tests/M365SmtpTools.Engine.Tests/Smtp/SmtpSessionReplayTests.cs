using M365SmtpTools.Engine.Smtp;
using M365SmtpTools.Engine.Tests.Infrastructure;
using static M365SmtpTools.Engine.Tests.Smtp.Replay;

namespace M365SmtpTools.Engine.Tests.Smtp;

/// <summary>Greeting, EHLO/HELO, capabilities, STARTTLS refusal paths, QUIT — against scripted replies.</summary>
public class SmtpSessionReplayTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Ehlo_capabilities_are_parsed_from_a_multi_line_reply()
    {
        var (client, stream) = await ConnectAsync(
            "220-mx.test ESMTP\r\n220-second greeting line\r\n220 ready\r\n",
            Ehlo("SIZE 37748736", "PIPELINING", "DSN", "ENHANCEDSTATUSCODES", "STARTTLS", "AUTH LOGIN XOAUTH2", "AUTH=PLAIN", "8BITMIME",
                "BINARYMIME", "CHUNKING", "SMTPUTF8"));

        Assert.Equal(EhloCommand, stream.Written);
        Assert.Equal(new[] { "mx.test ESMTP", "second greeting line", "ready" }, client.Greeting!.Lines);
        SmtpCapabilities caps = client.Capabilities;
        Assert.Equal(37748736, caps.MaxMessageSize);
        Assert.True(caps.SupportsPipelining && caps.SupportsDsn && caps.SupportsEnhancedStatusCodes && caps.SupportsStartTls);
        Assert.True(caps.Supports8BitMime && caps.SupportsChunking && caps.SupportsSmtpUtf8);
        Assert.Equal(new[] { "LOGIN", "XOAUTH2", "PLAIN" }, caps.AuthMechanisms);
        Assert.Equal("mx.test", caps.ServerName);
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task Size_without_a_number_means_no_fixed_limit()
    {
        var (client, _) = await ConnectAsync(Greeting, Ehlo("SIZE"));
        Assert.True(client.Capabilities.SupportsSize);
        Assert.Null(client.Capabilities.MaxMessageSize);
    }

    [Fact]
    public async Task Ehlo_refused_falls_back_to_helo_with_no_extensions()
    {
        var (client, stream) = await ConnectAsync(Greeting, "502 5.5.1 Command not implemented\r\n", "250 mx.test\r\n");

        Assert.Equal(EhloCommand + "HELO client.test\r\n", stream.Written);
        Assert.False(client.Capabilities.IsExtended);
        Assert.Empty(client.Capabilities.AuthMechanisms);
    }

    [Fact]
    public async Task Ehlo_refused_when_tls_is_required_stops_without_helo()
    {
        var ex = await Assert.ThrowsAsync<SmtpProtocolException>(() =>
            ConnectAsync(Options(SmtpTlsMode.StartTlsRequired), Greeting, "502 5.5.1 Command not implemented\r\n", "250 mx.test\r\n"));
        Assert.Equal("SmtpStartTlsNotOffered", ex.ErrorId);
        Assert.Equal(ErrorKind.SecurityError, ex.Kind);
    }

    [Fact]
    public async Task Greeting_554_is_a_protocol_failure_with_the_reply()
    {
        var stream = new ScriptedSmtpStream("554 5.7.1 Access denied, traffic not accepted from this IP\r\n");
        using var client = new SmtpClient();
        var ex = await Assert.ThrowsAsync<SmtpProtocolException>(() => client.ConnectAsync(stream, "mx.test", Options(), Ct));
        Assert.Equal("SmtpGreetingRejected", ex.ErrorId);
        Assert.Equal(SmtpPhase.Greeting, ex.Phase);
        Assert.Equal(554, ex.ReplyCode);
        Assert.Equal("5.7.1", ex.EnhancedStatusCode!.ToString());
        Assert.Equal("mx.test", ex.ServerHost);
        Assert.Equal("", stream.Written);
        Assert.True(stream.Disposed);
    }

    [Fact]
    public async Task Starttls_not_offered_when_required_sends_nothing_after_ehlo()
    {
        // The STARTTLS-stripping defence: an attacker removed STARTTLS from the EHLO reply.
        var stream = new ScriptedSmtpStream(Greeting, Ehlo("AUTH PLAIN LOGIN", "PIPELINING"), "235 2.7.0 ok\r\n", "250 ok\r\n");
        using var client = new SmtpClient();
        var ex = await Assert.ThrowsAsync<SmtpProtocolException>(() =>
            client.ConnectAsync(stream, "mx.test", Options(SmtpTlsMode.StartTlsRequired), Ct));

        Assert.Equal("SmtpStartTlsNotOffered", ex.ErrorId);
        Assert.Equal(ErrorKind.SecurityError, ex.Kind);
        Assert.Equal(SmtpPhase.StartTls, ex.Phase);
        Assert.Equal(EhloCommand, stream.Written);
        Assert.DoesNotContain("AUTH", stream.Written);
        Assert.False(client.IsConnected);
        await Assert.ThrowsAsync<SmtpProtocolException>(() => client.AuthenticateAsync(Password(), cancellationToken: Ct));
        Assert.Equal(EhloCommand, stream.Written);
    }

    [Fact]
    public async Task Starttls_refused_when_required_stops()
    {
        var stream = new ScriptedSmtpStream(Greeting, Ehlo("STARTTLS", "AUTH PLAIN"),
            "454 4.7.0 TLS not available due to temporary reason\r\n");
        using var client = new SmtpClient();
        var ex = await Assert.ThrowsAsync<SmtpProtocolException>(() =>
            client.ConnectAsync(stream, "mx.test", Options(SmtpTlsMode.StartTlsRequired), Ct));

        Assert.Equal("SmtpStartTlsRefused", ex.ErrorId);
        Assert.Equal(454, ex.ReplyCode);
        Assert.Equal(EhloCommand + "STARTTLS\r\n", stream.Written);
    }

    [Fact]
    public async Task Starttls_when_available_goes_on_in_clear_text_with_a_warning()
    {
        var host = new RecordingHost();
        SmtpConnectOptions options = Options(SmtpTlsMode.StartTlsWhenAvailable);
        options.Host = host;
        var (client, stream) = await ConnectAsync(options, Greeting, Ehlo("PIPELINING"));

        Assert.True(client.IsConnected);
        Assert.False(client.IsSecure);
        Assert.Equal(EhloCommand, stream.Written);
        Assert.Contains(host.Warnings, w => w.Contains("did not offer STARTTLS"));
    }

    [Fact]
    public async Task Data_after_the_starttls_go_ahead_is_treated_as_injection()
    {
        // "220 go ahead" immediately followed by a plaintext reply the attacker wants read as if it came over TLS.
        var stream = new ScriptedSmtpStream(Greeting, Ehlo("STARTTLS"), "220 2.0.0 go ahead\r\n250 injected\r\n");
        using var client = new SmtpClient();
        var ex = await Assert.ThrowsAsync<SmtpProtocolException>(() =>
            client.ConnectAsync(stream, "mx.test", Options(SmtpTlsMode.StartTlsRequired), Ct));
        Assert.Equal("SmtpStartTlsInjection", ex.ErrorId);
        Assert.Equal(ErrorKind.SecurityError, ex.Kind);
    }

    [Fact]
    public async Task Noop_returns_the_reply()
    {
        var (client, stream) = await ConnectAsync(Greeting, Ehlo(), "250 2.0.0 OK\r\n");
        SmtpReply reply = await client.NoopAsync(Ct);
        Assert.Equal(250, reply.Code);
        Assert.EndsWith("NOOP\r\n", stream.Written);
    }

    [Fact]
    public async Task Quit_sends_quit_and_closes()
    {
        var (client, stream) = await ConnectAsync(Greeting, Ehlo("PIPELINING"), "221 2.0.0 bye\r\n");
        await client.QuitAsync(Ct);
        Assert.Equal(EhloCommand + "QUIT\r\n", stream.Written);
        Assert.False(client.IsConnected);
        Assert.True(stream.Disposed);
    }

    [Fact]
    public async Task A_server_that_never_answers_times_out_and_the_connection_is_dead()
    {
        SmtpConnectOptions options = Options();
        options.CommandTimeout = TimeSpan.FromMilliseconds(200);
        var stream = new ScriptedSmtpStream(Greeting, Ehlo("PIPELINING"), ScriptedSmtpStream.Hang);
        using var client = new SmtpClient();
        await client.ConnectAsync(stream, "mx.test", options, Ct);

        var ex = await Assert.ThrowsAsync<SmtpProtocolException>(() => client.ResetAsync(Ct));
        Assert.Equal("SmtpTimeout", ex.ErrorId);
        Assert.Equal(ErrorKind.OperationTimeout, ex.Kind);
        Assert.Equal(SmtpPhase.Rset, ex.Phase);
        Assert.False(client.IsConnected);
    }

    [Fact]
    public async Task Cancellation_surfaces_as_operation_cancelled()
    {
        var stream = new ScriptedSmtpStream(Greeting, Ehlo("PIPELINING"), ScriptedSmtpStream.Hang);
        using var client = new SmtpClient();
        await client.ConnectAsync(stream, "mx.test", Options(), Ct);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.ResetAsync(cts.Token));
        Assert.False(client.IsConnected);
    }

    [Theory]
    [InlineData("smtp.office365.com", 465, SmtpTlsMode.StartTlsRequired)]
    [InlineData("SMTP.Office365.com.", 465, SmtpTlsMode.ImplicitTls)]
    [InlineData("smtp.office365.com", 587, SmtpTlsMode.ImplicitTls)]
    [InlineData("contoso-com.mail.protection.outlook.com", 465, SmtpTlsMode.ImplicitTls)]
    [InlineData("smtp.office365.us", 465, SmtpTlsMode.ImplicitTls)]
    [InlineData("smtp.partner.outlook.cn", 465, SmtpTlsMode.ImplicitTls)]
    public async Task Port_465_or_implicit_tls_to_microsoft_365_is_refused_before_connecting(string host, int port, SmtpTlsMode mode)
    {
        using var client = new SmtpClient();
        var ex = await Assert.ThrowsAsync<SmtpProtocolException>(() => client.ConnectAsync(host, port, Options(mode), Ct));
        Assert.Equal("SmtpImplicitTlsNotSupported", ex.ErrorId);
        Assert.Contains("does not support port 465", ex.Message);
        Assert.Contains("587", ex.RecommendedAction);
    }

    [Theory]
    [InlineData("smtp.office365.com", true)]
    [InlineData("outlook.office365.com", true)]
    [InlineData("contoso-com.mail.protection.outlook.com", true)]
    [InlineData("smtp.office365.us", true)]
    [InlineData("smtp.partner.outlook.cn", true)]
    [InlineData("notoffice365.com", false)]
    [InlineData("office365.com.evil.test", false)]
    [InlineData("smtp.gmail.com", false)]
    [InlineData("", false)]
    public void Microsoft_hosts_are_recognised_by_suffix(string host, bool expected) =>
        Assert.Equal(expected, M365SmtpTools.Engine.Exchange.MicrosoftHosts.IsMicrosoft365Host(host));

    [Fact]
    public async Task Connecting_to_a_closed_port_is_a_connect_failure()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var client = new SmtpClient();
        var ex = await Assert.ThrowsAsync<SmtpProtocolException>(() => client.ConnectAsync("127.0.0.1", port, Options(), Ct));
        Assert.Equal("SmtpConnectFailed", ex.ErrorId);
        Assert.Equal(SmtpPhase.Connect, ex.Phase);
    }
}
