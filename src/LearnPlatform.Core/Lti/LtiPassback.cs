using LearnPlatform.Core.Data;
using LearnPlatform.Workflows;
using Microsoft.EntityFrameworkCore;

namespace LearnPlatform.Core.Lti;

public sealed record LtiPassbackInput(Guid SessionId);

/// <summary>
/// Grade passback: every change of a launched session's grade (grading, a regrade, a human override) starts a run in
/// the transaction of that change. The run posts the session's grade as it is when the run executes, stamped with
/// when it was graded, so runs that overtake each other still leave the platform with the latest grade.
/// </summary>
public static class LtiPassback
{
    public const string WorkflowType = "lti-passback";

    public static async Task EnqueueAsync(WorkflowClient workflows, LearnPlatformDbContext db, ExamSession session, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(workflows);
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(session);
        if (session.Status != SessionStatus.Graded
            || !await db.LtiSessionLinks.AnyAsync(l => l.SessionId == session.Id && l.LineitemUrl != null, ct))
        {
            return;
        }
        var (connection, transaction) = await TenantConnectionInterceptor.TransactionAsync(db, ct);
        await workflows.StartAsync(connection, transaction, WorkflowType, $"lti-score:{session.Id}:{Guid.CreateVersion7()}",
            new LtiPassbackInput(session.Id), session.TenantId, ct: ct);
    }
}

public sealed class LtiPassbackWorkflow(LtiPassbackActivities activities) : IWorkflow<LtiPassbackInput>
{
    public async Task RunAsync(WorkflowContext context, LtiPassbackInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        await context.StepAsync("post-score", (activity, ct) => activities.PostScoreAsync(activity, input, ct));
    }
}
