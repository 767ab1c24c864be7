using LearnPlatform.Api.Telemetry;

namespace LearnPlatform.UnitTests.Telemetry;

public sealed class FloodGuardTests
{
    private const long Frequency = 1000; // timestamps in milliseconds

    [Fact]
    public void BurstOfFiveSecondsWorthIsAllowedAndOneMoreIsNot()
    {
        var guard = new FloodGuard(20, 0, Frequency);

        Assert.True(guard.TryTake(50, 0));
        Assert.True(guard.TryTake(50, 0));
        Assert.False(guard.TryTake(1, 0));
    }

    [Fact]
    public void TwentyASecondCanGoOnForever()
    {
        var guard = new FloodGuard(20, 0, Frequency);

        for (var second = 1; second <= 600; second++)
        {
            Assert.True(guard.TryTake(20, second * Frequency));
        }
    }

    [Fact]
    public void TwentyFiveASecondIsCaughtInSeventeenSeconds()
    {
        var guard = new FloodGuard(20, 0, Frequency);
        var second = 0;

        // Full at 100 (the refill of the first second is capped), then 5 a second short: 105 - 5k tokens before the
        // k-th take of 25, too few at k = 17.
        while (guard.TryTake(25, ++second * Frequency))
        {
        }

        Assert.Equal(17, second);
    }

    [Fact]
    public void BucketRefillsButNeverAboveTheBurst()
    {
        var guard = new FloodGuard(20, 0, Frequency);
        Assert.True(guard.TryTake(100, 0));

        Assert.True(guard.TryTake(100, 3600 * Frequency));
        Assert.False(guard.TryTake(1, 3600 * Frequency));
    }

    [Fact]
    public void ClockGoingBackwardsAddsNothing()
    {
        var guard = new FloodGuard(20, 10 * Frequency, Frequency);
        Assert.True(guard.TryTake(100, 10 * Frequency));

        Assert.False(guard.TryTake(1, 5 * Frequency));
    }
}
