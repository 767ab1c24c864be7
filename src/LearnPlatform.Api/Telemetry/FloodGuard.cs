namespace LearnPlatform.Api.Telemetry;

/// <summary>
/// A token bucket over events: <paramref name="ratePerSecond"/> a second sustained, with a burst of
/// <see cref="WindowSeconds"/> seconds' worth (a resend after a reconnect fits; a flood does not).
/// Timestamps are <see cref="TimeProvider.GetTimestamp"/> ticks, so a test clock that stands still changes nothing.
/// </summary>
public sealed class FloodGuard(int ratePerSecond, long startTimestamp, long timestampFrequency)
{
    public const int WindowSeconds = 5;

    private readonly double capacity = (double)ratePerSecond * WindowSeconds;
    private double tokens = (double)ratePerSecond * WindowSeconds;
    private long last = startTimestamp;

    /// <summary>Takes <paramref name="events"/> tokens; false when that is more than the bucket holds (the socket closes).</summary>
    public bool TryTake(int events, long timestamp)
    {
        var elapsed = Math.Max(0, timestamp - last) / (double)timestampFrequency;
        last = Math.Max(last, timestamp);
        tokens = Math.Min(capacity, tokens + elapsed * ratePerSecond);
        if (events > tokens)
        {
            return false;
        }
        tokens -= events;
        return true;
    }
}
