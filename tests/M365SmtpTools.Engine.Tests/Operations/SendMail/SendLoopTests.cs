using System.Text;
using System.Text.RegularExpressions;
using M365SmtpTools.Engine.Exchange;
using M365SmtpTools.Engine.Operations;
using M365SmtpTools.Engine.Smtp;
using M365SmtpTools.Engine.Tests.Infrastructure;

namespace M365SmtpTools.Engine.Tests.Operations.SendMail;

/// <summary>
/// The attempts of one message over a worker's session (SmtpSendLoop), told by what a relay server does on each
/// connection: which failures are retried, which reconnect without counting, what ends a batch, and what the caller sees.
/// </summary>
public sealed class SendLoopTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A command as the server sees it: the connection (from 1), the message on that connection (from 1), the line.</summary>
    private sealed record Turn(int Connection, int Message, string Verb, string Line);

    /// <summary>
    /// A relay on loopback that answers every command well unless <c>decide</c> says otherwise: null = the usual reply,
    /// "close" = drop the connection (for verb "GREETING": before the greeting), "stall" = never answer, else the reply text.
    /// Records every command line and every message's DATA content.
    /// </summary>
    private sealed class Relay : IAsyncDisposable
    {
        private readonly ScriptedServer _server;
        private int _connections;
        public List<string> Lines { get; } = new();
        public List<string> Contents { get; } = new();
        public int Connections => Volatile.Read(ref _connections);
        public int Port => _server.Port;

        public Relay(Func<Turn, string?> decide, string ehloExtensions = "8BITMIME")
        {
            _server = new ScriptedServer(async c =>
            {
                int connection = Interlocked.Increment(ref _connections);
                int message = 1;
                if (decide(new Turn(connection, message, "GREETING", "")) == "close") return;
                await c.WriteAsync("220 relay.test ESMTP\r\n");
                while (true)
                {
                    string? line = await c.ReadLineAsync();
                    if (line == null) return;
                    lock (Lines) Lines.Add($"{connection}: {line}");
                    string verb = line.Split(' ')[0].ToUpperInvariant();
                    string? answer = decide(new Turn(connection, message, verb, line));
                    if (answer == "close") return;
                    if (answer == "stall") { while (await c.ReadLineAsync() != null) { } return; } // until the client hangs up
                    if (answer != null && verb != "DATA") { await c.WriteAsync(answer); continue; }
                    switch (verb)
                    {
                        case "EHLO": await c.WriteAsync($"250-relay.test\r\n250 {ehloExtensions}\r\n"); break;
                        case "MAIL": await c.WriteAsync("250 2.1.0 ok\r\n"); break;
                        case "RCPT": await c.WriteAsync("250 2.1.5 ok\r\n"); break;
                        case "DATA":
                            await c.WriteAsync("354 go\r\n");
                            var data = new StringBuilder();
                            for (string? l = await c.ReadLineAsync(); l != "."; l = await c.ReadLineAsync())
                            {
                                if (l == null) return;
                                data.Append(l).Append("\r\n");
                            }
                            lock (Lines) Contents.Add(data.ToString());
                            string? end = decide(new Turn(connection, message, "END", ""));
                            if (end == "close") return;
                            if (end == "stall") { while (await c.ReadLineAsync() != null) { } return; }
                            await c.WriteAsync(end ?? "250 2.0.0 queued\r\n");
                            message++;
                            break;
                        case "QUIT": await c.WriteAsync("221 bye\r\n"); return;
                        default: await c.WriteAsync("250 ok\r\n"); break;
                    }
                }
            });
        }

        public ValueTask DisposeAsync() => _server.DisposeAsync();
    }

    private static SendMailOperationSettings Settings(Relay relay, IClock? clock = null) => new()
    {
        Clock = clock ?? new HookClock(),
        Registry = new M365SmtpTools.Engine.Auth.SmtpConnectionRegistry(),
        DnsResolverFactory = (_, _) => SendKit.ContosoDns,
        RetrySeed = 7,
        ConfigureConnection = o =>
        {
            o.LocalDomain = "client.contoso.com";
            o.TlsMode = SmtpTlsMode.None;
            o.CommandTimeout = TimeSpan.FromSeconds(30);
        },
        Redirect = (_, _) => ("127.0.0.1", relay.Port),
    };

    private static SendMailRequest Request(int maxRetry = 0) =>
        new() { Method = SendMethod.Relay, Message = new() { From = "alice@contoso.com" }, MaxConnections = 1, MaxRetry = maxRetry };

    private static async Task<List<SendMailResult>> Send(Relay relay, SendMailRequest request, IReadOnlyList<MailMessageSpec> specs,
        RecordingHost? host = null) =>
        await SendKit.RunAsync(new SendMailOperation(Settings(relay)), request, specs, host ?? new RecordingHost(), Ct);

    [Fact]
    public async Task The_verbose_line_of_a_message_names_all_its_recipients()
    {
        await using var relay = new Relay(_ => null);
        var host = new RecordingHost();
        var spec = new MailMessageSpec { To = new[] { "bob@contoso.com", "carol@contoso.com" }, Subject = "Two", Body = "b" };

        List<SendMailResult> results = await Send(relay, Request(), new[] { spec }, host);

        Assert.Equal(SendMailStatus.Sent, Assert.Single(results).Status);
        Assert.Single(host.Verbose, v => v.StartsWith("Message 1 of 1: <", StringComparison.Ordinal)
            && v.EndsWith("> to bob@contoso.com, carol@contoso.com.", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(SendMailEncoding.SevenBit, false)]
    [InlineData(SendMailEncoding.Auto, true)]
    public async Task Seven_bit_encoding_is_kept_even_when_the_server_offers_8BITMIME(SendMailEncoding encoding, bool eightBitOnTheWire)
    {
        await using var relay = new Relay(_ => null);
        SendMailRequest request = Request();
        request.Encoding = encoding;
        var spec = new MailMessageSpec { To = new[] { "bob@contoso.com" }, Subject = "Grüße", Body = "Schöne Grüße aus Köln" };

        List<SendMailResult> results = await Send(relay, request, new[] { spec });

        Assert.Equal(SendMailStatus.Sent, Assert.Single(results).Status);
        string mail = Assert.Single(relay.Lines, l => l.StartsWith("1: MAIL FROM:", StringComparison.Ordinal));
        Assert.Equal(eightBitOnTheWire, mail.Contains("BODY=8BITMIME", StringComparison.Ordinal));
        Assert.Equal(eightBitOnTheWire, Assert.Single(relay.Contents).Contains("Schöne Grüße aus Köln", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_daily_recipient_budget_ends_the_batch_and_the_rest_is_not_attempted()
    {
        await using var relay = new Relay(_ => null);
        SendMailRequest request = Request();
        request.MaxRecipientsPerDay = 2;

        List<SendMailResult> results = await Send(relay, request, SendKit.Specs(4));

        Assert.Equal(new[] { SendMailStatus.Sent, SendMailStatus.Sent, SendMailStatus.NotAttempted, SendMailStatus.NotAttempted },
            results.OrderBy(r => r.Index).Select(r => r.Status));
        Assert.All(results.Where(r => r.Index >= 2), r => Assert.Equal("DailyRecipientLimitReached", r.ErrorId));
        Assert.Equal(0, results.Single(r => r.Index == 3).Attempts); // the batch stopped: the last message was never started
        Assert.Equal(2, relay.Contents.Count);
    }

    [Fact]
    public async Task A_refused_recipient_fails_its_message_and_the_session_goes_on()
    {
        await using var relay = new Relay(t => t.Verb == "RCPT" && t.Line.Contains("user1@", StringComparison.Ordinal)
            ? "550 5.1.1 user unknown\r\n"
            : null);

        List<SendMailResult> results = await Send(relay, Request(maxRetry: 2), SendKit.Specs(2));

        Assert.Equal(new[] { SendMailStatus.Failed, SendMailStatus.Sent }, results.OrderBy(r => r.Index).Select(r => r.Status));
        Assert.Equal(1, results.Single(r => r.Index == 0).Attempts); // permanent: not retried
        Assert.Equal(1, relay.Connections); // the refusal didn't cost the session
    }

    [Fact]
    public async Task A_session_closed_while_idle_is_reopened_at_once_without_counting_an_attempt()
    {
        // Each connection takes one message, then is gone by the next MAIL FROM, as after an idle timeout.
        await using var relay = new Relay(t => t.Message == 2 && t.Verb == "MAIL" ? "close" : null);
        var clock = new HookClock();
        var host = new RecordingHost();

        List<SendMailResult> results = await SendKit.RunAsync(new SendMailOperation(Settings(relay, clock)), Request(maxRetry: 0),
            SendKit.Specs(3), host, Ct);

        Assert.Equal(new[] { SendMailStatus.Sent, SendMailStatus.Sent, SendMailStatus.Sent }, results.Select(r => r.Status));
        Assert.All(results,
            r => Assert.Equal(1, r.Attempts)); // no attempt was spent on the stale session (MaxRetry 0 would have failed it)
        Assert.Empty(clock.Waits); // and no back-off
        Assert.Equal(3, relay.Connections);
        Assert.Equal(2, host.Verbose.Count(v => v.StartsWith("The connection to ", StringComparison.Ordinal)
            && v.Contains(" was closed while idle (", StringComparison.Ordinal)
            && v.EndsWith("); reconnecting.", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_session_found_closed_at_RCPT_TO_is_reopened_at_once_without_counting_an_attempt()
    {
        // Each connection takes one message; on the next one it accepts MAIL FROM and then is gone.
        await using var relay = new Relay(t => t.Message == 2 && t.Verb == "RCPT" ? "close" : null);
        var host = new RecordingHost();

        List<SendMailResult> results = await Send(relay, Request(), SendKit.Specs(2), host);

        Assert.All(results, r => Assert.Equal(SendMailStatus.Sent, r.Status));
        Assert.All(results, r => Assert.Equal(1, r.Attempts));
        Assert.Equal(2, relay.Connections);
        Assert.Single(host.Verbose, v => v.Contains(" was closed while idle (", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_fresh_session_lost_at_MAIL_FROM_counts_as_an_attempt()
    {
        await using var relay = new Relay(t => t.Connection == 1 && t.Verb == "MAIL" ? "close" : null);
        var host = new RecordingHost();

        List<SendMailResult> results = await Send(relay, Request(maxRetry: 0), SendKit.Specs(1), host);

        SendMailResult r = Assert.Single(results);
        Assert.Equal(SendMailStatus.Failed, r.Status);
        Assert.Equal(1, r.Attempts);
        Assert.Equal(1, relay.Connections); // no free reconnect: the session was new, not stale
        Assert.DoesNotContain(host.Verbose, v => v.Contains("closed while idle", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Garbage_in_answer_to_MAIL_FROM_on_a_reused_session_fails_the_message_without_a_reconnect()
    {
        await using var relay = new Relay(t => t.Connection == 1 && t.Message == 2 && t.Verb == "MAIL" ? "hello there\r\n" : null);

        List<SendMailResult> results = await Send(relay, Request(maxRetry: 2), SendKit.Specs(2));

        SendMailResult second = results.Single(r => r.Index == 1);
        Assert.Equal(SendMailStatus.Sent, results.Single(r => r.Index == 0).Status);
        Assert.Equal(SendMailStatus.Failed, second.Status);
        Assert.Equal("SmtpInvalidReply", second.ErrorId);
        Assert.Equal(1, second.Attempts); // a protocol violation is permanent
        Assert.Equal(1, relay.Connections);
    }

    [Fact]
    public async Task A_connection_closed_before_the_greeting_is_retried()
    {
        await using var relay = new Relay(t => t.Connection == 1 && t.Verb == "GREETING" ? "close" : null);

        List<SendMailResult> results = await Send(relay, Request(maxRetry: 1), SendKit.Specs(1));

        SendMailResult r = Assert.Single(results);
        Assert.Equal(SendMailStatus.Sent, r.Status);
        Assert.Equal(2, r.Attempts);
        Assert.Equal(2, relay.Connections);
    }

    [Fact]
    public async Task A_retry_shows_in_the_progress_bar_with_the_message_number_and_the_wait()
    {
        int refused = 0;
        await using var relay = new Relay(t => t.Verb == "END" && t.Message == 1 && Interlocked.Increment(ref refused) == 1
            ? "451 4.3.0 try again later\r\n"
            : null);
        var host = new RecordingHost();

        List<SendMailResult> results = await Send(relay, Request(maxRetry: 1), SendKit.Specs(2), host);

        Assert.All(results, r => Assert.Equal(SendMailStatus.Sent, r.Status));
        Assert.Equal(2, results.Single(r => r.Index == 0).Attempts);
        Assert.Single(host.Progress, p => p.CurrentOperation != null
            && Regex.IsMatch(p.CurrentOperation, @"^Retrying message 1 in \d+ s \(Transient\)$"));
    }

    /// <summary>A clock whose every wait is interrupted: the caller cancels during the back-off.</summary>
    private sealed class CancellingClock(CancellationTokenSource cts) : IClock
    {
        public DateTimeOffset UtcNow => new(2026, 11, 22, 9, 0, 0, TimeSpan.Zero);

        public Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
        {
            if (delay <= TimeSpan.Zero) return Task.CompletedTask;
            cts.Cancel();
            return Task.FromCanceled(cancellationToken);
        }
    }

    [Theory]
    [InlineData(false, SendMailStatus.NotAttempted, null)]
    [InlineData(true, SendMailStatus.Unknown, "SmtpDeliveryUnknown")]
    public async Task Cancelling_during_the_back_off_ends_the_message_as_what_is_known_of_it(bool lostAfterData, SendMailStatus status,
        string? errorId)
    {
        // 451 after the data: nothing was delivered. The connection lost after the data: delivery is unknown.
        await using var relay = new Relay(t => t.Verb == "END" ? (lostAfterData ? "close" : "451 4.3.0 try again later\r\n") : null);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        SendMailRequest request = Request(maxRetry: 3);
        request.RetryUnknown = true;

        var results = new List<SendMailResult>();
        try
        {
            await SendKit.Batch(new SendMailOperation(Settings(relay, new CancellingClock(cts))), request, SendKit.Specs(1),
                new RecordingHost(), r => results.Add(r), cts.Token);
        }
        catch (OperationCanceledException) { }

        SendMailResult r = Assert.Single(results);
        Assert.Equal(status, r.Status);
        Assert.Equal(errorId, r.ErrorId);
        Assert.Single(relay.Contents); // one attempt, no retry after the cancellation
    }

    [Fact]
    public async Task A_message_over_the_servers_SIZE_fails_at_once_without_a_retry()
    {
        await using var relay = new Relay(_ => null, ehloExtensions: "SIZE 200");

        List<SendMailResult> results = await Send(relay, Request(maxRetry: 3), SendKit.Specs(1));

        SendMailResult r = Assert.Single(results);
        Assert.Equal(SendMailStatus.Failed, r.Status);
        Assert.Equal("SmtpMessageTooLarge", r.ErrorId);
        Assert.Equal(1, r.Attempts);
        Assert.DoesNotContain(relay.Lines, l => l.Contains("MAIL FROM", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("RCPT", SendMailStatus.NotAttempted, null)]
    [InlineData("END", SendMailStatus.Unknown, "SmtpDeliveryUnknown")]
    public async Task Cancelling_while_the_server_is_silent_ends_the_batch_saying_what_is_known(string stage, SendMailStatus first,
        string? errorId)
    {
        // Ctrl+C while waiting for the server: before the data, nothing was delivered; after it, the message may have been.
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        await using var relay = new Relay(t =>
        {
            if (t.Message != 1 || t.Verb != stage) return null;
            cts.Cancel();
            return "stall";
        });

        var results = new List<SendMailResult>();
        try
        {
            await SendKit.Batch(new SendMailOperation(Settings(relay)), Request(maxRetry: 3), SendKit.Specs(2), new RecordingHost(),
                r => results.Add(r), cts.Token);
        }
        catch (OperationCanceledException) { }

        Assert.Equal(new[] { first, SendMailStatus.NotAttempted }, results.OrderBy(r => r.Index).Select(r => r.Status));
        Assert.Equal(errorId, results.Single(r => r.Index == 0).ErrorId);
        Assert.Equal(1, relay.Connections);
    }
}
