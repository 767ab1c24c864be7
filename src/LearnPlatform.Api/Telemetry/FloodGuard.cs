namespace LearnPlatform.Api.Telemetry;

/// <summary>
/// A token bucket over events: <see cref="RatePerSecond"/> a second sustained, with a burst of
/// <see cref="RatePerSecond"/> x <see cref="WindowSeconds"/> (a resend after a reconnect fits; a flood does not).
/// Timestamps are <see cref="TimeProvider.GetTimestamp"/> ticks, so a test clock that stands still changes nothing.
/// </summary>
public sealed class FloodGuard(long startTimestamp, long timestampFrequency)
{
    public const int RatePerSecond = 20;
    public const int WindowSeconds = 5;
    private const double Capacity = RatePerSecond * WindowSeconds;

    private double tokens = Capacity;
    private long last = startTimestamp;

    /// <summary>Takes <paramref name="events"/> tokens; false when that is more than the bucket holds (the socket closes).</summary>
    public bool TryTake(int events, long timestamp)
    {
        var elapsed = Math.Max(0, timestamp - last) / (double)timestampFrequency;
        last = Math.Max(last, timestamp);
        tokens = Math.Min(Capacity, tokens + elapsed * RatePerSecond);
        if (events > tokens)
        {
            return false;
        }
        tokens -= events;
        return true;
    }
}
