using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace LearnPlatform.Workflows;

/// <summary>
/// Claims due runs (FOR UPDATE SKIP LOCKED, a short transaction), executes them, renews their leases while they run,
/// rescues runs whose lease expired, and wakes on LISTEN/NOTIFY with polling as the fallback. Any number of workers
/// may run in any number of processes. Runs that complete are recorded in batches, in the same statement (and commit)
/// as the next claim: completions that arrive while one is being written go together into the next. On stop it claims
/// nothing more, lets in-flight runs finish within <see cref="WorkflowWorkerOptions.ShutdownGrace"/>, then cancels and
/// releases what it still holds. Logs carry run ids, types, attempts and error kinds, never inputs or step results.
/// </summary>
public sealed class WorkflowWorker : BackgroundService
{
    private static readonly TimeSpan ErrorBackoff = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MinimumWait = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan ReleaseWait = TimeSpan.FromSeconds(2);
    private const int MaxErrorLength = 500;

    private readonly NpgsqlDataSource dataSource;
    private readonly WorkflowRegistry registry;
    private readonly WorkflowWorkerOptions options;
    private readonly WorkflowStore store;
    private readonly ILogger logger;
    private readonly TimeProvider time;
    private readonly Func<CancellationToken, Task<bool>>? hostSchemaIsCurrent;
    private readonly AsyncSignal wake = new();
    private readonly ConcurrentDictionary<string, RunExecution> inFlight = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(Completion Completion, TaskCompletionSource<bool> Recorded)> completions = new();
    private readonly SemaphoreSlim completing = new(1, 1);
    private volatile bool claiming = true;
    private readonly TaskCompletionSource listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource claimingStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource abort = new();

    /// <param name="dataSource">The application role's data source; the worker's commands turn on app.workflow_engine.</param>
    /// <param name="time">The engine's clock for every time it writes or compares (due times, leases); see docs/adr/ADR-003.</param>
    /// <param name="hostSchemaIsCurrent">
    /// Whether the host's own migrations are applied. The worker claims nothing until this and the engine's schema
    /// (<see cref="WorkflowSchema.IsCurrentAsync"/>) are current, so new code never runs on an old schema.
    /// </param>
    public WorkflowWorker(
        NpgsqlDataSource dataSource,
        WorkflowRegistry registry,
        WorkflowWorkerOptions? options = null,
        ILogger<WorkflowWorker>? logger = null,
        TimeProvider? time = null,
        Func<CancellationToken, Task<bool>>? hostSchemaIsCurrent = null)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(registry);
        this.dataSource = dataSource;
        this.registry = registry;
        this.options = options ?? new WorkflowWorkerOptions();
        this.options.Validate();
        this.logger = (ILogger?)logger ?? NullLogger.Instance;
        this.time = time ?? TimeProvider.System;
        this.hostSchemaIsCurrent = hostSchemaIsCurrent;
        store = new WorkflowStore(dataSource);
        WorkerId = this.options.WorkerId ?? $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..6]}";
    }

    public string WorkerId { get; }

    /// <summary>Completes once the worker listens for notifications (readiness).</summary>
    public Task Listening => listening.Task;

    public int RunsInFlight => inFlight.Count;

    /// <summary>Completes once the schema is current and the worker claims runs.</summary>
    public Task Claiming => claimingStarted.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var types = registry.Types.ToArray();
        if (types.Length == 0)
        {
            throw new InvalidOperationException("The workflow registry is empty; register workflow types before starting a worker.");
        }
        WorkerLog.Started(logger, WorkerId, options.Concurrency, options.LeaseDuration, string.Join(", ", types));

        using var background = new CancellationTokenSource();
        var listener = Task.Run(() => ListenAsync(background.Token), CancellationToken.None);
        var heartbeat = Task.Run(() => HeartbeatAsync(background.Token), CancellationToken.None);
        try
        {
            if (await WaitForSchemaAsync(stoppingToken))
            {
                claimingStarted.TrySetResult();
                await ClaimLoopAsync(types, stoppingToken);
            }
        }
        finally
        {
            claiming = false;
            await CompleteQueuedAsync();
            await DrainAsync();
            await background.CancelAsync();
            await Task.WhenAll(listener, heartbeat);
            WorkerLog.Stopped(logger, WorkerId);
        }
    }

    public override void Dispose()
    {
        abort.Dispose();
        completing.Dispose();
        base.Dispose();
    }

    /// <summary>Polls until the database has the schema this build expects; false when stopped first.</summary>
    private async Task<bool> WaitForSchemaAsync(CancellationToken stoppingToken)
    {
        var waiting = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await WorkflowSchema.IsCurrentAsync(dataSource, stoppingToken)
                    && (hostSchemaIsCurrent is null || await hostSchemaIsCurrent(stoppingToken)))
                {
                    if (waiting)
                    {
                        WorkerLog.SchemaCurrent(logger, WorkerId);
                    }
                    return true;
                }
                WorkerLog.SchemaPending(logger, WorkerId, options.SchemaCheckInterval);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return false;
            }
            catch (Exception e) when (IsNotCancellation(e))
            {
                WorkerLog.SchemaCheckFailed(logger, WorkerId, e.GetType().Name);
            }
            waiting = true;
            try
            {
                await Task.Delay(options.SchemaCheckInterval, time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return false;
            }
        }
        return false;
    }

    private async Task ClaimLoopAsync(string[] types, CancellationToken stoppingToken)
    {
        var nextRescue = time.GetUtcNow();
        var done = new List<(Completion Completion, TaskCompletionSource<bool> Recorded)>();
        await using var claims = new ClaimConnection(dataSource);
        while (!stoppingToken.IsCancellationRequested)
        {
            await GatherCompletionsAsync(done, stoppingToken);
            var wait = options.PollInterval;
            // The runs completed by this statement leave their slots to the runs it claims.
            var free = options.Concurrency - inFlight.Count + done.Count;
            var now = time.GetUtcNow();
            var rescue = now >= nextRescue;
            if (free > 0 || rescue || done.Count > 0)
            {
                ClaimResult claimed;
                try
                {
                    claimed = await WorkflowStore.ClaimAsync(claims, WorkerId, types, Math.Max(free, 0), now, options.LeaseDuration, rescue, [.. done.Select(d => d.Completion)], stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    Requeue(done);
                    return;
                }
                catch (Exception e) when (IsNotCancellation(e))
                {
                    WorkerLog.ClaimFailed(logger, WorkerId, e.GetType().Name);
                    await WaitAsync(ErrorBackoff, stoppingToken);
                    continue;
                }

                foreach (var (completion, recorded) in done)
                {
                    inFlight.TryRemove(completion.LeaseToken, out _);
                    recorded.TrySetResult(claimed.Completed.Contains(completion.LeaseToken));
                }
                done.Clear();
                if (rescue)
                {
                    nextRescue = now + options.RescueInterval;
                }
                foreach (var rescued in claimed.Rescued)
                {
                    WorkerLog.Rescued(logger, rescued.Id, rescued.WorkflowType, rescued.Status);
                }
                foreach (var run in claimed.Runs)
                {
                    Start(run);
                }
                if (free > 0 && claimed.Runs.Count == free)
                {
                    continue; // There may be more.
                }
                if (claimed.NextDue is { } due)
                {
                    wait = Min(wait, Max(due - now, MinimumWait));
                }
            }
            wait = Min(wait, Max(nextRescue - now, MinimumWait));
            if (!await WaitAsync(wait, stoppingToken))
            {
                return;
            }
        }
    }

    /// <summary>
    /// Takes the completions waiting; while other runs are still executing, waits a moment (at most
    /// <see cref="WorkflowWorkerOptions.CompletionWindow"/>, on the real clock) for theirs too, so that one commit records
    /// many. Runs that finish together (short activities) are then completed and replaced in one statement.
    /// </summary>
    private async Task GatherCompletionsAsync(List<(Completion Completion, TaskCompletionSource<bool> Recorded)> done, CancellationToken stoppingToken)
    {
        Take();
        if (done.Count == 0)
        {
            return;
        }
        var window = Stopwatch.StartNew();
        while (done.Count < inFlight.Count && window.Elapsed < options.CompletionWindow && !stoppingToken.IsCancellationRequested)
        {
            try
            {
                await wake.WaitAsync(options.CompletionWindow - window.Elapsed, TimeProvider.System, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            Take();
        }

        void Take()
        {
            while (completions.TryDequeue(out var completion))
            {
                done.Add(completion);
            }
        }
    }

    private async Task<bool> WaitAsync(TimeSpan wait, CancellationToken stoppingToken)
    {
        try
        {
            await wake.WaitAsync(wait, time, stoppingToken);
            return true;
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private void Start(ClaimedRun run)
    {
        var execution = new RunExecution(run, abort.Token);
        inFlight[run.LeaseToken] = execution;
        _ = Task.Run(() => ExecuteRunAsync(execution), CancellationToken.None);
    }

    private async Task ExecuteRunAsync(RunExecution execution)
    {
        var run = execution.Run;
        using var span = WorkflowTelemetry.Source.StartActivity("workflow.run " + run.WorkflowType);
        span?.SetTag("workflow.type", run.WorkflowType);
        span?.SetTag("workflow.run.id", run.Id);
        span?.SetTag("workflow.run.attempt", run.Attempt);
        var started = time.GetTimestamp();
        var outcome = "settle_failed";
        try
        {
            var definition = registry.Get(run.WorkflowType);
            var context = new WorkflowContext(execution, store, time, WorkerId);
            Exception? failure = null;
            try
            {
                await definition.Run(context, run.InputJson);
            }
            catch (Exception e)
            {
                failure = e;
            }
            execution.Settling = true;
            outcome = await SettleAsync(execution, definition, context, failure);
        }
        catch (Exception e) when (IsNotCancellation(e))
        {
            WorkerLog.SettleFailed(logger, run.Id, run.WorkflowType, run.Attempt, e.GetType().Name);
        }
        finally
        {
            span?.SetTag("workflow.outcome", outcome);
            WorkflowTelemetry.RunDuration.Record(time.GetElapsedTime(started).TotalSeconds, WorkflowTelemetry.Tags(run.WorkflowType, outcome));
            inFlight.TryRemove(run.LeaseToken, out _);
            execution.Done.TrySetResult();
            execution.Dispose();
            wake.Set();
        }
    }

    /// <returns>The outcome, for the run's span and duration metric.</returns>
    private async Task<string> SettleAsync(RunExecution execution, WorkflowDefinition definition, WorkflowContext context, Exception? failure)
    {
        var run = execution.Run;
        if (execution.LeaseLost || failure is LeaseLostException)
        {
            WorkerLog.LeaseLost(logger, run.Id, run.WorkflowType, run.Attempt, WorkerId);
            WorkflowTelemetry.LeaseLosses.Add(1, WorkflowTelemetry.Tags(run.WorkflowType));
            return "lease_lost";
        }

        var suspended = context.SuspendedUntil is not null && failure is null or WorkflowSuspendedException;
        if (failure is null && !suspended)
        {
            if (await CompleteAsync(new Completion(run.Id, run.LeaseToken)))
            {
                WorkerLog.Completed(logger, run.Id, run.WorkflowType, run.Attempt);
            }
            return "completed";
        }

        // The run goes on later (a timer, a retry, another worker): the last step's result must be there for its replay.
        try
        {
            await context.WriteCheckpointAsync();
        }
        catch (LeaseLostException)
        {
            WorkerLog.LeaseLost(logger, run.Id, run.WorkflowType, run.Attempt, WorkerId);
            WorkflowTelemetry.LeaseLosses.Add(1, WorkflowTelemetry.Tags(run.WorkflowType));
            return "lease_lost";
        }
        catch (RetryLaterException e)
        {
            (failure, suspended) = (e, false);
        }

        var now = time.GetUtcNow();
        if (suspended && context.SuspendedUntil is { } until)
        {
            if (await store.RescheduleAsync(run, until, now, CancellationToken.None))
            {
                WorkerLog.Suspended(logger, run.Id, run.WorkflowType, until);
            }
            return "suspended";
        }
        failure ??= new InvalidOperationException("the run neither completed nor failed");

        if (execution.Aborted)
        {
            if (await store.RescheduleAsync(run, now, now, CancellationToken.None))
            {
                WorkerLog.Released(logger, run.Id, run.WorkflowType);
            }
            return "released";
        }

        var error = Describe(failure, context.FailedStepId);
        var errorKind = failure.GetType().Name;
        var retryable = failure is not (NonRetryableActivityException or WorkflowInputException);
        if (!retryable || run.Attempt >= run.MaxAttempts)
        {
            if (await store.ParkAsync(run, error, now, CancellationToken.None))
            {
                WorkerLog.Parked(logger, run.Id, run.WorkflowType, run.Attempt, run.MaxAttempts, errorKind, context.FailedStepId);
                WorkflowTelemetry.Parked.Add(1, WorkflowTelemetry.Tags(run.WorkflowType));
            }
            return "parked";
        }

        var delay = definition.Options.Retry.DelayAfter(run.Attempt, Random.Shared.NextDouble());
        if (failure is RetryLaterException { RetryAfter: var hint } && hint > delay)
        {
            delay = hint;
        }
        if (await store.RetryLaterAsync(run, now + delay, error, now, CancellationToken.None))
        {
            WorkerLog.WillRetry(logger, run.Id, run.WorkflowType, run.Attempt, run.MaxAttempts, errorKind, context.FailedStepId, delay);
            WorkflowTelemetry.Retries.Add(1, WorkflowTelemetry.Tags(run.WorkflowType));
        }
        return "retry";
    }

    /// <summary>
    /// Records a completed run: handed to the claim loop, which writes it with its next claim (and any other completions
    /// waiting by then) in one statement; once the loop has stopped, on its own. True if this worker still held the run.
    /// </summary>
    private async Task<bool> CompleteAsync(Completion completion)
    {
        var recorded = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        completions.Enqueue((completion, recorded));
        if (claiming)
        {
            wake.Set();
        }
        else
        {
            await CompleteQueuedAsync();
        }
        return await recorded.Task;
    }

    /// <summary>Writes the completions still queued, without claiming (the loop has stopped).</summary>
    private async Task CompleteQueuedAsync()
    {
        await completing.WaitAsync(CancellationToken.None);
        try
        {
            var queued = new List<(Completion Completion, TaskCompletionSource<bool> Recorded)>();
            while (completions.TryDequeue(out var item))
            {
                queued.Add(item);
            }
            if (queued.Count == 0)
            {
                return;
            }
            IReadOnlySet<string> completed;
            try
            {
                completed = await store.CompleteAsync([.. queued.Select(q => q.Completion)], time.GetUtcNow(), CancellationToken.None);
            }
            catch (Exception e) when (IsNotCancellation(e))
            {
                // Not recorded: their leases expire and the runs are rescued, to run again (at least once).
                WorkerLog.SettleFailed(logger, queued[0].Completion.RunId, "(completions)", 0, e.GetType().Name);
                completed = new HashSet<string>();
            }
            foreach (var (completion, recorded) in queued)
            {
                recorded.TrySetResult(completed.Contains(completion.LeaseToken));
            }
        }
        finally
        {
            completing.Release();
        }
    }

    private void Requeue(List<(Completion Completion, TaskCompletionSource<bool> Recorded)> done)
    {
        foreach (var item in done)
        {
            completions.Enqueue(item);
        }
        done.Clear();
    }

    private async Task HeartbeatAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(options.Heartbeat, time);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                var tokens = inFlight.Keys.ToArray();
                if (tokens.Length == 0)
                {
                    continue;
                }
                try
                {
                    var renewed = await store.HeartbeatAsync(tokens, time.GetUtcNow(), options.LeaseDuration, ct);
                    foreach (var token in tokens.Where(t => !renewed.Contains(t)))
                    {
                        if (inFlight.TryGetValue(token, out var execution) && !execution.Settling)
                        {
                            WorkerLog.LeaseLost(logger, execution.Run.Id, execution.Run.WorkflowType, execution.Run.Attempt, WorkerId);
                            execution.LoseLease();
                        }
                    }
                }
                catch (Exception e) when (IsNotCancellation(e) && !ct.IsCancellationRequested)
                {
                    WorkerLog.HeartbeatFailed(logger, WorkerId, e.GetType().Name);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task ListenAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(ct);
                connection.Notification += (_, _) => wake.Set();
                await using (var listen = new NpgsqlCommand($"LISTEN {EngineSql.Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(ct);
                }
                wake.Set(); // Whatever was committed while this worker was not listening.
                listening.TrySetResult();
                while (true)
                {
                    await connection.WaitAsync(ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (IsNotCancellation(e))
            {
                WorkerLog.ListenFailed(logger, WorkerId, e.GetType().Name);
                try
                {
                    await Task.Delay(ErrorBackoff, time, ct);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task DrainAsync()
    {
        var running = inFlight.Values.Select(e => e.Done.Task).ToArray();
        if (running.Length > 0)
        {
            WorkerLog.Draining(logger, WorkerId, options.ShutdownGrace, running.Length);
            if (!await WaitAllAsync(running, options.ShutdownGrace))
            {
                // Each execution sees the cancellation and releases its run itself.
                await abort.CancelAsync();
                await WaitAllAsync(inFlight.Values.Select(e => e.Done.Task).ToArray(), ReleaseWait);
            }
        }

        // Activities that ignore cancellation: stop them writing, and give their runs back.
        var stuck = inFlight.ToArray();
        if (stuck.Length == 0)
        {
            return;
        }
        foreach (var (_, execution) in stuck)
        {
            execution.LoseLease();
        }
        try
        {
            var released = await store.ReleaseAsync([.. stuck.Select(s => s.Key)], time.GetUtcNow(), CancellationToken.None);
            WorkerLog.ReleasedStuck(logger, WorkerId, released);
        }
        catch (Exception e) when (IsNotCancellation(e))
        {
            WorkerLog.ReleaseFailed(logger, WorkerId, stuck.Length, e.GetType().Name);
        }
    }

    private async Task<bool> WaitAllAsync(Task[] tasks, TimeSpan timeout)
    {
        try
        {
            await Task.WhenAll(tasks).WaitAsync(timeout, time);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>The error kept on the run: the step, the exception's type and message, shortened.</summary>
    internal static string Describe(Exception failure, string? stepId)
    {
        var message = failure is PostgresException postgres ? $"{postgres.SqlState}: {postgres.MessageText}" : failure.Message;
        var text = (stepId is null ? "" : $"step '{stepId}': ") + $"{failure.GetType().Name}: {message}";
        return text.Length <= MaxErrorLength ? text : text[..(MaxErrorLength - 3)] + "...";
    }

    /// <summary>Anything but our own cancellation: the worker logs it and carries on (database down, pool exhausted, ...).</summary>
    private static bool IsNotCancellation(Exception e) => e is not OperationCanceledException || e is TaskCanceledException { InnerException: TimeoutException };

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
