using System.Diagnostics;
using System.Threading.RateLimiting;

namespace LearnPlatform.Api.Http;

/// <summary>
/// One partition's limiter (a policy for one client address or one principal), counting in PostgreSQL through
/// <see cref="RateLimitCounters"/>. When the database does not answer in time the same limit is counted in this
/// replica's memory instead: never unlimited (hammering one key until its row lock queue times out gains nothing),
/// never an outage.
/// </summary>
public sealed class PostgresRateLimiter(RateLimitCounters counters, byte[] key, int permitLimit, int windowSeconds) : RateLimiter
{
    private readonly Lazy<FixedWindowRateLimiter> local = new(() => new FixedWindowRateLimiter(new FixedWindowRateLimiterOptions
    {
        PermitLimit = permitLimit,
        Window = TimeSpan.FromSeconds(windowSeconds),
        QueueLimit = 0,
    }));

    private long lastUsed = Stopwatch.GetTimestamp();
    private int inFlight;

    // The framework drops partitions idle for a while; a dropped one costs nothing, its count is in the database.
    public override TimeSpan? IdleDuration =>
        Volatile.Read(ref inFlight) > 0 ? null : Stopwatch.GetElapsedTime(Interlocked.Read(ref lastUsed));

    public override RateLimiterStatistics? GetStatistics() => null;

    // No answer without the database: not acquired and no Retry-After, so the middleware goes on to AcquireAsync.
    protected override RateLimitLease AttemptAcquireCore(int permitCount) => Lease.Undecided;

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(permitCount, 1);
        Interlocked.Increment(ref inFlight);
        try
        {
            var hit = await counters.HitAsync(key, windowSeconds, cancellationToken);
            return hit switch
            {
                null => local.Value.AttemptAcquire(),
                { Count: var count } when count <= permitLimit => Lease.Acquired,
                { ResetsIn: var wait } => new Lease(false, wait),
            };
        }
        finally
        {
            Interlocked.Exchange(ref lastUsed, Stopwatch.GetTimestamp());
            Interlocked.Decrement(ref inFlight);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && local.IsValueCreated)
        {
            local.Value.Dispose();
        }
        base.Dispose(disposing);
    }

    private sealed class Lease(bool acquired, TimeSpan? retryAfter) : RateLimitLease
    {
        public static readonly Lease Acquired = new(true, null);
        public static readonly Lease Undecided = new(false, null);

        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = metadataName == MetadataName.RetryAfter.Name ? retryAfter : null;
            return metadata is not null;
        }
    }
}
