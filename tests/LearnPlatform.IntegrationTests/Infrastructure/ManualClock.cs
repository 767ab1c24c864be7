namespace LearnPlatform.IntegrationTests.Infrastructure;

/// <summary>A clock the test moves by hand, so deadlines and expiries are tested without sleeping.</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset now = start;

    public ManualClock() : this(DateTimeOffset.UnixEpoch.AddSeconds(Math.Floor((DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).TotalSeconds)))
    {
    }

    public override DateTimeOffset GetUtcNow() => now;

    public void Advance(TimeSpan by) => now += by;
}
