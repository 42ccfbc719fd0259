using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using M365SmtpTools.Engine.Smtp;

namespace M365SmtpTools.Engine.Tests.Infrastructure;

/// <summary>
/// An Exchange Online behaviour double: a real SMTP server on 127.0.0.1 that answers like DOMAIN.md's reply catalogue
/// (535 5.7.3, 535 5.7.139, 550 5.7.30, 530 5.7.57, 5.7.60, 432 4.3.2, 554 5.2.0, 554 5.2.2, 550 5.7.64, 550 5.7.68,
/// 550 5.7.54, 552 5.3.4) with STARTTLS (test certificate), AUTH LOGIN/PLAIN/XOAUTH2, PIPELINING, CHUNKING, and fault
/// switches. It records what it received (<see cref="Sessions"/>, <see cref="Messages"/>, <see cref="AuthAttempts"/>).
/// <code>
/// await using var exo = ExchangeOnlineDouble.Start();
/// using var client = new SmtpClient();
/// await client.ConnectAsync(exo.Host, exo.Port, exo.ClientOptions());
/// </code>
/// </summary>
public sealed class ExchangeOnlineDouble : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<Task> _sessionTasks = new();
    private readonly ConcurrentBag<TcpClient> _clients = new();
    private readonly object _gate = new();
    private readonly List<DoubleSession> _sessions = new();
    private readonly List<DoubleMessage> _messages = new();
    private readonly List<DoubleAuthAttempt> _authAttempts = new();
    private readonly Dictionary<string, List<int>> _activeByMailbox = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, List<DateTimeOffset>> _sentByMailbox = new(StringComparer.OrdinalIgnoreCase);
    private readonly Task _acceptLoop;
    private readonly X509Certificate2 _certificate;
    private int _active;

    private ExchangeOnlineDouble(ExchangeOnlineDoubleOptions options)
    {
        Options = options;
        _certificate = options.ServerCertificate ?? DefaultCertificate.Value;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptLoopAsync();
    }

    private static readonly Lazy<X509Certificate2> DefaultCertificate =
        new(() => TestCertificates.CreateServer(new[] { "localhost", "outlook.office365.test" }));

    /// <summary>Starts a double on a free loopback port.</summary>
    public static ExchangeOnlineDouble Start(ExchangeOnlineDoubleOptions? options = null) =>
        new(options ?? new ExchangeOnlineDoubleOptions());

    /// <summary>The settings; change them at any time.</summary>
    public ExchangeOnlineDoubleOptions Options { get; }

    /// <summary>Always 127.0.0.1.</summary>
    public string Host => "127.0.0.1";

    public int Port { get; }

    /// <summary>The CA that signed the default server certificate: trust it with <see cref="ClientTlsPolicy"/>.</summary>
    public X509Certificate2 CaCertificate => TestCertificates.Ca;

    /// <summary>A client TLS policy that trusts the double's CA and checks the name "localhost".</summary>
    public TlsPolicy ClientTlsPolicy() => new()
    {
        ServerName = "localhost",
        TrustedRootCertificates = new X509Certificate2Collection(CaCertificate),
    };

    /// <summary>Client options for this double: STARTTLS required, trusted test CA, short timeouts.</summary>
    public SmtpConnectOptions ClientOptions(ISmtpTranscriptLogger? transcript = null,
        M365SmtpTools.Engine.Operations.IOperationHost? host = null) => new()
    {
        TlsPolicy = ClientTlsPolicy(),
        LocalDomain = "client.contoso.com",
        ConnectTimeout = TimeSpan.FromSeconds(10),
        CommandTimeout = TimeSpan.FromSeconds(20),
        TranscriptLogger = transcript,
        Host = host ?? M365SmtpTools.Engine.Operations.NullOperationHost.Instance,
        ServerRules = M365SmtpTools.Engine.Exchange.ExchangeOnlineServerRules.Instance,
    };

    /// <summary>Every session so far (also the ones still open).</summary>
    public IReadOnlyList<DoubleSession> Sessions { get { lock (_gate) return _sessions.ToArray(); } }

    /// <summary>Messages accepted with 250 after the end of data.</summary>
    public IReadOnlyList<DoubleMessage> Messages { get { lock (_gate) return _messages.ToArray(); } }

    /// <summary>Every AUTH attempt, with the outcome.</summary>
    public IReadOnlyList<DoubleAuthAttempt> AuthAttempts { get { lock (_gate) return _authAttempts.ToArray(); } }

    /// <summary>Connections accepted so far.</summary>
    public int ConnectionCount { get { lock (_gate) return _sessions.Count; } }

    /// <summary>The most connections open at once.</summary>
    public int PeakConcurrentConnections { get; private set; }

    /// <summary>Waits until every session that has started has ended (after the client quit or disconnected).</summary>
    public async Task WaitForSessionsAsync(TimeSpan? timeout = null)
    {
        Task all = Task.WhenAll(_sessionTasks.ToArray());
        await Task.WhenAny(all, Task.Delay(timeout ?? TimeSpan.FromSeconds(10)));
    }

    /// <summary>Polls <paramref name="condition"/> until it holds (e.g. a session has ended); fails the test after the timeout.</summary>
    public async Task WaitUntilAsync(Func<bool> condition, TimeSpan? timeout = null)
    {
        DateTime end = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (!condition())
        {
            if (DateTime.UtcNow > end) throw new TimeoutException("The double's condition didn't hold in time.");
            await Task.Delay(10);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        foreach (TcpClient c in _clients) c.Dispose();
        try { await _acceptLoop; } catch (Exception) { }
        await Task.WhenAny(Task.WhenAll(_sessionTasks.ToArray()), Task.Delay(5000));
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception) { return; }
            _clients.Add(client);
            var session = new DoubleSession(Interlocked.Increment(ref _active));
            lock (_gate)
            {
                _sessions.Add(session);
                PeakConcurrentConnections = Math.Max(PeakConcurrentConnections, _active);
            }
            _sessionTasks.Add(Task.Run(() => RunSessionAsync(client, session)));
        }
    }

    private async Task RunSessionAsync(TcpClient client, DoubleSession session)
    {
        try
        {
            using (client)
                await new Conversation(this, session, client.GetStream()).RunAsync(_stop.Token);
        }
        catch (Exception ex) when (ex is IOException || ex is SocketException || ex is ObjectDisposedException
            || ex is OperationCanceledException || ex is AuthenticationException)
        {
            session.Error = ex.Message;
        }
        finally
        {
            Interlocked.Decrement(ref _active);
            lock (_gate)
                if (session.AuthenticatedUser != null) _activeByMailbox[session.AuthenticatedUser].Remove(session.Id);
            session.Ended = true;
        }
    }

    /// <summary>One SMTP conversation, command by command.</summary>
    private sealed class Conversation
    {
        private readonly ExchangeOnlineDouble _d;
        private readonly DoubleSession _s;
        private ServerLineReader _in;
        private Stream _stream;
        private bool _ehlo;
        private string? _mailFrom;
        private readonly List<string> _rcpts = new();
        private bool _sendAsDenied;
        private MemoryStream? _bdat;

        public Conversation(ExchangeOnlineDouble d, DoubleSession s, Stream stream)
        {
            _d = d;
            _s = s;
            _stream = stream;
            _in = new ServerLineReader(stream);
        }

        private ExchangeOnlineDoubleOptions O => _d.Options;

        private string Tag => $"[Hostname={O.ServerName}]";

        public async Task RunAsync(CancellationToken ct)
        {
            await ReplyAsync(O.ScriptedReplies.TryGetValue("GREETING", out string? banner)
                ? banner
                : $"220 {O.ServerName} Microsoft ESMTP MAIL Service ready at {DateTime.UtcNow:R}", ct);
            while (true)
            {
                byte[]? raw = await _in.ReadLineAsync(ct);
                if (raw == null) return;
                string line = Encoding.UTF8.GetString(raw);
                _s.AddCommand(line);
                string verb = (line.Split(' ', 2)[0]).ToUpperInvariant();
                string arg = line.Length > verb.Length ? line.Substring(verb.Length).Trim() : "";
                if (verb == "HELO" && O.ScriptedReplies.TryGetValue("EHLO", out string? scriptedHelo))
                {
                    await ReplyAsync(scriptedHelo, ct); // a scripted EHLO refusal answers HELO too (the client falls back to HELO)
                    continue;
                }
                if ((verb == "EHLO" || verb == "AUTH" || verb == "MAIL" || verb == "RCPT")
                    && O.ScriptedReplies.TryGetValue(verb, out string? scripted))
                {
                    if (verb == "MAIL" && scripted.StartsWith('2')) _mailFrom = arg;
                    if (verb == "RCPT" && scripted.StartsWith('2')) _rcpts.Add(arg);
                    await ReplyAsync(scripted, ct);
                    continue;
                }
                switch (verb)
                {
                    case "EHLO": await EhloAsync(ct); break;
                    case "HELO": _ehlo = true; await ReplyAsync($"250 {O.ServerName} Hello [127.0.0.1]", ct); break;
                    case "STARTTLS": if (!await StartTlsAsync(ct)) return; break;
                    case "AUTH": await AuthAsync(arg, ct); break;
                    case "MAIL": await MailAsync(arg, ct); break;
                    case "RCPT": await RcptAsync(arg, ct); break;
                    case "DATA": if (!await DataAsync(ct)) return; break;
                    case "BDAT": if (!await BdatAsync(arg, ct)) return; break;
                    case "RSET": ResetTransaction(); await ReplyAsync("250 2.0.0 Resetting", ct); break;
                    case "NOOP": await ReplyAsync("250 2.0.0 OK", ct); break;
                    case "QUIT": await ReplyAsync("221 2.0.0 Service closing transmission channel", ct); return;
                    default: await ReplyAsync("500 5.3.3 Unrecognized command", ct); break;
                }
            }
        }

        private async Task ReplyAsync(string reply, CancellationToken ct)
        {
            if (O.ReplyDelay > TimeSpan.Zero) await Task.Delay(O.ReplyDelay, ct);
            _s.AddReply(reply);
            byte[] bytes = Encoding.UTF8.GetBytes(reply + "\r\n");
            await _stream.WriteAsync(bytes, ct);
            await _stream.FlushAsync(ct);
        }

        private async Task EhloAsync(CancellationToken ct)
        {
            _ehlo = true;
            ResetTransaction();
            var lines = new List<string> { $"{O.ServerName} Hello [127.0.0.1]", $"SIZE {O.MaxMessageSize}" };
            if (O.OfferPipelining) lines.Add("PIPELINING");
            if (O.OfferDsn) lines.Add("DSN");
            lines.Add("ENHANCEDSTATUSCODES");
            if (!_s.Tls && O.OfferStartTls) lines.Add("STARTTLS");
            if (O.Role == DoubleRole.ClientSubmission && (_s.Tls || O.OfferAuthWithoutTls) && O.AuthMechanisms.Length > 0)
                lines.Add("AUTH " + string.Join(" ", O.AuthMechanisms));
            if (O.Offer8BitMime) lines.Add("8BITMIME");
            lines.Add("BINARYMIME");
            if (O.OfferChunking) lines.Add("CHUNKING");
            if (O.OfferSmtpUtf8) lines.Add("SMTPUTF8");
            string reply = string.Join("\r\n", lines.Select((l, i) => "250" + (i == lines.Count - 1 ? " " : "-") + l));
            await ReplyAsync(reply, ct);
        }

        private async Task<bool> StartTlsAsync(CancellationToken ct)
        {
            if (!O.OfferStartTls || _s.Tls)
            {
                await ReplyAsync("500 5.3.3 Unrecognized command", ct);
                return true;
            }
            await ReplyAsync("220 2.0.0 SMTP server ready", ct);
            var ssl = new SslStream(_stream, false, (_, cert, _, _) =>
            {
                if (cert != null) _s.ClientCertificateSubject = cert.Subject;
                return true;
            });
            await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificate = _d._certificate,
                ClientCertificateRequired = O.RequestClientCertificate,
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            }, ct);
            _stream = ssl;
            _in = new ServerLineReader(ssl);
            _s.Tls = true;
            _s.TlsProtocol = ssl.SslProtocol.ToString();
            _ehlo = false;
            ResetTransaction();
            return true;
        }

        private async Task AuthAsync(string arg, CancellationToken ct)
        {
            string[] parts = arg.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries);
            string mech = parts.Length > 0 ? parts[0].ToUpperInvariant() : "";
            string? initial = parts.Length > 1 ? parts[1] : null;
            if (!_ehlo) { await ReplyAsync("503 5.5.2 Send hello first", ct); return; }
            bool offered = O.Role == DoubleRole.ClientSubmission && (_s.Tls || O.OfferAuthWithoutTls)
                && O.AuthMechanisms.Contains(mech, StringComparer.OrdinalIgnoreCase);
            if (!offered) { await ReplyAsync("504 5.7.4 Unrecognized authentication type", ct); return; }
            if (_s.AuthenticatedUser != null) { await ReplyAsync("503 5.5.2 Already authenticated", ct); return; }

            string? user = null;
            bool credentialsOk = false;
            switch (mech)
            {
                case "PLAIN":
                {
                    byte[]? blob = initial != null ? Decode(initial) : await ChallengeAsync("", ct);
                    string[] fields = blob == null ? Array.Empty<string>() : Encoding.UTF8.GetString(blob).Split('\0');
                    if (fields.Length == 3)
                    {
                        user = fields[1];
                        credentialsOk = O.Passwords.TryGetValue(user, out string? p) && p == fields[2];
                    }
                    break;
                }
                case "LOGIN":
                {
                    byte[]? u = initial != null ? Decode(initial) : await ChallengeAsync("VXNlcm5hbWU6", ct);
                    byte[]? p = u == null ? null : await ChallengeAsync("UGFzc3dvcmQ6", ct);
                    if (u != null && p != null)
                    {
                        user = Encoding.UTF8.GetString(u);
                        credentialsOk = O.Passwords.TryGetValue(user, out string? pw) && pw == Encoding.UTF8.GetString(p);
                    }
                    break;
                }
                case "XOAUTH2":
                {
                    byte[]? blob = initial != null ? Decode(initial) : await ChallengeAsync("", ct);
                    string text = blob == null ? "" : Encoding.UTF8.GetString(blob);
                    string? token = null;
                    foreach (string kv in text.Split('\u0001'))
                    {
                        if (kv.StartsWith("user=", StringComparison.Ordinal)) user = kv.Substring(5);
                        if (kv.StartsWith("auth=Bearer ", StringComparison.Ordinal)) token = kv.Substring(12);
                    }
                    credentialsOk = token != null && user != null && O.AccessTokens.TryGetValue(token, out string? owner)
                        && string.Equals(owner, user, StringComparison.OrdinalIgnoreCase);
                    if (!credentialsOk && O.XOAuth2ErrorChallenge && blob != null)
                    {
                        string json = "{\"status\":\"401\",\"schemes\":\"bearer\",\"scope\":\"https://outlook.office.com/SMTP.Send\"}";
                        byte[]? answer = await ChallengeAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(json)), ct);
                        _s.AddNote(answer != null && answer.Length == 0
                            ? "client answered the error challenge with an empty line"
                            : "client answered the error challenge with data");
                    }
                    break;
                }
                default:
                    await ReplyAsync("504 5.7.4 Unrecognized authentication type", ct);
                    return;
            }

            string reply;
            bool basic = mech == "PLAIN" || mech == "LOGIN";
            if (basic && O.AuthPolicy == DoubleAuthPolicy.BasicAuthRetired)
                reply = "550 5.7.30 Basic authentication is not supported for Client Submission.";
            else if (!credentialsOk)
                reply = $"535 5.7.3 Authentication unsuccessful {Tag}";
            else if (O.AuthPolicy == DoubleAuthPolicy.SmtpAuthDisabledForTenant)
                reply = $"535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. " +
                    $"Visit https://aka.ms/smtp_auth_disabled for more information. {Tag}";
            else if (O.AuthPolicy == DoubleAuthPolicy.SecurityDefaults)
                reply = $"535 5.7.139 Authentication unsuccessful, user is locked by your organization's security defaults policy. " +
                    $"Contact your administrator. {Tag}";
            else
                reply = "235 2.7.0 Authentication successful";
            bool success = reply.StartsWith("235", StringComparison.Ordinal);
            lock (_d._gate)
            {
                _d._authAttempts.Add(new DoubleAuthAttempt(_s.Id, mech, user, success, reply, initial != null));
                if (success)
                {
                    _s.AuthenticatedUser = user;
                    if (!_d._activeByMailbox.TryGetValue(user!, out List<int>? active))
                        _d._activeByMailbox[user!] = active = new List<int>();
                    active.Add(_s.Id);
                }
            }
            await ReplyAsync(reply, ct);
        }

        /// <summary>Sends a 334 challenge and reads the answer; null when the client cancelled with "*" or sent garbage.</summary>
        private async Task<byte[]?> ChallengeAsync(string challenge, CancellationToken ct)
        {
            await ReplyAsync("334 " + challenge, ct);
            byte[]? raw = await _in.ReadLineAsync(ct);
            if (raw == null) throw new IOException("client left during AUTH");
            string line = Encoding.ASCII.GetString(raw);
            _s.AddCommand(line);
            return line == "*" ? null : Decode(line);
        }

        private static byte[]? Decode(string b64)
        {
            if (b64 == "=") return Array.Empty<byte>();
            try { return Convert.FromBase64String(b64); } catch (FormatException) { return null; }
        }

        private async Task MailAsync(string arg, CancellationToken ct)
        {
            if (!_ehlo) { await ReplyAsync("503 5.5.2 Send hello first", ct); return; }
            if (_mailFrom != null) { await ReplyAsync("503 5.5.2 Sender already specified", ct); return; }
            if (!TryPath(arg, "FROM:", out string from, out string parameters))
            {
                await ReplyAsync("501 5.5.4 Invalid arguments", ct);
                return;
            }
            if (O.Role == DoubleRole.ClientSubmission)
            {
                if (_s.AuthenticatedUser == null)
                {
                    await ReplyAsync($"530 5.7.57 Client not authenticated to send mail. {Tag}", ct);
                    return;
                }
                // The mailbox's sessions in the order they authenticated: those beyond the limit are refused.
                int rank;
                lock (_d._gate) rank = _d._activeByMailbox[_s.AuthenticatedUser].IndexOf(_s.Id);
                if (rank >= O.MaxConnectionsPerMailbox)
                {
                    await ReplyAsync($"432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded {Tag}", ct);
                    return;
                }
            }
            long? size = ParseSize(parameters);
            if (size > O.MaxMessageSize) { await ReplyAsync("552 5.3.4 Message size exceeds fixed maximum message size", ct); return; }
            _sendAsDenied = O.Role == DoubleRole.ClientSubmission && !MaySendAs(_s.AuthenticatedUser!, from);
            if (_sendAsDenied && O.SendAsCheck == DoubleSendAsCheck.MailFrom)
            {
                await ReplyAsync($"550 5.7.60 SMTP; Client does not have permissions to send as this sender {Tag}", ct);
                return;
            }
            _mailFrom = from;
            _s.MailFromParameters.Add(parameters);
            await ReplyAsync("250 2.1.0 Sender OK", ct);
        }

        private bool MaySendAs(string mailbox, string from) =>
            string.Equals(mailbox, from, StringComparison.OrdinalIgnoreCase) ||
            (O.SendAs.TryGetValue(mailbox, out HashSet<string>? set) && set.Contains(from, StringComparer.OrdinalIgnoreCase));

        private async Task RcptAsync(string arg, CancellationToken ct)
        {
            if (_mailFrom == null) { await ReplyAsync("503 5.5.1 Need mail command", ct); return; }
            if (!TryPath(arg, "TO:", out string to, out _)) { await ReplyAsync("501 5.5.4 Invalid arguments", ct); return; }
            if (O.Role == DoubleRole.Mx)
            {
                bool accepted = O.AcceptedDomains.Any(d => to.EndsWith("@" + d, StringComparison.OrdinalIgnoreCase));
                string? refusal = O.MxBehavior switch
                {
                    DoubleMxBehavior.RelayDenied => $"550 5.7.64 TenantAttribution; Relay Access Denied {Tag}",
                    DoubleMxBehavior.DirectSendRejected
                        => $"550 5.7.68 TenantInboundAttribution; Direct Send not allowed for this organization " +
                            $"from unauthorized sources {Tag}",
                    DoubleMxBehavior.UnableToRelayNonAccepted when !accepted
                        => "550 5.7.54 SMTP; Unable to relay recipient in non-accepted domain",
                    DoubleMxBehavior.DirectSendAllowed when !accepted => $"550 5.7.64 TenantAttribution; Relay Access Denied {Tag}",
                    _ => null,
                };
                if (refusal != null) { await ReplyAsync(refusal, ct); return; }
            }
            _rcpts.Add(to);
            await ReplyAsync("250 2.1.5 Recipient OK", ct);
        }

        private async Task<bool> DataAsync(CancellationToken ct)
        {
            if (_mailFrom == null) { await ReplyAsync("503 5.5.1 Need mail command", ct); return true; }
            if (_rcpts.Count == 0) { await ReplyAsync("503 5.5.1 Need rcpt command", ct); return true; }
            await ReplyAsync("354 Start mail input; end with <CRLF>.<CRLF>", ct);
            var raw = new MemoryStream();
            var message = new MemoryStream();
            while (true)
            {
                byte[]? line = await _in.ReadRawLineAsync(ct);
                if (line == null) return false;
                raw.Write(line);
                if (line.Length == 3 && line[0] == '.' && line[1] == '\r' && line[2] == '\n') break;
                int skip = line.Length > 0 && line[0] == '.' ? 1 : 0;
                message.Write(line, skip, line.Length - skip);
            }
            return await EndOfDataAsync(message.ToArray(), raw.ToArray(), usedBdat: false, ct);
        }

        private async Task<bool> BdatAsync(string arg, CancellationToken ct)
        {
            string[] parts = arg.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0 || !int.TryParse(parts[0], out int size) || size < 0)
            {
                await ReplyAsync("501 5.5.4 Invalid arguments", ct);
                return false;
            }
            bool last = parts.Length > 1 && parts[1].Equals("LAST", StringComparison.OrdinalIgnoreCase);
            byte[] chunk = await _in.ReadExactAsync(size, ct);
            if (_mailFrom == null || _rcpts.Count == 0) { await ReplyAsync("503 5.5.1 Bad sequence of commands", ct); return true; }
            _bdat ??= new MemoryStream();
            _bdat.Write(chunk);
            _s.BdatChunkSizes.Add(size);
            if (!last) { await ReplyAsync($"250 2.0.0 BDAT chunk of {size} bytes received", ct); return true; }
            byte[] all = _bdat.ToArray();
            return await EndOfDataAsync(all, all, usedBdat: true, ct);
        }

        private async Task<bool> EndOfDataAsync(byte[] message, byte[] raw, bool usedBdat, CancellationToken ct)
        {
            string from = _mailFrom!;
            string[] rcpts = _rcpts.ToArray();
            bool sendAsDenied = _sendAsDenied;
            ResetTransaction();
            if (O.DropAfterEndOfData)
            {
                _s.AddNote("dropped the connection after the end of data");
                return false;
            }
            string? refusal = null;
            string? mailbox = _s.AuthenticatedUser;
            if (O.ScriptedReplies.TryGetValue("ENDOFDATA", out string? scriptedEnd)) refusal = scriptedEnd;
            else if (message.Length > O.MaxMessageSize) refusal = "552 5.3.4 Message size exceeds fixed maximum message size";
            else if (sendAsDenied) refusal = $"550 5.7.60 SMTP; Client does not have permissions to send as this sender {Tag}";
            else if (O.MailboxFull && mailbox != null)
                refusal = "554 5.2.2 mailbox full; STOREDRV.Submission.Exception:QuotaExceededException.MapiExceptionShutoffQuotaExceeded";
            else if (mailbox != null && O.MessagesPerMinute is int limit)
            {
                DateTimeOffset now = O.Clock();
                lock (_d._gate)
                {
                    List<DateTimeOffset> sent = _d._sentByMailbox.TryGetValue(mailbox, out var l) ? l : _d._sentByMailbox[mailbox] = new();
                    sent.RemoveAll(t => now - t >= TimeSpan.FromMinutes(1));
                    if (sent.Count >= limit)
                        refusal = "554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException; " +
                            "Failed to process message due to a permanent exception with message " +
                            "[BeginDiagnosticData]Cannot submit message.";
                    else
                        sent.Add(now);
                }
            }
            if (refusal != null) { await ReplyAsync(refusal, ct); return true; }
            string id = Guid.NewGuid().ToString("N");
            lock (_d._gate) _d._messages.Add(new DoubleMessage(_s.Id, mailbox, from, rcpts, message, raw, usedBdat, _s.Tls));
            await ReplyAsync($"250 2.0.0 OK <{id}@{O.ServerName}> [Hostname={O.ServerName}] Queued mail for delivery", ct);
            return true;
        }

        private void ResetTransaction()
        {
            _mailFrom = null;
            _rcpts.Clear();
            _sendAsDenied = false;
            _bdat = null;
        }

        private static bool TryPath(string arg, string prefix, out string address, out string parameters)
        {
            address = parameters = "";
            if (!arg.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) return false;
            string rest = arg.Substring(prefix.Length).TrimStart();
            if (!rest.StartsWith('<')) return false;
            int close = rest.IndexOf('>');
            if (close < 0) return false;
            address = rest.Substring(1, close - 1);
            parameters = rest.Substring(close + 1).Trim();
            return true;
        }

        private static long? ParseSize(string parameters)
        {
            foreach (string p in parameters.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                if (p.StartsWith("SIZE=", StringComparison.OrdinalIgnoreCase) && long.TryParse(p.AsSpan(5), out long s)) return s;
            return null;
        }
    }
}

/// <summary>What the double saw in one connection.</summary>
public sealed class DoubleSession
{
    private readonly object _gate = new();
    private readonly List<string> _commands = new();
    private readonly List<string> _replies = new();
    private readonly List<string> _notes = new();

    internal DoubleSession(int concurrentAtStart) => ConcurrentAtStart = concurrentAtStart;

    private static int _nextId;

    /// <summary>A number unique in the test run.</summary>
    public int Id { get; } = Interlocked.Increment(ref _nextId);

    /// <summary>How many connections were open when this one started (itself included).</summary>
    public int ConcurrentAtStart { get; }

    /// <summary>Every command line received (AUTH payloads included, as sent: this is a test server).</summary>
    public IReadOnlyList<string> Commands { get { lock (_gate) return _commands.ToArray(); } }

    /// <summary>Every reply sent.</summary>
    public IReadOnlyList<string> Replies { get { lock (_gate) return _replies.ToArray(); } }

    /// <summary>Notes about faults and client behaviour.</summary>
    public IReadOnlyList<string> Notes { get { lock (_gate) return _notes.ToArray(); } }

    /// <summary>The parameters of each accepted MAIL FROM (e.g. "SIZE=123 BODY=8BITMIME").</summary>
    public List<string> MailFromParameters { get; } = new();

    /// <summary>The size of each BDAT chunk received.</summary>
    public List<int> BdatChunkSizes { get; } = new();

    public bool Tls { get; internal set; }
    public string? TlsProtocol { get; internal set; }
    public string? ClientCertificateSubject { get; internal set; }
    public string? AuthenticatedUser { get; internal set; }
    public bool Ended { get; internal set; }
    public string? Error { get; internal set; }

    internal void AddCommand(string line) { lock (_gate) _commands.Add(line); }
    internal void AddReply(string reply) { lock (_gate) _replies.Add(reply); }
    internal void AddNote(string note) { lock (_gate) _notes.Add(note); }
}

/// <summary>A message the double accepted.</summary>
public sealed record DoubleMessage(int SessionId, string? Mailbox, string MailFrom, string[] Recipients, byte[] Content, byte[] RawData,
    bool UsedBdat, bool OverTls)
{
    /// <summary>The content (dot-unstuffed) as UTF-8 text.</summary>
    public string Text => Encoding.UTF8.GetString(Content);
}

/// <summary>One AUTH attempt: which mechanism, which user, whether it succeeded,
/// the reply, whether an initial response came with AUTH.</summary>
public sealed record DoubleAuthAttempt(int SessionId, string Mechanism, string? User, bool Succeeded, string Reply, bool InitialResponse);

/// <summary>A server-side line reader over bytes (CRLF or bare LF ends a line).</summary>
internal sealed class ServerLineReader
{
    private readonly Stream _stream;
    private readonly byte[] _buf = new byte[8192];
    private int _pos, _len;

    public ServerLineReader(Stream stream) => _stream = stream;

    /// <summary>A line without its line end; null at end of stream.</summary>
    public async Task<byte[]?> ReadLineAsync(CancellationToken ct)
    {
        byte[]? raw = await ReadRawLineAsync(ct);
        if (raw == null) return null;
        int n = raw.Length;
        if (n > 0 && raw[n - 1] == '\n') n--;
        if (n > 0 && raw[n - 1] == '\r') n--;
        return raw.AsSpan(0, n).ToArray();
    }

    /// <summary>A line with its line end as received; null at end of stream.</summary>
    public async Task<byte[]?> ReadRawLineAsync(CancellationToken ct)
    {
        var line = new MemoryStream();
        while (true)
        {
            if (_pos == _len)
            {
                _len = await _stream.ReadAsync(_buf, ct);
                _pos = 0;
                if (_len == 0) return line.Length > 0 ? line.ToArray() : null;
            }
            int nl = Array.IndexOf(_buf, (byte)'\n', _pos, _len - _pos);
            int end = nl < 0 ? _len : nl + 1;
            line.Write(_buf, _pos, end - _pos);
            _pos = end;
            if (nl >= 0) return line.ToArray();
            if (line.Length > 4 * 1024 * 1024) throw new IOException("line too long");
        }
    }

    public async Task<byte[]> ReadExactAsync(int count, CancellationToken ct)
    {
        var result = new byte[count];
        int got = 0;
        while (got < count)
        {
            if (_pos == _len)
            {
                _len = await _stream.ReadAsync(_buf, ct);
                _pos = 0;
                if (_len == 0) throw new IOException("client closed during BDAT");
            }
            int n = Math.Min(count - got, _len - _pos);
            Buffer.BlockCopy(_buf, _pos, result, got, n);
            got += n;
            _pos += n;
        }
        return result;
    }
}
