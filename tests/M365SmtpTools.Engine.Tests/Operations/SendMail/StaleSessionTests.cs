using M365SmtpTools.Engine.Exchange;
using M365SmtpTools.Engine.Operations;
using M365SmtpTools.Engine.Smtp;
using M365SmtpTools.Engine.Tests.Infrastructure;

namespace M365SmtpTools.Engine.Tests.Operations.SendMail;

/// <summary>
/// A session the server closed while it was idle between two messages (an idle timeout): the next message reconnects
/// at once, without counting a failed attempt or waiting a back-off.
/// </summary>
public sealed class StaleSessionTests
{
    [Fact]
    public async Task A_session_closed_while_idle_is_reopened_at_once_without_counting_an_attempt()
    {
        int connections = 0;
        // Each connection takes one message, then closes as an idle timeout would: the next MAIL FROM finds it gone.
        await using var server = new ScriptedServer(async c =>
        {
            Interlocked.Increment(ref connections);
            await c.WriteAsync("220 relay.test ESMTP\r\n");
            while (true)
            {
                string? line = await c.ReadLineAsync();
                if (line == null) return;
                string verb = line.Split(' ')[0].ToUpperInvariant();
                switch (verb)
                {
                    case "EHLO": await c.WriteAsync("250-relay.test\r\n250 8BITMIME\r\n"); break;
                    case "MAIL": await c.WriteAsync("250 2.1.0 ok\r\n"); break;
                    case "RCPT": await c.WriteAsync("250 2.1.5 ok\r\n"); break;
                    case "DATA":
                        await c.WriteAsync("354 go\r\n");
                        if (await c.ReadDataAsync() == null) return;
                        await c.WriteAsync("250 2.0.0 queued\r\n");
                        return; // closed while idle
                    case "QUIT": await c.WriteAsync("221 bye\r\n"); return;
                    default: await c.WriteAsync("250 ok\r\n"); break;
                }
            }
        });
        var clock = new HookClock();
        var settings = new SendMailOperationSettings
        {
            Clock = clock,
            Registry = new M365SmtpTools.Engine.Auth.SmtpConnectionRegistry(),
            DnsResolverFactory = (_, _) => SendKit.ContosoDns,
            RetrySeed = 7,
            ConfigureConnection = o =>
            {
                o.LocalDomain = "client.contoso.com";
                o.TlsMode = SmtpTlsMode.None;
                o.CommandTimeout = TimeSpan.FromSeconds(60);
            },
            Redirect = (_, _) => ("127.0.0.1", server.Port),
        };
        var request = new SendMailRequest { Method = SendMethod.Relay, From = "alice@contoso.com", MaxConnections = 1, MaxRetry = 0 };
        var host = new RecordingHost();
        List<SendMailResult> results = await SendKit.RunAsync(new SendMailOperation(settings), request, SendKit.Specs(3), host, TestContext.Current.CancellationToken);

        Assert.Equal(new[] { SendMailStatus.Sent, SendMailStatus.Sent, SendMailStatus.Sent }, results.Select(r => r.Status));
        Assert.All(results, r => Assert.Equal(1, r.Attempts)); // no attempt was spent on the stale session (MaxRetry 0 would have failed it)
        Assert.Empty(clock.Waits);
        Assert.Equal(3, Volatile.Read(ref connections));
        Assert.Equal(2, host.Verbose.Count(v => v.StartsWith("The connection to ", StringComparison.Ordinal) && v.Contains(" was closed while idle (", StringComparison.Ordinal) && v.EndsWith("); reconnecting.", StringComparison.Ordinal)));
    }
}
