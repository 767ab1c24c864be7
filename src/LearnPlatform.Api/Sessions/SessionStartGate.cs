using System.Threading.RateLimiting;
using LearnPlatform.Api.Http;

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

    public void Dispose() => limiter.Dispose();
}

public static class SessionStartGateRoutes
{
    /// <summary>The replica's gate, from the <c>Sessions</c> section, checked when the app is built.</summary>
    public static IServiceCollection AddSessionStartGate(this IServiceCollection services, IConfiguration configuration)
    {
        var options = (configuration.GetSection(SessionStartOptions.Section).Get<SessionStartOptions>() ?? new SessionStartOptions()).Validated();
        return services.AddSingleton(_ => new SessionStartGate(options));
    }

    /// <summary>
    /// The route's handler runs only with a turn at the replica's <see cref="SessionStartGate"/>, held until it returns;
    /// past a full queue the answer is 429 with Retry-After and the handler does not run. Requests the validation
    /// filter refuses never take a turn (the group's filter runs first).
    /// </summary>
    public static RouteHandlerBuilder ThroughStartGate(this RouteHandlerBuilder route) =>
        route
            .AddEndpointFilter(async (context, next) =>
            {
                var http = context.HttpContext;
                using var turn = await http.RequestServices.GetRequiredService<SessionStartGate>().EnterAsync(http.RequestAborted);
                return turn.IsAcquired
                    ? await next(context)
                    : Problems.TooManyRequests(http.Response, SessionStartGate.RetryAfterSeconds,
                        $"Too many sessions are starting at once; try again in {SessionStartGate.RetryAfterSeconds} seconds.");
            })
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
}
