namespace M365SmtpTools.Engine.Tests.Infrastructure;

/// <summary>A clock that advances instantly when asked to wait, and records the waits.</summary>
public sealed class FakeClock : IClock
{
    private readonly object _gate = new();
    public FakeClock(DateTimeOffset? start = null) => UtcNow = start ?? new DateTimeOffset(2026, 11, 22, 9, 0, 0, TimeSpan.Zero);
    public DateTimeOffset UtcNow { get; private set; }
    public List<TimeSpan> Waits { get; } = new();
    public void Advance(TimeSpan by) { lock (_gate) UtcNow += by; }
    public Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate) { Waits.Add(delay); if (delay > TimeSpan.Zero) UtcNow += delay; }
        return Task.CompletedTask;
    }
}
