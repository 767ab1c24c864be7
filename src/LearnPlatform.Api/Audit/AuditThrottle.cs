namespace LearnPlatform.Api.Audit;

public enum ThrottleDecision
{
    /// <summary>The first event for its key in this minute: write it.</summary>
    Write,

    /// <summary>Too many distinct keys this minute: write it once per overflow key, without what made it distinct.</summary>
    WriteAggregated,

    /// <summary>Already written for its key (or its overflow key) this minute: count it, write nothing.</summary>
    Suppress,
}

/// <summary>
/// Keeps an unauthenticated caller from filling the audit table: one row per key per clock minute, and at most
/// <c>maxKeys</c> distinct keys a minute, after which events collapse into one row per overflow key. Per process:
/// each replica writes at most its own share. Suppressed events are still counted in the logs.
/// </summary>
public sealed class AuditThrottle(TimeProvider time, int maxKeys)
{
    private readonly Lock gate = new();
    private readonly HashSet<string> seen = new(StringComparer.Ordinal);
    private long minute = long.MinValue;

    public ThrottleDecision Admit(string key, string overflowKey)
    {
        lock (gate)
        {
            var current = time.GetUtcNow().ToUnixTimeSeconds() / 60;
            if (current != minute)
            {
                minute = current;
                seen.Clear();
            }
            if (seen.Contains(key))
            {
                return ThrottleDecision.Suppress;
            }
            if (seen.Count < maxKeys)
            {
                seen.Add(key);
                return ThrottleDecision.Write;
            }
            return seen.Add("\0" + overflowKey) ? ThrottleDecision.WriteAggregated : ThrottleDecision.Suppress;
        }
    }
}
