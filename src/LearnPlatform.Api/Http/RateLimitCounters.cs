using System.Diagnostics;
using Npgsql;

namespace LearnPlatform.Api.Http;

/// <summary>A fixed-window counter after one more hit: the count so far and when the window ends.</summary>
public readonly record struct RateLimitHit(long Count, TimeSpan ResetsIn);

/// <summary>
/// Fixed-window counters in PostgreSQL, so a limit holds however many API replicas serve the requests.
/// One statement per check; a key's row is reused window after window, and rows idle past their window are swept.
/// </summary>
public sealed partial class RateLimitCounters(NpgsqlDataSource dataSource, RateLimitOptions options, ILogger<RateLimitCounters> logger)
{
    // The window starts at a key's first hit and lasts @window seconds; an expired row starts a new window in place.
    // The database's clock is the only one used, so replicas agree on windows whatever their own clocks say.
    private const string HitSql = """
        INSERT INTO rate_limit_counters AS c (key, window_start, expires_at, count)
        VALUES (@key, now(), now() + make_interval(secs => @window), 1)
        ON CONFLICT (key) DO UPDATE SET
            count = CASE WHEN c.expires_at <= now() THEN 1 ELSE c.count + 1 END,
            window_start = CASE WHEN c.expires_at <= now() THEN now() ELSE c.window_start END,
            expires_at = CASE WHEN c.expires_at <= now() THEN now() + make_interval(secs => @window) ELSE c.expires_at END
        RETURNING c.count, extract(epoch FROM c.expires_at - now())::float8
        """;

    // Bounded batches through the expires_at index, so a sweep never holds many row locks or runs long; the outer
    // condition is re-checked on a row another replica renewed meanwhile, which is then kept.
    private const string SweepSql = """
        DELETE FROM rate_limit_counters
        WHERE key = ANY (ARRAY(SELECT key FROM rate_limit_counters WHERE expires_at < now() ORDER BY expires_at LIMIT 1000))
          AND expires_at < now()
        """;

    private long nextSweep = Stopwatch.GetTimestamp();

    /// <summary>Counts one hit on <paramref name="key"/>; null when the database did not answer in time (the caller counts locally).</summary>
    public async Task<RateLimitHit?> HitAsync(byte[] key, int windowSeconds, CancellationToken requestAborted)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
        timeout.CancelAfter(options.CheckTimeout);
        try
        {
            await using var command = dataSource.CreateCommand(HitSql);
            command.Parameters.AddWithValue("key", key);
            command.Parameters.AddWithValue("window", (double)windowSeconds);
            await using var reader = await command.ExecuteReaderAsync(timeout.Token);
            await reader.ReadAsync(timeout.Token);
            var hit = new RateLimitHit(reader.GetInt64(0), TimeSpan.FromSeconds(Math.Max(0, reader.GetDouble(1))));
            SweepIfDue();
            return hit;
        }
        catch (Exception e) when (!requestAborted.IsCancellationRequested && e is NpgsqlException or OperationCanceledException or TimeoutException or InvalidOperationException)
        {
            LogUnavailable(logger, e.GetType().Name, e);
            return null;
        }
    }

    /// <summary>Deletes expired rows; at most one sweep per replica per interval, off the request's path.</summary>
    private void SweepIfDue()
    {
        var due = Interlocked.Read(ref nextSweep);
        if (Stopwatch.GetTimestamp() < due
            || Interlocked.CompareExchange(ref nextSweep, Stopwatch.GetTimestamp() + (long)(options.SweepInterval.TotalSeconds * Stopwatch.Frequency), due) != due)
        {
            return;
        }
        _ = Task.Run(async () =>
        {
            try
            {
                await using var command = dataSource.CreateCommand(SweepSql);
                command.CommandTimeout = 30;
                var deleted = await command.ExecuteNonQueryAsync();
                LogSwept(logger, deleted);
            }
            catch (Exception e) when (e is NpgsqlException or OperationCanceledException or TimeoutException or InvalidOperationException)
            {
                LogSweepFailed(logger, e);
            }
        });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rate-limit check failed ({Reason}); the request is counted by this replica alone (fail open to a local limit).")]
    private static partial void LogUnavailable(ILogger logger, string reason, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Rate-limit sweep deleted {Deleted} expired counters.")]
    private static partial void LogSwept(ILogger logger, int deleted);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rate-limit sweep failed; it is retried at the next interval.")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}
