namespace LearnPlatform.Workflows;

/// <summary>A run this worker holds the lease on, with the checkpoints of its completed steps.</summary>
internal sealed record ClaimedRun(
    Guid Id,
    Guid? TenantId,
    string WorkflowType,
    string WorkflowKey,
    string InputJson,
    int Attempt,
    int MaxAttempts,
    string LeaseToken,
    IReadOnlyDictionary<string, string> Checkpoints);

/// <summary>One claimed run being executed, and why it may have to stop.</summary>
internal sealed class RunExecution(ClaimedRun run, CancellationToken abort) : IDisposable
{
    private readonly CancellationTokenSource cancellation = CancellationTokenSource.CreateLinkedTokenSource(abort);
    private volatile bool leaseLost;

    public ClaimedRun Run { get; } = run;
    public CancellationToken Token => cancellation.Token;
    public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public bool LeaseLost => leaseLost;
    public bool Aborted => abort.IsCancellationRequested;

    /// <summary>Its outcome is being written; a heartbeat that misses it then is not a lost lease.</summary>
    public bool Settling { get; set; }

    /// <summary>Another worker may run it now: stop, and write nothing more for it.</summary>
    public void LoseLease()
    {
        leaseLost = true;
        try
        {
            cancellation.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already finished.
        }
    }

    public void Dispose() => cancellation.Dispose();
}
