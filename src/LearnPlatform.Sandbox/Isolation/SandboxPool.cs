namespace LearnPlatform.Sandbox.Isolation;

/// <summary>
/// Sandboxes started ahead of requests: <see cref="SandboxOptions.WarmRunsPerLanguage"/> per language, with the default limits
/// (the ones the API and worker ask for). Each is the whole isolated process, its harness waiting for input, and is
/// used for exactly one run; when that run ends a replacement starts in the background, one start at a time. A sandbox
/// that died, waited longer than <see cref="MaxWait"/>, or whose backend became unusable is thrown away, never
/// handed out. Other limits, and an empty pool, start a sandbox on demand. Waiting sandboxes run no program, so
/// they take no run slot: a program runs only after a request that holds a slot hands its input over.
/// </summary>
internal sealed class SandboxPool(IIsolationBackend backend, RuntimeCatalog runtimes, SandboxLauncher launcher, SandboxOptions options, ILogger<SandboxPool> logger)
    : BackgroundService
{
    /// <summary>A waiting sandbox older than this is replaced, so a runtime updated on the host reaches runs soon.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromMinutes(5);

    private static readonly TimeSpan LongestBackoff = TimeSpan.FromMinutes(1);

    private readonly Lock gate = new();
    private readonly List<SandboxedProcess> waiting = [];
    private readonly SemaphoreSlim changed = new(0);

    /// <summary>A sandbox of this shape ready for its input: a waiting one when there is one, else one started now.</summary>
    /// <exception cref="RuntimeUnavailableException">A sandbox could not be started.</exception>
    public async Task<SandboxedProcess> TakeAsync(SandboxShape shape, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            var index = waiting.FindIndex(s => s.Shape == shape && !s.HasExited && Fresh(s));
            if (index >= 0)
            {
                var sandbox = waiting[index];
                waiting.RemoveAt(index);
                return sandbox;
            }
        }
        return await StartAsync(shape, cancellationToken);
    }

    /// <summary>A sandbox started now, never one that waited.</summary>
    public async Task<SandboxedProcess> StartAsync(SandboxShape shape, CancellationToken cancellationToken) =>
        await SandboxedProcess.StartAsync(launcher, await backend.PrepareAsync(shape), backend.Name, options.OutputLimitBytes, cancellationToken);

    private static bool Fresh(SandboxedProcess sandbox) => DateTimeOffset.UtcNow - sandbox.ReadyAt < MaxWait;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.WarmRunsPerLanguage == 0)
        {
            return;
        }
        var backoff = TimeSpan.Zero;
        while (!stoppingToken.IsCancellationRequested)
        {
            await DiscardUnusableAsync();
            try
            {
                await FillAsync(stoppingToken);
                backoff = TimeSpan.Zero;
            }
            catch (Exception e) when (e is RuntimeUnavailableException or IOException or UnauthorizedAccessException)
            {
                // Requests still start their own sandbox (and say why when that fails too); readiness reports the backend.
                backoff = backoff == TimeSpan.Zero ? TimeSpan.FromSeconds(1) : TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, LongestBackoff.Ticks));
                SandboxLog.WarmStartFailed(logger, e.Message, (int)backoff.TotalSeconds);
            }
            try
            {
                await changed.WaitAsync(backoff == TimeSpan.Zero ? MaxWait / 4 : backoff, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>Starts sandboxes, one at a time, until each language has <see cref="SandboxOptions.WarmRunsPerLanguage"/> waiting.</summary>
    private async Task FillAsync(CancellationToken stoppingToken)
    {
        if (backend.Unusable() is not null)
        {
            return;
        }
        foreach (var language in runtimes.Languages)
        {
            var shape = new SandboxShape(await runtimes.GetAsync(language), SandboxOptions.DefaultTimeMs, SandboxOptions.DefaultMemoryMb);
            while (Count(shape) < options.WarmRunsPerLanguage && !stoppingToken.IsCancellationRequested)
            {
                var sandbox = await StartAsync(shape, stoppingToken);
                lock (gate)
                {
                    waiting.Add(sandbox);
                }
                // Its end wakes the loop, which replaces it: after its run (so the next start does not compete with
                // the run for CPU), or when it was killed while it waited.
                _ = sandbox.Exited.ContinueWith(_ => Signal(), TaskScheduler.Default);
            }
        }
    }

    private void Signal()
    {
        try
        {
            changed.Release();
        }
        catch (ObjectDisposedException)
        {
            // Stopped: nothing to refill.
        }
    }

    private int Count(SandboxShape shape)
    {
        lock (gate)
        {
            return waiting.Count(s => s.Shape == shape);
        }
    }

    /// <summary>Throws away waiting sandboxes that died or waited too long, and all of them when the backend became unusable.</summary>
    private async Task DiscardUnusableAsync()
    {
        var unusable = backend.Unusable() is not null;
        List<SandboxedProcess> discarded;
        lock (gate)
        {
            discarded = waiting.Where(s => unusable || s.HasExited || !Fresh(s)).ToList();
            waiting.RemoveAll(discarded.Contains);
        }
        foreach (var sandbox in discarded)
        {
            await sandbox.DisposeAsync();
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        List<SandboxedProcess> left;
        lock (gate)
        {
            left = [.. waiting];
            waiting.Clear();
        }
        await Task.WhenAll(left.Select(s => s.DisposeAsync().AsTask()));
    }

    public override void Dispose()
    {
        changed.Dispose();
        base.Dispose();
    }
}
