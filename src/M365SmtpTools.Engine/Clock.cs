using System;
using System.Threading;
using System.Threading.Tasks;

namespace M365SmtpTools.Engine
{
    /// <summary>Time, injectable so pacing and back-off can be tested without waiting.</summary>
    public interface IClock
    {
        /// <summary>Now, in UTC.</summary>
        DateTimeOffset UtcNow { get; }

        /// <summary>Waits for <paramref name="delay"/> (a fake clock just advances).</summary>
        Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken);
    }

    /// <summary>The real clock.</summary>
    public sealed class SystemClock : IClock
    {
        /// <summary>The shared instance.</summary>
        public static readonly SystemClock Instance = new SystemClock();

        /// <inheritdoc />
        public DateTimeOffset UtcNow => DateTimeOffset.UtcNow;

        /// <inheritdoc />
        public Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken) =>
            delay <= TimeSpan.Zero ? Task.CompletedTask : Task.Delay(delay, cancellationToken);
    }
}
