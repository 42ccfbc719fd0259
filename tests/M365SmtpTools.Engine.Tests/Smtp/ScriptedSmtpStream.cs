using System.Text;

namespace M365SmtpTools.Engine.Tests.Smtp;

/// <summary>
/// A duplex stream for replay tests: reads return the scripted server output in order, writes are recorded.
/// <see cref="Turns"/> holds what the client wrote before each read, so pipelining (many commands, one turn) is visible.
/// After the script ends a read returns 0 (the server closed the connection), unless the last step is <see cref="Hang"/>.
/// </summary>
public sealed class ScriptedSmtpStream : Stream
{
    /// <summary>A script step that never answers (until the read is cancelled or the stream closed).</summary>
    public const string Hang = "\u0000HANG";

    private readonly Queue<string> _script;
    private readonly MemoryStream _written = new();
    private long _turnStart;
    private byte[] _pending = Array.Empty<byte>();
    private int _pendingPos;
    private readonly CancellationTokenSource _closed = new();

    public ScriptedSmtpStream(params string[] serverOutput) => _script = new Queue<string>(serverOutput);

    /// <summary>Everything the client wrote, as Latin-1 text (bytes map 1:1 to chars).</summary>
    public string Written => Encoding.Latin1.GetString(_written.ToArray());

    public byte[] WrittenBytes => _written.ToArray();

    /// <summary>What the client wrote between consecutive reads (a "turn" each).</summary>
    public List<string> Turns { get; } = new();

    public bool Disposed { get; private set; }

    /// <summary>The largest single write the client made (shows whether it streams or buffers whole messages).</summary>
    public int MaxWriteSize { get; private set; }

    /// <summary>How many writes the client made.</summary>
    public int WriteCount { get; private set; }

    public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        if (Disposed) throw new ObjectDisposedException(nameof(ScriptedSmtpStream));
        if (_written.Length > _turnStart)
        {
            Turns.Add(Encoding.Latin1.GetString(_written.ToArray(), (int)_turnStart, (int)(_written.Length - _turnStart)));
            _turnStart = _written.Length;
        }
        if (_pendingPos >= _pending.Length)
        {
            if (_script.Count == 0) return 0;
            string next = _script.Dequeue();
            if (next == Hang)
            {
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closed.Token);
                await Task.Delay(Timeout.Infinite, linked.Token);
            }
            _pending = Encoding.UTF8.GetBytes(next);
            _pendingPos = 0;
        }
        int n = Math.Min(count, _pending.Length - _pendingPos);
        Buffer.BlockCopy(_pending, _pendingPos, buffer, offset, n);
        _pendingPos += n;
        return n;
    }

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer, offset, count);
        return Task.CompletedTask;
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        if (Disposed) throw new ObjectDisposedException(nameof(ScriptedSmtpStream));
        _written.Write(buffer, offset, count);
        MaxWriteSize = Math.Max(MaxWriteSize, count);
        WriteCount++;
    }

    protected override void Dispose(bool disposing)
    {
        Disposed = true;
        _closed.Cancel();
        base.Dispose(disposing);
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
