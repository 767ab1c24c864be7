using Microsoft.Extensions.Logging;

namespace LearnPlatform.Workflows;

/// <summary>The worker's log lines: run ids, types, attempts and error kinds; never inputs or step results.</summary>
internal static partial class WorkerLog
{
    [LoggerMessage(1, LogLevel.Information, "Workflow worker {WorkerId} started: {Concurrency} runs at once, lease {Lease}, types {Types}")]
    public static partial void Started(ILogger logger, string workerId, int concurrency, TimeSpan lease, string types);

    [LoggerMessage(2, LogLevel.Information, "Workflow worker {WorkerId} stopped")]
    public static partial void Stopped(ILogger logger, string workerId);

    [LoggerMessage(3, LogLevel.Warning, "Workflow worker {WorkerId} could not claim runs ({ErrorKind}); trying again")]
    public static partial void ClaimFailed(ILogger logger, string workerId, string errorKind);

    [LoggerMessage(4, LogLevel.Warning, "Workflow run {RunId} ({WorkflowType}) had an expired lease; rescued as {Status}")]
    public static partial void Rescued(ILogger logger, Guid runId, string workflowType, string status);

    [LoggerMessage(5, LogLevel.Error, "Could not record the outcome of workflow run {RunId} ({WorkflowType}) attempt {Attempt} ({ErrorKind}); its lease will expire and it will be rescued")]
    public static partial void SettleFailed(ILogger logger, Guid runId, string workflowType, int attempt, string errorKind);

    [LoggerMessage(6, LogLevel.Warning, "Workflow run {RunId} ({WorkflowType}) attempt {Attempt} stopped: worker {WorkerId} no longer holds it (lease expired or run cancelled)")]
    public static partial void LeaseLost(ILogger logger, Guid runId, string workflowType, int attempt, string workerId);

    [LoggerMessage(7, LogLevel.Debug, "Workflow run {RunId} ({WorkflowType}) sleeps until {Until}")]
    public static partial void Suspended(ILogger logger, Guid runId, string workflowType, DateTimeOffset until);

    [LoggerMessage(8, LogLevel.Information, "Workflow run {RunId} ({WorkflowType}) completed on attempt {Attempt}")]
    public static partial void Completed(ILogger logger, Guid runId, string workflowType, int attempt);

    [LoggerMessage(9, LogLevel.Information, "Workflow run {RunId} ({WorkflowType}) released on shutdown")]
    public static partial void Released(ILogger logger, Guid runId, string workflowType);

    [LoggerMessage(10, LogLevel.Error, "Workflow run {RunId} ({WorkflowType}) parked as failed on attempt {Attempt} of {MaxAttempts}: {ErrorKind} in step {StepId}")]
    public static partial void Parked(ILogger logger, Guid runId, string workflowType, int attempt, int maxAttempts, string errorKind, string? stepId);

    [LoggerMessage(11, LogLevel.Warning, "Workflow run {RunId} ({WorkflowType}) attempt {Attempt} of {MaxAttempts} failed: {ErrorKind} in step {StepId}; retrying in {Delay}")]
    public static partial void WillRetry(ILogger logger, Guid runId, string workflowType, int attempt, int maxAttempts, string errorKind, string? stepId, TimeSpan delay);

    [LoggerMessage(12, LogLevel.Warning, "Workflow worker {WorkerId} could not renew its leases ({ErrorKind})")]
    public static partial void HeartbeatFailed(ILogger logger, string workerId, string errorKind);

    [LoggerMessage(13, LogLevel.Warning, "Workflow worker {WorkerId} lost its notification connection ({ErrorKind}); polling until it reconnects")]
    public static partial void ListenFailed(ILogger logger, string workerId, string errorKind);

    [LoggerMessage(14, LogLevel.Information, "Workflow worker {WorkerId} stopping: waiting up to {Grace} for {Count} runs")]
    public static partial void Draining(ILogger logger, string workerId, TimeSpan grace, int count);

    [LoggerMessage(15, LogLevel.Warning, "Workflow worker {WorkerId} released {Count} runs whose activities did not stop")]
    public static partial void ReleasedStuck(ILogger logger, string workerId, int count);

    [LoggerMessage(16, LogLevel.Warning, "Workflow worker {WorkerId} could not release {Count} runs ({ErrorKind}); their leases will expire")]
    public static partial void ReleaseFailed(ILogger logger, string workerId, int count, string errorKind);

    [LoggerMessage(17, LogLevel.Warning, "Workflow worker {WorkerId} waits for the database schema this build expects (migrations pending); checking again in {Interval}")]
    public static partial void SchemaPending(ILogger logger, string workerId, TimeSpan interval);

    [LoggerMessage(18, LogLevel.Information, "Workflow worker {WorkerId}: the schema is current; claiming runs")]
    public static partial void SchemaCurrent(ILogger logger, string workerId);

    [LoggerMessage(19, LogLevel.Warning, "Workflow worker {WorkerId} could not check the database schema ({ErrorKind}); trying again")]
    public static partial void SchemaCheckFailed(ILogger logger, string workerId, string errorKind);
}
