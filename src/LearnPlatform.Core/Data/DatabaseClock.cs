namespace LearnPlatform.Core.Data;

public static class DatabaseClock
{
    /// <summary>
    /// Now, at PostgreSQL's microsecond precision, so a timestamp the API returns right after saving it
    /// equals the one it returns when read back later.
    /// </summary>
    public static DateTimeOffset Now(this TimeProvider time)
    {
        var now = time.GetUtcNow();
        return now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMicrosecond));
    }
}
