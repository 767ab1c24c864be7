namespace LearnPlatform.Testing;

/// <summary>
/// A clock the test moves by hand, so deadlines, expiries and timers are tested without sleeping. Thread-safe: the app
/// or engine reads it from many threads while the test moves it. Its timers are real ones (TimeProvider's default);
/// only "now" is moved.
/// </summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private long ticks = start.UtcTicks;

    /// <summary>Starts at the current whole second, like the PostgreSQL-stored times it will be compared with.</summary>
    public ManualClock() : this(DateTimeOffset.UnixEpoch.AddSeconds(Math.Floor((DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).TotalSeconds)))
    {
    }

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref ticks, by.Ticks);
}
