using System.Security.Cryptography.X509Certificates;

namespace M365SmtpTools.Engine.Tests.Infrastructure;

/// <summary>
/// The fault-injection servers of tests/interop/servers/aiosmtpd.sh (tests/interop/aiosmtpd/fault_server.py): one
/// loopback port per behaviour, each with a transcript ("[conn] C: …" / "[conn] S: …" lines). Skips the test when the
/// servers aren't running.
/// </summary>
public sealed class FaultServer
{
    private FaultServer(InteropServer env) => Env = env;

    /// <summary>The running servers; skips the calling test (with the start command) when they aren't running.</summary>
    public static FaultServer Require() => new(InteropServer.Require("aiosmtpd"));

    /// <summary>The raw env values.</summary>
    public InteropServer Env { get; }

    /// <summary>Always 127.0.0.1.</summary>
    public string Host => "127.0.0.1";

    /// <summary>aiosmtpd, STARTTLS required; AUTH PLAIN/LOGIN (<see cref="User"/>/<see cref="Password"/>)
    /// and XOAUTH2 (<see cref="XOAuth2Token"/>); stores messages.</summary>
    public int NormalPort => Env.Port("NORMAL_PORT");

    /// <summary>Never offers STARTTLS but offers AUTH PLAIN LOGIN in clear text; its transcript shows whether a client sent AUTH.</summary>
    public int NoStartTlsPort => Env.Port("NO_STARTTLS_PORT");

    /// <summary>Greets at once, then waits <see cref="SlowDelay"/> before every reply.</summary>
    public int SlowPort => Env.Port("SLOW_PORT");

    /// <summary>Takes the whole DATA content, then closes the connection without the final reply.</summary>
    public int DropDataPort => Env.Port("DROP_DATA_PORT");

    /// <summary>Answers EHLO with one line of <see cref="HugeReplyBytes"/> characters.</summary>
    public int HugeReplyPort => Env.Port("HUGE_REPLY_PORT");

    /// <summary>Valid greeting, then replies that are not SMTP (EHLO gets "HTTP/1.1 400 Bad Request").</summary>
    public int GarbagePort => Env.Port("GARBAGE_PORT");

    /// <summary>The greeting is an SSH banner.</summary>
    public int GarbageGreetingPort => Env.Port("GARBAGE_GREETING_PORT");

    /// <summary>Accepts TCP, reads, never writes anything.</summary>
    public int BannerNeverPort => Env.Port("BANNER_NEVER_PORT");

    /// <summary>Like <see cref="NormalPort"/> but its STARTTLS speaks only TLS
    /// 1.0/1.1; skips the test when this machine's OpenSSL can't do that.</summary>
    public int Tls11OnlyPort
    {
        get
        {
            if (TryGet("TLS11_ONLY_PORT") is { } port) return int.Parse(port);
            Assert.Skip($"the TLS 1.1-only listener is not available on this machine: " +
                $"{TryGet("TLS11_ONLY_UNAVAILABLE") ?? "unknown reason"}");
            return 0;
        }
    }

    private string? TryGet(string key)
    {
        try { return Env[key]; }
        catch (KeyNotFoundException) { return null; }
    }

    /// <summary>The mailbox that can authenticate.</summary>
    public string User => Env["USER"];

    /// <summary><see cref="User"/>'s password.</summary>
    public string Password => Env["PASSWORD"];

    /// <summary>The bearer token the XOAUTH2 handler accepts for <see cref="User"/>.</summary>
    public string XOAuth2Token => Env["XOAUTH2_TOKEN"];

    /// <summary>How long the slow listener waits before each reply.</summary>
    public TimeSpan SlowDelay =>
        TimeSpan.FromSeconds(double.Parse(Env["SLOW_DELAY_SECONDS"], System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Length of the huge EHLO reply line (after "250 ").</summary>
    public int HugeReplyBytes => Env.Port("HUGE_REPLY_BYTES");

    /// <summary>Where normal/no_starttls/slow/tls11_only store messages: &lt;behaviour&gt;-&lt;id&gt;.eml + .json (envelope).</summary>
    public string MessagesDir => Env["MESSAGES_DIR"];

    /// <summary>The servers' self-signed certificate.</summary>
    public string CaCertPath => Env["CA_CERT"];

    /// <summary>The server certificate, loaded.</summary>
    public X509Certificate2 CaCertificate => X509CertificateLoader.LoadCertificateFromFile(CaCertPath);

    /// <summary>The transcript file of <paramref name="behaviour"/> (normal, no_starttls, slow,
    /// drop_data, huge_reply, garbage, garbage_greeting, banner_never, tls11_only).</summary>
    public string CommandLogPath(string behaviour) => Env[behaviour.ToUpperInvariant() + "_LOG"];

    /// <summary>Every transcript line of <paramref name="behaviour"/>, all connections:
    /// "[conn] C: …", "[conn] S: …", "[conn] CONNECT", "[conn] CLOSE".</summary>
    public IReadOnlyList<string> ReadCommandLog(string behaviour) =>
        PostfixServer.ReadShared(CommandLogPath(behaviour)).Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The ids of the connections in a transcript, in order of arrival.</summary>
    public IReadOnlyList<string> Connections(string behaviour) =>
        ReadCommandLog(behaviour).Where(l => l.EndsWith("] CONNECT", StringComparison.Ordinal)).Select(l => l[1..l.IndexOf(']')]).ToList();

    /// <summary>
    /// A client name (for EHLO) no other connection uses: tests of one run, and two runs at once (tests/stress.sh),
    /// share the servers, so a test finds its own connections in a transcript by the name it greeted with.
    /// </summary>
    public static string UniqueClientName(string prefix) => $"{prefix}-{Guid.NewGuid():N}.test";

    /// <summary>
    /// What the client sent on the connections to <paramref name="behaviour"/> that started after
    /// <paramref name="knownConnections"/> (take <see cref="Connections"/> before connecting) and greeted with
    /// <c>EHLO</c> (or <c>HELO</c>) <paramref name="clientName"/> first: the "C: " lines without the prefix. Waits up to
    /// <paramref name="timeout"/> (default 5 s) for those connections to close so the transcript is complete.
    /// </summary>
    public IReadOnlyList<string> ClientLinesSince(string behaviour, IReadOnlyCollection<string> knownConnections,
        string clientName, TimeSpan? timeout = null)
    {
        DateTime deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(5));
        while (true)
        {
            IReadOnlyList<(string Id, string Text)> lines = ReadCommandLog(behaviour)
                .Where(l => l.StartsWith('[') && l.Contains("] ", StringComparison.Ordinal))
                .Select(l => (l[1..l.IndexOf(']')], l[(l.IndexOf(']') + 2)..])).ToList();
            var ours = lines.Where(l => !knownConnections.Contains(l.Id))
                .GroupBy(l => l.Id)
                .Where(g => g.FirstOrDefault(l => l.Text.StartsWith("C: ", StringComparison.Ordinal)).Text is string first
                    && (first == "C: EHLO " + clientName || first == "C: HELO " + clientName))
                .Select(g => g.Key).ToHashSet();
            bool closed = ours.Count > 0 && ours.All(id => lines.Contains((id, "CLOSE")));
            if (closed || DateTime.UtcNow > deadline)
                return lines.Where(l => ours.Contains(l.Id) && l.Text.StartsWith("C: ", StringComparison.Ordinal))
                    .Select(l => l.Text[3..]).ToList();
            Thread.Sleep(50);
        }
    }

    /// <summary>The stored messages of <paramref name="behaviour"/> (.eml paths), oldest first.</summary>
    public IReadOnlyList<string> StoredMessages(string behaviour) =>
        Directory.Exists(MessagesDir)
            ? Directory.EnumerateFiles(MessagesDir, behaviour + "-*.eml").OrderBy(File.GetLastWriteTimeUtc).ToList()
            : [];
}
