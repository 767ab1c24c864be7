namespace LearnPlatform.Workflows;

/// <summary>What an activity knows about the run it works for.</summary>
public sealed class ActivityContext
{
    internal ActivityContext(Guid runId, string stepId, int attempt, Guid? tenantId, string workflowType, string workerId)
    {
        RunId = runId;
        StepId = stepId;
        Attempt = attempt;
        TenantId = tenantId;
        WorkflowType = workflowType;
        WorkerId = workerId;
    }

    public Guid RunId { get; }
    public string StepId { get; }

    /// <summary>The run's attempt, from 1. An activity may run more than once (at least once, like Temporal's).</summary>
    public int Attempt { get; }

    public Guid? TenantId { get; }
    public string WorkflowType { get; }
    public string WorkerId { get; }

    /// <summary>The same on every execution of this step: pass it to external systems so a repeated call has no second effect.</summary>
    public string IdempotencyKey => $"{RunId}:{StepId}";
}
