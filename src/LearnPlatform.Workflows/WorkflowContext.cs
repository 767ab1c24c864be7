using System.Collections.Concurrent;
using System.Text.Json;

namespace LearnPlatform.Workflows;

/// <summary>
/// What workflow code orchestrates with. Workflow code is re-executed from the top whenever the run is resumed
/// (after a timer, a retry or a crash), so it must be deterministic: every side effect, clock read or random
/// number belongs in a step, whose result is checkpointed the first time and replayed afterwards.
/// </summary>
public sealed class WorkflowContext
{
    private readonly RunExecution execution;
    private readonly WorkflowStore store;
    private readonly TimeProvider time;
    private readonly ConcurrentDictionary<string, string> checkpoints;
    private readonly ConcurrentDictionary<string, bool> stepsSeen = new(StringComparer.Ordinal);
    private readonly object gate = new();
    private DateTimeOffset? suspendedUntil;

    // The last step's result, not written yet: a run whose last step completes it never needs it (nothing replays a
    // completed run), so it is written only when the run goes on (the next step), or stops short of completing.
    private (string StepId, string Json)? unwritten;

    internal WorkflowContext(RunExecution execution, WorkflowStore store, TimeProvider time, string workerId)
    {
        this.execution = execution;
        this.store = store;
        this.time = time;
        WorkerId = workerId;
        checkpoints = new ConcurrentDictionary<string, string>(execution.Run.Checkpoints, StringComparer.Ordinal);
    }

    public Guid RunId => execution.Run.Id;
    public Guid? TenantId => execution.Run.TenantId;
    public string WorkflowType => execution.Run.WorkflowType;
    public string WorkflowKey => execution.Run.WorkflowKey;
    public int Attempt => execution.Run.Attempt;
    public string WorkerId { get; }

    /// <summary>Cancelled when this worker must stop the run: shutdown past its grace, or the lease lost.</summary>
    public CancellationToken CancellationToken => execution.Token;

    /// <summary>The earliest timer the code slept on that is not yet due; the run resumes then.</summary>
    internal DateTimeOffset? SuspendedUntil
    {
        get
        {
            lock (gate)
            {
                return suspendedUntil;
            }
        }
    }

    /// <summary>The step whose activity failed last, for the run's error.</summary>
    internal string? FailedStepId { get; private set; }

    /// <summary>
    /// Runs <paramref name="activity"/> once for this run and step: if the step has a checkpoint its stored result is
    /// returned without running anything; otherwise the activity runs (within its start-to-close timeout) and its result
    /// is checkpointed before anything else happens in the run (the next step, a timer, a retry). A crash in between
    /// runs it again, so an activity should be idempotent (see <see cref="ActivityContext.IdempotencyKey"/>). The last
    /// step of a run that then completes is not checkpointed at all: a completed run is never replayed.
    /// </summary>
    public async Task<T> StepAsync<T>(string stepId, Func<ActivityContext, CancellationToken, Task<T>> activity, ActivityOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(stepId);
        ArgumentNullException.ThrowIfNull(activity);
        if (stepId.Length > 200)
        {
            throw new ArgumentException("step ids are at most 200 characters", nameof(stepId));
        }
        if (!stepsSeen.TryAdd(stepId, true))
        {
            throw new NonRetryableActivityException($"step id '{stepId}' is used twice in one run; step ids must be unique");
        }
        await WriteCheckpointAsync();
        if (checkpoints.TryGetValue(stepId, out var stored))
        {
            return Deserialize<T>(stored);
        }

        options ??= ActivityOptions.Default;
        var token = execution.Token;
        token.ThrowIfCancellationRequested();
        var activityContext = new ActivityContext(RunId, stepId, Attempt, TenantId, WorkflowType, WorkerId);
        T result;
        using var span = WorkflowTelemetry.Source.StartActivity("workflow.step");
        span?.SetTag("workflow.type", WorkflowType);
        span?.SetTag("workflow.run.id", RunId);
        span?.SetTag("workflow.step.id", stepId);
        span?.SetTag("workflow.run.attempt", Attempt);
        using (var timeout = new CancellationTokenSource(options.StartToCloseTimeout, time))
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, token))
        {
            try
            {
                // WaitAsync: an activity that ignores its token still cannot hold the run past the timeout.
                result = await activity(activityContext, linked.Token).WaitAsync(linked.Token);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !token.IsCancellationRequested)
            {
                FailedStepId = stepId;
                throw ActivityTimeoutException.For(stepId, options.StartToCloseTimeout);
            }
            catch (Exception e) when (e is not NonRetryableActivityException && !token.IsCancellationRequested && options.IsNonRetryable?.Invoke(e) == true)
            {
                FailedStepId = stepId;
                throw new NonRetryableActivityException($"{e.GetType().Name}: {e.Message}", e);
            }
            catch (Exception) when (Record(stepId))
            {
                throw;
            }
        }

        var json = JsonSerializer.Serialize(result, WorkflowJson.Options);
        checkpoints[stepId] = json;
        unwritten = (stepId, json);
        // Returned as it will be stored, so the first execution sees exactly what every replay will see.
        return Deserialize<T>(json);
    }

    /// <summary>
    /// Writes the last step's checkpoint if it is not written yet. The write is fenced by the lease; if another
    /// execution of the run stored a different result for the step first, this one stops (it went on with its own) and
    /// the run is retried from the stored one.
    /// </summary>
    internal async Task WriteCheckpointAsync()
    {
        if (unwritten is not var (stepId, json))
        {
            return;
        }
        unwritten = null;
        var stored = await store.CheckpointAsync(execution.Run, stepId, json, time.GetUtcNow(), CancellationToken.None)
            ?? throw new LeaseLostException($"the lease on run {RunId} was lost before step '{stepId}' was checkpointed");
        if (stored != json && !JsonEquals(stored, json))
        {
            checkpoints[stepId] = stored;
            throw new RetryLaterException($"step '{stepId}' was checkpointed by another execution of run {RunId}; retrying from its result");
        }
    }

    private static bool JsonEquals(string a, string b) =>
        JsonElement.DeepEquals(JsonSerializer.Deserialize<JsonElement>(a), JsonSerializer.Deserialize<JsonElement>(b));

    /// <summary>A step whose activity returns nothing.</summary>
    public Task StepAsync(string stepId, Func<ActivityContext, CancellationToken, Task> activity, ActivityOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(activity);
        return StepAsync<bool>(stepId, async (context, ct) =>
        {
            await activity(context, ct);
            return true;
        }, options);
    }

    /// <summary>
    /// A durable timer: returns at once if <paramref name="until"/> has passed; otherwise the run is suspended and
    /// resumed at that time (by any worker, even after every process restarted), replaying earlier steps from their
    /// checkpoints. <paramref name="until"/> must be the same on every execution: take it from the input or a step,
    /// or use <see cref="SleepAsync"/>.
    /// </summary>
    public Task SleepUntilAsync(DateTimeOffset until)
    {
        if (until <= time.GetUtcNow())
        {
            return Task.CompletedTask;
        }
        lock (gate)
        {
            if (suspendedUntil is null || until < suspendedUntil)
            {
                suspendedUntil = until;
            }
        }
        throw new WorkflowSuspendedException($"run {RunId} sleeps until {until:O}");
    }

    /// <summary>A durable timer for a duration: its due time is checkpointed as step <c>timer:{timerId}</c> the first time.</summary>
    public async Task SleepAsync(string timerId, TimeSpan delay)
    {
        var due = await StepAsync("timer:" + timerId, (_, _) => Task.FromResult(time.GetUtcNow() + delay));
        await SleepUntilAsync(due);
    }

    private bool Record(string stepId)
    {
        FailedStepId = stepId;
        return false;
    }

    private static T Deserialize<T>(string json) => JsonSerializer.Deserialize<T>(json, WorkflowJson.Options)!;
}
