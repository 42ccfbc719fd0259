using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;

namespace M365SmtpTools.Engine.Tests.Interop;

/// <summary>A parsed SMTP reply: the code and every line's text (after "NNN-" / "NNN ").</summary>
public sealed record RawSmtpReply(int Code, IReadOnlyList<string> Lines)
{
    /// <summary>All lines joined with newlines.</summary>
    public string Text => string.Join("\n", Lines);

    /// <inheritdoc/>
    public override string ToString() => $"{Code} {Text}";
}

/// <summary>
/// A minimal SMTP conversation over a socket (and SslStream after STARTTLS), written for these tests so that the
/// interop servers are proven without the project's own SMTP client. Every read has a timeout.
/// </summary>
public sealed partial class RawSmtpSession : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private Stream _stream;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start, _end;

    private RawSmtpSession(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    /// <summary>How long one read may wait (default 20 s).</summary>
    public TimeSpan ReadTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>The TLS stream once <see cref="StartTlsAsync"/> succeeded.</summary>
    public SslStream? Tls { get; private set; }

    /// <summary>Opens a TCP connection to 127.0.0.1:<paramref name="port"/> without reading anything.</summary>
    public static async Task<RawSmtpSession> ConnectAsync(int port)
    {
        var tcp = new TcpClient();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await tcp.ConnectAsync("127.0.0.1", port, cts.Token);
        return new RawSmtpSession(tcp);
    }

    /// <summary>Connects and reads the greeting.</summary>
    public static async Task<(RawSmtpSession Session, RawSmtpReply Greeting)> OpenAsync(int port)
    {
        RawSmtpSession s = await ConnectAsync(port);
        return (s, await s.ReadReplyAsync());
    }

    /// <summary>Writes <paramref name="line"/> + CRLF.</summary>
    public async Task SendLineAsync(string line)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(line + "\r\n");
        await _stream.WriteAsync(bytes);
        await _stream.FlushAsync();
    }

    /// <summary>Writes raw bytes.</summary>
    public async Task SendRawAsync(byte[] bytes)
    {
        await _stream.WriteAsync(bytes);
        await _stream.FlushAsync();
    }

    /// <summary>Sends a command line and reads the reply.</summary>
    public async Task<RawSmtpReply> CommandAsync(string line)
    {
        await SendLineAsync(line);
        return await ReadReplyAsync();
    }

    /// <summary>Reads one line (without CRLF); null at end of stream. Throws <see cref="TimeoutException"/>
    /// after <paramref name="timeout"/> (default <see cref="ReadTimeout"/>).</summary>
    public async Task<string?> ReadLineAsync(TimeSpan? timeout = null, int maxLength = 4 * 1024 * 1024)
    {
        var line = new MemoryStream();
        using var cts = new CancellationTokenSource(timeout ?? ReadTimeout);
        while (true)
        {
            if (_start == _end)
            {
                int n;
                try { n = await _stream.ReadAsync(_buffer, cts.Token); }
                catch (OperationCanceledException)
                {
                    throw new TimeoutException($"no complete line within {timeout ?? ReadTimeout} (got {line.Length} bytes)");
                }
                if (n == 0) return line.Length == 0 ? null : Encoding.UTF8.GetString(line.ToArray());
                _start = 0;
                _end = n;
            }
            int nl = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (nl < 0)
            {
                line.Write(_buffer, _start, _end - _start);
                _start = _end;
            }
            else
            {
                line.Write(_buffer, _start, nl - _start);
                _start = nl + 1;
                byte[] bytes = line.ToArray();
                int len = bytes.Length > 0 && bytes[^1] == '\r' ? bytes.Length - 1 : bytes.Length;
                return Encoding.UTF8.GetString(bytes, 0, len);
            }
            if (line.Length > maxLength) throw new InvalidDataException($"line longer than {maxLength} bytes");
        }
    }

    /// <summary>Reads a complete (possibly multi-line) reply. Throws <see cref="InvalidDataException"/>
    /// when a line isn't "NNN[ -]text" or the connection closes.</summary>
    public async Task<RawSmtpReply> ReadReplyAsync(TimeSpan? timeout = null)
    {
        var lines = new List<string>();
        int code = 0;
        while (true)
        {
            string? line = await ReadLineAsync(timeout);
            if (line == null) throw new EndOfStreamException($"the server closed the connection (after {lines.Count} reply lines)");
            Match m = ReplyLine().Match(line);
            if (!m.Success) throw new InvalidDataException($"not an SMTP reply line: {Shorten(line)}");
            int c = int.Parse(m.Groups[1].Value);
            if (lines.Count > 0 && c != code) throw new InvalidDataException($"reply code changed within a reply: {code} then {c}");
            code = c;
            lines.Add(m.Groups[3].Value);
            if (m.Groups[2].Value != "-") return new RawSmtpReply(code, lines);
        }
    }

    private static string Shorten(string s) => s.Length > 200 ? s[..200] + $"… ({s.Length} chars)" : s;

    [GeneratedRegex(@"^([2-5][0-9][0-9])([ -]|$)(.*)$")]
    private static partial Regex ReplyLine();

    /// <summary>EHLO; returns the reply (its lines after the first are the extensions).</summary>
    public Task<RawSmtpReply> EhloAsync(string name = "client.m365smtp.test") => CommandAsync("EHLO " + name);

    /// <summary>Whether an EHLO reply advertises <paramref name="keyword"/> (e.g. STARTTLS, AUTH).</summary>
    public static bool Offers(RawSmtpReply ehlo, string keyword) =>
        ehlo.Lines.Skip(1).Any(l => l.Equals(keyword, StringComparison.OrdinalIgnoreCase)
            || l.StartsWith(keyword + " ", StringComparison.OrdinalIgnoreCase));

    /// <summary>The mechanisms of the AUTH line of an EHLO reply (empty when none).</summary>
    public static IReadOnlyList<string> AuthMechanisms(RawSmtpReply ehlo) =>
        ehlo.Lines.Skip(1).Where(l => l.StartsWith("AUTH ", StringComparison.OrdinalIgnoreCase))
            .SelectMany(l => l[5..].Split(' ', StringSplitOptions.RemoveEmptyEntries)).Select(m => m.ToUpperInvariant()).ToList();

    /// <summary>
    /// STARTTLS (asserts 220) and a TLS handshake for "localhost" that trusts only <paramref name="trustedRoot"/>.
    /// Presents <paramref name="clientCertificate"/> when the server asks for one.
    /// </summary>
    public async Task StartTlsAsync(X509Certificate2 trustedRoot, X509Certificate2? clientCertificate = null,
        SslProtocols protocols = SslProtocols.None)
    {
        RawSmtpReply r = await CommandAsync("STARTTLS");
        Assert.Equal(220, r.Code);
        await HandshakeAsync(trustedRoot, clientCertificate, protocols);
    }

    /// <summary>The TLS handshake alone (after the server's 220 to STARTTLS).</summary>
    public async Task HandshakeAsync(X509Certificate2 trustedRoot, X509Certificate2? clientCertificate = null,
        SslProtocols protocols = SslProtocols.None)
    {
        Assert.Equal(_start, _end); // nothing buffered past the 220: a server must not send ahead
        var ssl = new SslStream(_stream, leaveInnerStreamOpen: false);
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            EnabledSslProtocols = protocols,
            CertificateChainPolicy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                RevocationMode = X509RevocationMode.NoCheck,
                CustomTrustStore = { trustedRoot },
            },
        };
        if (clientCertificate != null)
        {
            options.ClientCertificates = new X509CertificateCollection { clientCertificate };
            options.LocalCertificateSelectionCallback = (_, _, _, _, _) => clientCertificate;
        }
        using var cts = new CancellationTokenSource(ReadTimeout);
        await ssl.AuthenticateAsClientAsync(options, cts.Token);
        _stream = ssl;
        Tls = ssl;
    }

    /// <summary>AUTH PLAIN with an initial response.</summary>
    public Task<RawSmtpReply> AuthPlainAsync(string user, string password) =>
        CommandAsync("AUTH PLAIN " + Convert.ToBase64String(Encoding.UTF8.GetBytes("\0" + user + "\0" + password)));

    /// <summary>AUTH LOGIN, answering the two 334 challenges; returns the final reply (or the first non-334).</summary>
    public async Task<RawSmtpReply> AuthLoginAsync(string user, string password)
    {
        RawSmtpReply r = await CommandAsync("AUTH LOGIN");
        if (r.Code != 334) return r;
        r = await CommandAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(user)));
        if (r.Code != 334) return r;
        return await CommandAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(password)));
    }

    /// <summary>The XOAUTH2 initial response for <paramref name="user"/> and <paramref name="token"/>.</summary>
    public static string XOAuth2InitialResponse(string user, string token) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"user={user}\u0001auth=Bearer {token}\u0001\u0001"));

    /// <summary>AUTH XOAUTH2 with an initial response; returns the first reply (235, or 334 with the base64 JSON error).</summary>
    public Task<RawSmtpReply> AuthXOAuth2Async(string user, string token) =>
        CommandAsync("AUTH XOAUTH2 " + XOAuth2InitialResponse(user, token));

    /// <summary>AUTH OAUTHBEARER (RFC 7628) with an initial response.</summary>
    public Task<RawSmtpReply> AuthOAuthBearerAsync(string user, string token) =>
        CommandAsync("AUTH OAUTHBEARER "
            + Convert.ToBase64String(Encoding.UTF8.GetBytes($"n,a={user},\u0001auth=Bearer {token}\u0001\u0001")));

    /// <summary>MAIL FROM, RCPT TO each, DATA, the dot-stuffed content and the
    /// final dot. Returns every reply; stops at the first failure.</summary>
    public async Task<IReadOnlyList<RawSmtpReply>> SendMailAsync(string from, IEnumerable<string> to, byte[] content)
    {
        var replies = new List<RawSmtpReply>();
        RawSmtpReply r = await CommandAsync($"MAIL FROM:<{from}>");
        replies.Add(r);
        if (r.Code != 250) return replies;
        foreach (string rcpt in to)
        {
            r = await CommandAsync($"RCPT TO:<{rcpt}>");
            replies.Add(r);
            if (r.Code != 250) return replies;
        }
        r = await CommandAsync("DATA");
        replies.Add(r);
        if (r.Code != 354) return replies;
        await SendRawAsync(DotStuff(content));
        replies.Add(await ReadReplyAsync());
        return replies;
    }

    /// <summary>Content with CRLF line ends, leading dots doubled and the terminating CRLF.CRLF.</summary>
    public static byte[] DotStuff(byte[] content)
    {
        string text = Encoding.UTF8.GetString(content).Replace("\r\n", "\n").Replace("\n", "\r\n");
        if (!text.EndsWith("\r\n", StringComparison.Ordinal)) text += "\r\n";
        var sb = new StringBuilder();
        foreach (string line in text[..^2].Split("\r\n"))
            sb.Append(line.StartsWith('.') ? "." : "").Append(line).Append("\r\n");
        sb.Append(".\r\n");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    /// <summary>QUIT and close (errors ignored).</summary>
    public async Task QuitAsync()
    {
        try { await CommandAsync("QUIT"); }
        catch (Exception e) when (e is IOException or InvalidDataException or TimeoutException or ObjectDisposedException) { }
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        try { _stream.Dispose(); } catch (IOException) { }
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }
}
