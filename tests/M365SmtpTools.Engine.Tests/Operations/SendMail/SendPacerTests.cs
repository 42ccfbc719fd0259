using M365SmtpTools.Engine.Operations;
using M365SmtpTools.Engine.Tests.Infrastructure;

namespace M365SmtpTools.Engine.Tests.Operations.SendMail;

public sealed class SendPacerTests
{
    [Fact]
    public async Task TwoHundredMessagesNeverExceedThirtyInAnySixtySeconds()
    {
        var clock = new FakeClock();
        var pacer = new SendPacer(clock, messagesPerMinute: 30, recipientsPerDay: 10_000);
        var sentAt = new List<DateTimeOffset>();
        for (int i = 0; i < 200; i++)
        {
            await pacer.WaitForSlotAsync(1, null, CancellationToken.None);
            sentAt.Add(clock.UtcNow);
            clock.Advance(TimeSpan.FromMilliseconds(50)); // the send itself
        }
        for (int i = 0; i < sentAt.Count; i++)
            Assert.True(sentAt.Count(t => t >= sentAt[i] && t < sentAt[i] + TimeSpan.FromMinutes(1)) <= 30,
                $"more than 30 messages in the minute from message {i}");
        // The first 30 go at once; the batch then takes about 6 minutes, not 200 x 2 s.
        Assert.Equal(sentAt[0], sentAt[29] - TimeSpan.FromMilliseconds(50 * 29));
        Assert.InRange(sentAt[^1] - sentAt[0], TimeSpan.FromMinutes(6), TimeSpan.FromMinutes(7));
        Assert.True(pacer.TotalWait > TimeSpan.FromMinutes(5));
    }

    [Fact]
    public async Task TheWaitIsReportedAsACountdownBeforeEachSecondOfIt()
    {
        var clock = new FakeClock();
        var pacer = new SendPacer(clock, 2, null);
        var reported = new List<TimeSpan>();
        for (int i = 0; i < 2; i++) await pacer.WaitForSlotAsync(1, reported.Add, CancellationToken.None);
        clock.Advance(TimeSpan.FromMilliseconds(500));
        TimeSpan waited = await pacer.WaitForSlotAsync(1, reported.Add, CancellationToken.None);
        // 59.5 s left: told 59.5, 58.5, ... 0.5 s before each step of a second, the last step the half second left.
        Assert.Equal(Enumerable.Range(0, 60).Select(i => TimeSpan.FromSeconds(59.5 - i)), reported);
        Assert.Equal(Enumerable.Repeat(TimeSpan.FromSeconds(1), 59).Append(TimeSpan.FromSeconds(0.5)), clock.Waits);
        Assert.Equal(TimeSpan.FromSeconds(59.5), waited);
        Assert.Equal(TimeSpan.FromSeconds(59.5), pacer.TotalWait);
    }

    [Fact]
    public async Task TheEstimateCountsWhatStillFitsTheMinuteAsFreeAndTheRestAtTheLimit()
    {
        var pacer = new SendPacer(new FakeClock(), 30, null);
        Assert.Equal(TimeSpan.Zero, pacer.EstimateWait(30));
        Assert.Equal(TimeSpan.FromSeconds(20), pacer.EstimateWait(40));
        for (int i = 0; i < 25; i++) await pacer.WaitForSlotAsync(1, null, CancellationToken.None);
        Assert.Equal(TimeSpan.Zero, pacer.EstimateWait(5));
        Assert.Equal(TimeSpan.FromSeconds(10), pacer.EstimateWait(10));
        Assert.Equal(TimeSpan.Zero, new SendPacer(new FakeClock(), null, 10_000).EstimateWait(1_000));
    }

    [Fact]
    public async Task TheDailyRecipientBudgetStopsTheBatchInsteadOfWaitingADay()
    {
        var pacer = new SendPacer(new FakeClock(), null, recipientsPerDay: 100);
        await pacer.WaitForSlotAsync(60, null, CancellationToken.None);
        var e = await Assert.ThrowsAsync<M365SmtpException>(() => pacer.WaitForSlotAsync(41, null, CancellationToken.None));
        Assert.Equal("DailyRecipientLimitReached", e.ErrorId);
        Assert.Equal(ErrorKind.LimitsExceeded, e.Kind);
        await pacer.WaitForSlotAsync(40, null, CancellationToken.None); // exactly the budget still fits
    }

    [Fact]
    public async Task OneMessageOverTheDailyLimitIsRefused()
    {
        var pacer = new SendPacer(new FakeClock(), 30, 10_000);
        var e = await Assert.ThrowsAsync<M365SmtpException>(() => pacer.WaitForSlotAsync(10_001, null, CancellationToken.None));
        Assert.Equal("RecipientLimitExceeded", e.ErrorId);
    }

    [Fact]
    public async Task CancellationDuringAPacingWaitStops()
    {
        var pacer = new SendPacer(new FakeClock(), 1, null);
        await pacer.WaitForSlotAsync(1, null, CancellationToken.None);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pacer.WaitForSlotAsync(1, null, cts.Token));
    }
}

public sealed class RetryPolicyTests
{
    [Theory]
    [InlineData(SendFailureClass.Transient, true)]
    [InlineData(SendFailureClass.ConcurrencyLimit, true)]
    [InlineData(SendFailureClass.ConnectionLost, true)]
    [InlineData(SendFailureClass.DeliveryUnknown, false)]
    [InlineData(SendFailureClass.Permanent, false)]
    public void RetriesByFailureClass(SendFailureClass failure, bool retried)
    {
        var policy = new RetryPolicy(maxRetry: 3);
        Assert.Equal(retried, policy.ShouldRetry(failure, 1));
        Assert.False(policy.ShouldRetry(failure, 4)); // never past MaxRetry
    }

    [Fact]
    public void UnknownDeliveryIsRetriedOnlyWhenTheCallerAcceptsDuplicates()
    {
        Assert.True(new RetryPolicy(3, retryUnknown: true).ShouldRetry(SendFailureClass.DeliveryUnknown, 1));
    }

    [Fact]
    public void BackoffGrowsExponentiallyWithBoundedJitter()
    {
        // A base and a cap other than the defaults (2 s, 2 min), and attempts past the cap: 3, 6, 12, then 20 s.
        var policy = new RetryPolicy(5, baseDelay: TimeSpan.FromSeconds(3), maxDelay: TimeSpan.FromSeconds(20), seed: 42);
        for (int attempt = 1; attempt <= 5; attempt++)
        {
            double expected = Math.Min(3 * Math.Pow(2, attempt - 1), 20);
            Assert.InRange(policy.BackoffFor(SendFailureClass.Transient, attempt).TotalSeconds, expected, expected * 1.5);
        }
        Assert.InRange(policy.BackoffFor(SendFailureClass.ConcurrencyLimit, 1).TotalSeconds, 15, 22.5);
        var defaults = new RetryPolicy(5, seed: 42);
        Assert.InRange(defaults.BackoffFor(SendFailureClass.Transient, 1).TotalSeconds, 2, 3);
        Assert.InRange(defaults.BackoffFor(SendFailureClass.Transient, 8).TotalSeconds, 120, 180);
    }

    [Theory]
    [InlineData(421, "4.4.2", SendFailureClass.Transient)]
    [InlineData(432, "4.3.2", SendFailureClass.ConcurrencyLimit)]
    [InlineData(451, null, SendFailureClass.Transient)]
    [InlineData(550, "5.7.60", SendFailureClass.Permanent)]
    [InlineData(554, "5.2.0", SendFailureClass.Permanent)]
    // The edges of the 4xx class (RFC 5321 4.2.1: the first digit decides): 400 and 499 are transient, 399 and 500 not.
    [InlineData(400, null, SendFailureClass.Transient)]
    [InlineData(499, null, SendFailureClass.Transient)]
    [InlineData(500, null, SendFailureClass.Permanent)]
    [InlineData(354, null, SendFailureClass.Permanent)]
    // Only 4.3.2 itself is the concurrency limit; another 4.3.x is an ordinary transient failure.
    [InlineData(451, "4.3.0", SendFailureClass.Transient)]
    public void RepliesAreClassified(int code, string? enhanced, SendFailureClass expected) =>
        Assert.Equal(expected, RetryPolicy.Classify(code, enhanced));
}
