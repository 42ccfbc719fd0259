using System.Net;
using System.Net.Sockets;
using System.Text;
using M365SmtpTools.Engine.Exchange;
using M365SmtpTools.Engine.Operations;
using M365SmtpTools.Engine.Tests.Infrastructure;

namespace M365SmtpTools.Engine.Tests.Operations.SendMail;

/// <summary>
/// A server that breaks the protocol (garbage, a 999 code, a line over 64 KB, a reply over 1 MB, a greeting that never
/// comes) ends the attempt at once: one connection, no retries (issue 14, item 9).
/// </summary>
public sealed class ProtocolViolationTests
{
    private sealed class Misbehaving : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private int _connections;

        public Misbehaving(Func<string> greeting)
        {
            _listener.Start();
            _ = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    TcpClient c;
                    try { c = await _listener.AcceptTcpClientAsync(_stop.Token); } catch { return; }
                    Interlocked.Increment(ref _connections);
                    _ = Task.Run(async () =>
                    {
                        using (c)
                        {
                            try
                            {
                                string g = greeting();
                                if (g.Length > 0) await c.GetStream().WriteAsync(Encoding.ASCII.GetBytes(g), _stop.Token);
                                var buffer = new byte[4096];
                                while (await c.GetStream().ReadAsync(buffer, _stop.Token) > 0) { }
                            }
                            catch { }
                        }
                    });
                }
            });
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
        public int Connections => Volatile.Read(ref _connections);
        public void Dispose() { _stop.Cancel(); _listener.Stop(); }
    }

    public static TheoryData<string, string> Cases => new()
    {
        { "garbage", "SmtpInvalidReply" },
        { "999", "SmtpInvalidReply" },
        { "long-line", "SmtpReplyTooLong" },
        { "huge-reply", "SmtpReplyTooLong" },
        { "silent", "SmtpTimeout" },
    };

    private static string Greeting(string kind) => kind switch
    {
        "garbage" => "SSH-2.0-OpenSSH_9.6\r\n",
        "999" => "999 mx.test hello\r\n",
        "long-line" => "220 " + new string('x', 70 * 1024) + "\r\n",
        "huge-reply" => string.Concat(Enumerable.Repeat("220-" + new string('y', 1000) + "\r\n", 1100)) + "220 done\r\n",
        _ => "",
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_protocol_violation_is_not_retried(string kind, string errorId)
    {
        using var server = new Misbehaving(() => Greeting(kind));
        var settings = new SendMailOperationSettings
        {
            Clock = new FakeClock(),
            Registry = new M365SmtpTools.Engine.Auth.SmtpConnectionRegistry(),
            DnsResolverFactory = (_, _) => SendKit.ContosoDns,
            RetrySeed = 7,
            ConfigureConnection = o =>
            {
                o.LocalDomain = "client.contoso.com";
                o.ConnectTimeout = TimeSpan.FromSeconds(10);
                // Short only for the silent server, so its single attempt ends; the others must fail on what they
                // sent, not on a timeout (reading 1 MB on a loaded machine can take longer than 2 s).
                o.CommandTimeout = TimeSpan.FromSeconds(kind == "silent" ? 2 : 120);
            },
            Redirect = (_, _) => ("127.0.0.1", server.Port),
        };
        var request = new SendMailRequest
        {
            Method = SendMethod.Relay,
            Message = new() { From = "alice@contoso.com", To = new[] { "bob@contoso.com" }, Subject = "x", Body = "y" },
            MaxRetry = 3
        };
        var results = await SendKit.RunAsync(new SendMailOperation(settings), request, null, new RecordingHost(),
            TestContext.Current.CancellationToken);

        SendMailResult r = Assert.Single(results);
        Assert.Equal(SendMailStatus.Failed, r.Status);
        Assert.Equal(errorId, r.ErrorId);
        Assert.Equal(1, r.Attempts);
        Assert.Equal(1, server.Connections);
    }
}
