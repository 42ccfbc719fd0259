using System.Net;
using System.Net.Sockets;
using System.Text;

namespace M365SmtpTools.Engine.Tests.Infrastructure;

/// <summary>
/// A loopback TCP server whose every connection runs <see cref="Script"/>: the test decides line by line what the
/// "server" does (answer, reset the connection, stop reading, go silent). Faults a real server never makes on purpose.
/// </summary>
public sealed class ScriptedServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Func<ServerConnection, Task> _script;
    private readonly List<Task> _sessions = new();

    public ScriptedServer(Func<ServerConnection, Task> script)
    {
        _script = script;
        _listener.Start();
        _ = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Failures inside the script (a script bug, not a client behaviour), reported by the test.</summary>
    public List<Exception> ScriptErrors { get; } = new();

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket s;
            try { s = await _listener.AcceptSocketAsync(_stop.Token); }
            catch (Exception) { return; }
            s.NoDelay = true; // replies are small writes: without this, Nagle + delayed ACK add 40 ms per pipelined reply
            var conn = new ServerConnection(s, _stop.Token);
            lock (_sessions) _sessions.Add(Task.Run(async () =>
            {
                try { await _script(conn); }
                catch (Exception e) when (e is IOException || e is SocketException || e is ObjectDisposedException
                    || e is OperationCanceledException) { }
                catch (Exception e) { lock (ScriptErrors) ScriptErrors.Add(e); }
                finally { conn.Dispose(); }
            }));
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        Task[] all;
        lock (_sessions) all = _sessions.ToArray();
        await Task.WhenAny(Task.WhenAll(all), Task.Delay(5000));
    }
}

/// <summary>One accepted connection, as the script sees it.</summary>
public sealed class ServerConnection : IDisposable
{
    private readonly Socket _socket;
    private readonly CancellationToken _stop;
    private readonly byte[] _buf = new byte[64 * 1024];
    private int _start, _end;

    public ServerConnection(Socket socket, CancellationToken stop)
    {
        _socket = socket;
        _stop = stop;
        Stream = new NetworkStream(socket, ownsSocket: false);
    }

    public NetworkStream Stream { get; }

    /// <summary>Every line the client sent (without CRLF), in order.</summary>
    public List<string> Received { get; } = new();

    public Task WriteAsync(string text) => Stream.WriteAsync(Encoding.UTF8.GetBytes(text), _stop).AsTask();

    public async Task<string?> ReadLineAsync()
    {
        var line = new List<byte>();
        while (true)
        {
            if (_start == _end)
            {
                _start = 0;
                _end = await Stream.ReadAsync(_buf, _stop);
                if (_end <= 0) return null;
            }
            byte b = _buf[_start++];
            if (b == '\n')
            {
                string s = Encoding.UTF8.GetString(line.ToArray()).TrimEnd('\r');
                Received.Add(s);
                return s;
            }
            line.Add(b);
        }
    }

    /// <summary>Reads DATA content through the final dot; returns its byte count (null when the client went away).</summary>
    public async Task<long?> ReadDataAsync(long? stopAfter = null)
    {
        long total = 0;
        while (true)
        {
            string? l = await ReadLineAsync();
            if (l == null) return null;
            Received.RemoveAt(Received.Count - 1);
            if (l == ".") { Received.Add("."); return total; }
            total += l.Length + 2;
            if (stopAfter != null && total >= stopAfter) return total;
        }
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes (BDAT).</summary>
    public async Task<bool> SkipAsync(long count)
    {
        while (count > 0)
        {
            if (_start == _end)
            {
                _start = 0;
                _end = await Stream.ReadAsync(_buf, _stop);
                if (_end <= 0) return false;
            }
            int n = (int)Math.Min(count, _end - _start);
            _start += n;
            count -= n;
        }
        return true;
    }

    /// <summary>Resets the connection: the client sees ECONNRESET, not an orderly close.</summary>
    public void Reset()
    {
        try
        {
            _socket.LingerState = new LingerOption(true, 0);
            _socket.Close();
        }
        catch (ObjectDisposedException) { }
    }

    /// <summary>Keeps the connection open and reads nothing until the client closes it (or the server stops).</summary>
    public async Task GoSilentAsync()
    {
        try { await Task.Delay(Timeout.Infinite, _stop); }
        catch (OperationCanceledException) { }
    }

    /// <summary>Waits until the client closes (reads and discards nothing: the check is done with a zero-byte poll).</summary>
    public async Task WaitForClientCloseAsync(TimeSpan max)
    {
        var deadline = DateTime.UtcNow + max;
        while (DateTime.UtcNow < deadline && !_stop.IsCancellationRequested)
        {
            try
            {
                if (_socket.Poll(0, SelectMode.SelectRead) && _socket.Available == 0) return;
            }
            catch (Exception e) when (e is SocketException || e is ObjectDisposedException) { return; }
            await Task.Delay(20);
        }
    }

    public void Dispose()
    {
        try { Stream.Dispose(); } catch (Exception) { }
        try { _socket.Dispose(); } catch (Exception) { }
    }
}

/// <summary>
/// A plain-TCP SMTP sink for soak and bulk tests: EHLO with PIPELINING and (optionally) CHUNKING, AUTH PLAIN,
/// counts transactions and content bytes, keeps nothing, so the test process's memory reflects the client only.
/// </summary>
public sealed class CountingSink : IAsyncDisposable
{
    private readonly ScriptedServer _server;
    private int _messages, _recipients;

    public CountingSink(bool chunking = true, string? extraCapabilities = null)
    {
        _server = new ScriptedServer(async c =>
        {
            await c.WriteAsync("220 sink ESMTP\r\n");
            int rcpts = 0;
            while (true)
            {
                string? line = await c.ReadLineAsync();
                if (line == null) return;
                c.Received.Clear(); // keep nothing
                string verb = line.Split(' ')[0].ToUpperInvariant();
                switch (verb)
                {
                    case "EHLO":
                        await c.WriteAsync("250-sink\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n"
                            + (chunking ? "250-CHUNKING\r\n" : "") + (extraCapabilities ?? "") + "250 AUTH PLAIN LOGIN\r\n");
                        break;
                    case "AUTH": await c.WriteAsync("235 2.7.0 ok\r\n"); break;
                    case "MAIL": rcpts = 0; await c.WriteAsync("250 2.1.0 ok\r\n"); break;
                    case "RCPT": rcpts++; await c.WriteAsync("250 2.1.5 ok\r\n"); break;
                    case "DATA":
                        await c.WriteAsync("354 go\r\n");
                        if (await c.ReadDataAsync() == null) return;
                        c.Received.Clear();
                        Delivered(rcpts);
                        await c.WriteAsync("250 2.0.0 queued\r\n");
                        break;
                    case "BDAT":
                        string[] p = line.Split(' ');
                        if (!await c.SkipAsync(long.Parse(p[1]))) return;
                        if (p.Length > 2) Delivered(rcpts);
                        await c.WriteAsync("250 2.0.0 ok\r\n");
                        break;
                    case "QUIT": await c.WriteAsync("221 bye\r\n"); return;
                    default: await c.WriteAsync("250 ok\r\n"); break;
                }
            }
        });
    }

    private void Delivered(int rcpts)
    {
        Interlocked.Increment(ref _messages);
        Interlocked.Add(ref _recipients, rcpts);
    }

    public int Port => _server.Port;
    public int Messages => Volatile.Read(ref _messages);
    public int Recipients => Volatile.Read(ref _recipients);

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
