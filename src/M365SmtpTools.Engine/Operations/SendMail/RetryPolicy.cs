using System;

namespace M365SmtpTools.Engine.Operations
{
    /// <summary>Why an attempt to send one message failed, as far as retrying is concerned.</summary>
    public enum SendFailureClass
    {
        /// <summary>A 4xx reply: try again later.</summary>
        Transient,
        /// <summary>4.3.2: too many concurrent connections for the mailbox.</summary>
        ConcurrencyLimit,
        /// <summary>The connection died before the message was complete: nothing was delivered, reconnect and retry.</summary>
        ConnectionLost,
        /// <summary>The connection died after the end of the message and before the reply: it may have been delivered.</summary>
        DeliveryUnknown,
        /// <summary>A 5xx reply or bad input: retrying can't help.</summary>
        Permanent,
    }

    /// <summary>
    /// Retry by reply class: 4xx and dead connections are retried with exponential back-off and jitter; 5xx never;
    /// "delivery unknown" only when the caller accepts possible duplicates (-RetryUnknown).
    /// </summary>
    public sealed class RetryPolicy
    {
        private readonly Random _random;

        /// <summary>Creates the policy. <paramref name="seed"/> makes the jitter repeatable in tests.</summary>
        public RetryPolicy(int maxRetry = 3, bool retryUnknown = false, TimeSpan? baseDelay = null, TimeSpan? maxDelay = null,
            int? seed = null)
        {
            if (maxRetry < 0) throw new ArgumentOutOfRangeException(nameof(maxRetry));
            MaxRetry = maxRetry;
            RetryUnknown = retryUnknown;
            BaseDelay = baseDelay ?? TimeSpan.FromSeconds(2);
            MaxDelay = maxDelay ?? TimeSpan.FromMinutes(2);
            _random = seed is int s ? new Random(s) : new Random();
        }

        /// <summary>How many times a message is retried after its first attempt.</summary>
        public int MaxRetry { get; }
        /// <summary>True when a message whose delivery is unknown may be sent again (risking a duplicate).</summary>
        public bool RetryUnknown { get; }
        /// <summary>The first back-off.</summary>
        public TimeSpan BaseDelay { get; }
        /// <summary>The longest back-off.</summary>
        public TimeSpan MaxDelay { get; }

        /// <summary>Whether a failure of this class is retried after <paramref name="attempt"/> attempts (1 = the first).</summary>
        public bool ShouldRetry(SendFailureClass failure, int attempt)
        {
            if (attempt > MaxRetry) return false;
            switch (failure)
            {
                case SendFailureClass.Transient:
                case SendFailureClass.ConcurrencyLimit:
                case SendFailureClass.ConnectionLost:
                    return true;
                case SendFailureClass.DeliveryUnknown:
                    return RetryUnknown;
                default:
                    return false;
            }
        }

        /// <summary>
        /// The wait before the next attempt: base × 2^(attempt-1), capped, plus up to 50% jitter so parallel senders
        /// don't retry in step. The concurrency reply waits at least 15 seconds (other connections must finish first).
        /// </summary>
        public TimeSpan BackoffFor(SendFailureClass failure, int attempt)
        {
            double seconds = BaseDelay.TotalSeconds * Math.Pow(2, Math.Max(0, attempt - 1));
            if (failure == SendFailureClass.ConcurrencyLimit) seconds = Math.Max(seconds, 15);
            seconds = Math.Min(seconds, MaxDelay.TotalSeconds);
            double jitter;
            lock (_random) jitter = _random.NextDouble() * 0.5;
            return TimeSpan.FromSeconds(seconds * (1 + jitter));
        }

        /// <summary>Classifies a reply code: 4xx transient (4.3.2 concurrency), everything else permanent.</summary>
        public static SendFailureClass Classify(int replyCode, string? enhancedCode)
        {
            if (replyCode >= 400 && replyCode < 500)
                return enhancedCode != null && enhancedCode.StartsWith("4.3.2", StringComparison.Ordinal)
                    ? SendFailureClass.ConcurrencyLimit : SendFailureClass.Transient;
            return SendFailureClass.Permanent;
        }
    }
}
