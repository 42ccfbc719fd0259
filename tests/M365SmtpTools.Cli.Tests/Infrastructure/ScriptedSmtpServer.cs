using M365SmtpTools.Engine.Tests.Infrastructure;

namespace M365SmtpTools.Cli.Tests.Infrastructure;

/// <summary>
/// A plain-text SMTP server on loopback (a script over the shared <see cref="ScriptedServer"/>) that answers by the
/// recipient's local part. <c>ok</c> is accepted; <c>perm</c> gets 550 5.1.1 at RCPT; <c>temp</c> gets 451 4.3.2 at RCPT;
/// <c>esc</c> gets a 550 reply full of terminal control characters; <c>drop</c> is accepted, then the connection is
/// closed after the message's final dot without a reply (delivery unknown); <c>slow</c> waits after the final dot until
/// the test releases it (<see cref="ReleaseSlow"/>), then accepts. Every line it read or wrote is in <see cref="Log"/>.
/// </summary>
public sealed class ScriptedSmtpServer : IAsyncDisposable
{
    private readonly ScriptedServer _server;
    private readonly TaskCompletionSource _slowReached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _releaseSlow = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ScriptedSmtpServer() => _server = new ScriptedServer(SessionAsync);

    public int Port => _server.Port;

    public List<string> Log { get; } = new();

    /// <summary>Subjects of the messages that got 250 after DATA.</summary>
    public List<string> Accepted { get; } = new();

    /// <summary>Completes when a message for <c>slow</c> has been received (its reply is held back).</summary>
    public Task SlowReached => _slowReached.Task;

    public void ReleaseSlow() => _releaseSlow.TrySetResult();

    private void Record(string line) { lock (Log) Log.Add(line); }

    private async Task SessionAsync(ServerConnection c)
    {
        async Task Send(string line)
        {
            Record("S: " + line);
            await c.WriteAsync(line + "\r\n");
        }
        await Send("220 scripted.test ESMTP");
        string? behaviour = null;
        while (true)
        {
            string? line = await c.ReadLineAsync();
            if (line == null) return;
            Record("C: " + line);
            string verb = line.Split(' ')[0].ToUpperInvariant();
            switch (verb)
            {
                case "EHLO": await Send("250-scripted.test\r\n250-8BITMIME\r\n250 PIPELINING"); break;
                case "HELO": await Send("250 scripted.test"); break;
                case "MAIL": behaviour = null; await Send("250 2.1.0 OK"); break;
                case "RCPT":
                    string local = line[(line.IndexOf('<') + 1)..line.IndexOf('@')].ToLowerInvariant();
                    if (local == "perm") await Send("550 5.1.1 <perm@contoso.com>: Recipient address rejected: User unknown");
                    else if (local == "esc") await Send("550 5.1.1 \u001B]0;pwned\u0007\u001B[2J\rfake 250 OK \u202Eevil");
                    else if (local == "temp") await Send("451 4.3.2 Temporary server error. Please try again later");
                    else { behaviour ??= local; await Send("250 2.1.5 OK"); }
                    break;
                case "DATA":
                    // RFC 2920: a pipelined DATA after refused recipients is refused too.
                    if (behaviour == null) { await Send("554 5.5.1 No valid recipients"); break; }
                    await Send("354 go ahead");
                    string subject = "";
                    while ((line = await c.ReadLineAsync()) != null && line != ".")
                        if (line.StartsWith("Subject: ", StringComparison.OrdinalIgnoreCase) && subject.Length == 0) subject = line[9..];
                    if (line == null) return;
                    Record("C: <message " + subject + ">");
                    if (behaviour == "drop") { Record("S: <closed after the final dot>"); return; }
                    if (behaviour == "slow")
                    {
                        _slowReached.TrySetResult();
                        await _releaseSlow.Task;
                    }
                    lock (Accepted) Accepted.Add(subject);
                    await Send("250 2.0.0 OK queued");
                    break;
                case "RSET": behaviour = null; await Send("250 2.0.0 OK"); break;
                case "NOOP": await Send("250 2.0.0 OK"); break;
                case "QUIT": await Send("221 2.0.0 Bye"); return;
                default: await Send("502 5.5.2 Command not recognized"); break;
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        _releaseSlow.TrySetResult();
        return _server.DisposeAsync();
    }
}
