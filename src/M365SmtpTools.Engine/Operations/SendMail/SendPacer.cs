using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>
    /// Keeps a batch inside an endpoint's published limits (Microsoft 365 client submission: 30 messages a minute,
    /// 10,000 recipients a day) by waiting before a message would break them, instead of tripping the server's
    /// throttling. Sliding windows, so a batch starts at full speed and then settles at the limit.
    /// </summary>
    public sealed class SendPacer
    {
        private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);
        private static readonly TimeSpan Day = TimeSpan.FromDays(1);
        private static readonly TimeSpan CountdownStep = TimeSpan.FromSeconds(1);
        private readonly IClock _clock;
        private readonly int? _messagesPerMinute;
        private readonly int? _recipientsPerDay;
        private readonly Queue<DateTimeOffset> _messages = new Queue<DateTimeOffset>();
        private readonly Queue<(DateTimeOffset At, int Count)> _recipients = new Queue<(DateTimeOffset, int)>();
        private int _recipientsInWindow;
        private int _inWindow; // messages in the current minute, as last seen by WaitForSlotAsync (read by EstimateWait)

        /// <summary>Creates a pacer; a null limit is not enforced.</summary>
        public SendPacer(IClock clock, int? messagesPerMinute, int? recipientsPerDay)
        {
            if (messagesPerMinute <= 0) throw new ArgumentOutOfRangeException(nameof(messagesPerMinute));
            if (recipientsPerDay <= 0) throw new ArgumentOutOfRangeException(nameof(recipientsPerDay));
            _clock = clock;
            _messagesPerMinute = messagesPerMinute;
            _recipientsPerDay = recipientsPerDay;
        }

        /// <summary>Total time spent waiting so far.</summary>
        public TimeSpan TotalWait { get; private set; }

        /// <summary>
        /// About how long the limits will hold back <paramref name="messages"/> more messages (for a remaining-time
        /// estimate): those that fit the current minute go at once, the rest at the limit. Zero without a limit.
        /// </summary>
        public TimeSpan EstimateWait(int messages)
        {
            if (!(_messagesPerMinute is int perMinute)) return TimeSpan.Zero;
            int excess = messages - (perMinute - Volatile.Read(ref _inWindow));
            return excess <= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(excess * 60.0 / perMinute);
        }

        /// <summary>
        /// Waits until a message to <paramref name="recipients"/> recipients fits the limits, then counts it.
        /// <paramref name="onWait"/> is told the time still to wait before each step of at most a second (a countdown
        /// for progress: a one-minute wait is reported 60, 59, ... 1 s, not once). Throws LimitsExceeded when the
        /// daily recipient budget is spent: waiting most of a day inside a batch is never what the caller wants.
        /// </summary>
        public async Task<TimeSpan> WaitForSlotAsync(int recipients, Action<TimeSpan>? onWait, CancellationToken cancellationToken)
        {
            Expire(_clock.UtcNow);
            if (_recipientsPerDay is int perDay)
            {
                if (recipients > perDay)
                    throw new M365SmtpException(SendMailErrorCodes.RecipientLimitExceeded,
                        $"This message has {recipients} recipients; the endpoint allows {perDay} a day in all.")
                    { RecommendedAction = "Split the recipients over several days or use High Volume Email or a relay connector." };
                if (_recipientsInWindow + recipients > perDay)
                    throw new M365SmtpException(SendMailErrorCodes.DailyRecipientLimitReached,
                        $"The endpoint's limit of {perDay} recipients a day has been reached by this batch; the rest was not sent.")
                    { RecommendedAction = "Send the remaining messages after 24 hours, or raise -MaxRecipientsPerDay if your endpoint " +
                        "allows more." };
            }

            TimeSpan waited = TimeSpan.Zero;
            if (_messagesPerMinute is int perMinute && _messages.Count >= perMinute)
            {
                DateTimeOffset freeAt = _messages.Peek() + Minute;
                TimeSpan wait = freeAt - _clock.UtcNow;
                if (wait > TimeSpan.Zero)
                {
                    for (TimeSpan left = wait; left > TimeSpan.Zero; left = freeAt - _clock.UtcNow)
                    {
                        onWait?.Invoke(left);
                        await _clock.DelayAsync(left < CountdownStep ? left : CountdownStep, cancellationToken).ConfigureAwait(false);
                    }
                    waited = wait;
                    TotalWait += wait;
                }
                Expire(_clock.UtcNow);
            }

            DateTimeOffset now = _clock.UtcNow;
            if (_messagesPerMinute != null) _messages.Enqueue(now);
            Volatile.Write(ref _inWindow, _messages.Count);
            if (_recipientsPerDay != null)
            {
                _recipients.Enqueue((now, recipients));
                _recipientsInWindow += recipients;
            }
            return waited;
        }

        private void Expire(DateTimeOffset now)
        {
            while (_messages.Count > 0 && now - _messages.Peek() >= Minute) _messages.Dequeue();
            while (_recipients.Count > 0 && now - _recipients.Peek().At >= Day) _recipientsInWindow -= _recipients.Dequeue().Count;
        }
    }
}
