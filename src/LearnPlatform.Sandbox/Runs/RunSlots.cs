using System.Threading.RateLimiting;

namespace LearnPlatform.Sandbox.Runs;

/// <summary>At most <see cref="SandboxOptions.MaxConcurrentRuns"/> runs at once; up to <see cref="SandboxOptions.QueueLimit"/> more wait, oldest first.</summary>
internal sealed class RunSlots(SandboxOptions options) : IDisposable
{
    private readonly ConcurrencyLimiter limiter = new(new ConcurrencyLimiterOptions
    {
        PermitLimit = options.MaxConcurrentRuns,
        QueueLimit = options.QueueLimit,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
    });

    /// <summary>A lease to dispose when the run ends; not acquired when the queue is full.</summary>
    public ValueTask<RateLimitLease> AcquireAsync(CancellationToken cancellationToken) => limiter.AcquireAsync(1, cancellationToken);

    public void Dispose() => limiter.Dispose();
}
