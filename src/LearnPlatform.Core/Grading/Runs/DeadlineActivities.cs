using LearnPlatform.Core.Data;
using LearnPlatform.Workflows;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace LearnPlatform.Core.Grading.Runs;

/// <summary>The side effects of <see cref="SessionDeadlineWorkflow"/>.</summary>
public sealed class DeadlineActivities(NpgsqlDataSource dataSource, WorkflowClient workflows, TimeProvider time)
{
    /// <summary>The deadline of the session if it is still in progress, else null (submitted, or gone).</summary>
    public async Task<DateTimeOffset?> OpenDeadlineAsync(ActivityContext activity, Guid sessionId, CancellationToken ct)
    {
        await using var db = DataServiceCollectionExtensions.CreateContext(dataSource, activity.TenantId);
        return await db.Sessions
            .Where(s => s.Id == sessionId && s.Status == SessionStatus.InProgress)
            .Select(s => (DateTimeOffset?)s.Deadline)
            .SingleOrDefaultAsync(ct);
    }

    /// <summary>Submits the session if its deadline has passed. False when it is still open because the deadline moved.</summary>
    public async Task<bool> CloseIfDueAsync(ActivityContext activity, Guid sessionId, CancellationToken ct)
    {
        await using var db = DataServiceCollectionExtensions.CreateContext(dataSource, activity.TenantId);
        var session = await db.Sessions.SingleOrDefaultAsync(s => s.Id == sessionId, ct);
        if (session is null || session.Status != SessionStatus.InProgress)
        {
            return true;
        }
        var now = time.Now();
        if (session.Deadline > now)
        {
            return false;
        }
        db.AuditEvents.Add(new AuditEvent
        {
            TenantId = session.TenantId,
            OccurredAt = now,
            Actor = "system",
            Action = "session.submit",
            Resource = $"session/{session.Id}",
            Outcome = "success",
            Details = """{"reason":"deadline"}""",
        });
        await SessionCloser.CloseAsync(db, workflows, session, now, ct);
        return true;
    }
}
