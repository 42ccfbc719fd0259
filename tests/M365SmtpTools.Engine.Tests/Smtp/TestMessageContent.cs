using System.Text;
using M365SmtpTools.Engine.Mime;

namespace M365SmtpTools.Engine.Tests.Smtp;

/// <summary>An <see cref="IMessageContent"/> over fixed bytes, written in pieces of <see cref="WriteSize"/> to exercise
/// split writes.</summary>
public sealed class TestMessageContent : IMessageContent
{
    private readonly byte[] _bytes;

    public TestMessageContent(byte[] bytes) => _bytes = bytes;

    public TestMessageContent(string text) : this(Encoding.UTF8.GetBytes(text)) { }

    public bool Requires8BitMime { get; init; }
    public bool RequiresSmtpUtf8 { get; init; }

    /// <summary>The size each WriteAsync call gets (default: all at once).</summary>
    public int WriteSize { get; init; } = int.MaxValue;

    /// <summary>Throw after writing this many bytes (simulates an unreadable attachment).</summary>
    public int? FailAfter { get; init; }

    /// <summary>What ComputeSize reports (defaults to the real size).</summary>
    public long? ReportedSize { get; init; }

    public long ComputeSize() => ReportedSize ?? _bytes.Length;

    public async Task WriteToAsync(Stream output, CancellationToken cancellationToken)
    {
        int pos = 0;
        while (pos < _bytes.Length)
        {
            if (FailAfter.HasValue && pos >= FailAfter.Value) throw new IOException("attachment unreadable");
            int n = Math.Min(WriteSize, _bytes.Length - pos);
            if (FailAfter.HasValue) n = Math.Min(n, Math.Max(1, FailAfter.Value - pos));
            await output.WriteAsync(_bytes.AsMemory(pos, n), cancellationToken);
            pos += n;
        }
        if (FailAfter.HasValue && pos >= FailAfter.Value) throw new IOException("attachment unreadable");
    }
}
