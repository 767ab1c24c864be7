using System.Threading.RateLimiting;
using LearnPlatform.Api.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LearnPlatform.Api.Sessions;

/// <summary>Configuration section <c>Sessions</c>.</summary>
public sealed class SessionStartOptions
{
    public const string Section = "Sessions";

    /// <summary>Session starts (a candidate's or a guest's) that run at once on one replica (<c>Sessions__ConcurrentStarts</c>).</summary>
    public int ConcurrentStarts { get; set; } = 8;

    /// <summary>Starts that may wait for their turn on one replica before more are refused with 429 (<c>Sessions__QueuedStarts</c>).</summary>
    public int QueuedStarts { get; set; } = 5000;

    public SessionStartOptions Validated() =>
        ConcurrentStarts is < 1 or > 1024 ? throw new StartupException("Sessions:ConcurrentStarts must be between 1 and 1024.")
        : QueuedStarts is < 0 or > 1_000_000 ? throw new StartupException("Sessions:QueuedStarts must be between 0 and 1000000.")
        : this;
}

/// <summary>
/// Lets a few session starts run at once and queues the rest in arrival order. A class that presses Start together
/// would otherwise take every pooled connection and every CPU slice at the same moment, and the autosaves of those
/// already writing would wait behind hundreds of starts; through the gate they wait behind a handful. A start costs
/// the same CPU either way, so the class is started no later.
/// </summary>
public sealed class SessionStartGate(SessionStartOptions options) : IDisposable
{
    /// <summary>What a refused start is told to wait: the queue is full, so this replica is minutes behind at worst.</summary>
    public const int RetryAfterSeconds = 5;

    private readonly ConcurrencyLimiter limiter = new(new ConcurrencyLimiterOptions
    {
        PermitLimit = options.ConcurrentStarts,
        QueueLimit = options.QueuedStarts,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
    });

    /// <summary>Waits for a turn; a lease that is not acquired means the queue is full (answer 429).</summary>
    public ValueTask<RateLimitLease> EnterAsync(CancellationToken ct) => limiter.AcquireAsync(1, ct);

    /// <summary>Starts waiting for their turn on this replica now.</summary>
    public long Waiting => limiter.GetStatistics()?.CurrentQueuedCount ?? 0;

    public static ProblemHttpResult Refused(HttpResponse response) =>
        Problems.TooManyRequests(response, RetryAfterSeconds, $"Too many sessions are starting at once; try again in {RetryAfterSeconds} seconds.");

    public void Dispose() => limiter.Dispose();
}
