using LearnPlatform.Core.Data;
using LearnPlatform.Core.Webhooks;
using LearnPlatform.Workflows;
using Microsoft.EntityFrameworkCore;

namespace LearnPlatform.Core.Grading.Runs;

public static class SessionCloser
{
    /// <summary>
    /// Moves an in-progress session to submitted and starts its grading run in the same transaction, saving whatever
    /// else the context holds (an audit event) with it, and the session.submitted webhook deliveries. The status check is in the UPDATE itself, so of two racing
    /// closes exactly one starts grading. Returns false when the session was no longer in progress.
    /// </summary>
    public static async Task<bool> CloseAsync(LearnPlatformDbContext db, WorkflowClient workflows, ExamSession session, DateTimeOffset now, CancellationToken ct)
    {
        var submittedAt = now < session.Deadline ? now : session.Deadline;
        await using var transaction = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        var closed = await db.Sessions
            .Where(s => s.Id == session.Id && s.Status == SessionStatus.InProgress)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.Status, SessionStatus.Submitted).SetProperty(x => x.SubmittedAt, submittedAt), ct);
        if (closed == 1)
        {
            await GradingRuns.StartFirstGradingAsync(workflows, db, session, ct);
            await db.SaveChangesAsync(ct);
            session.Status = SessionStatus.Submitted;
            session.SubmittedAt = submittedAt;
            await WebhookMessages.EnqueueAsync(workflows, db, session, WebhookEvents.SessionSubmitted, now, ct);
        }
        if (transaction is not null)
        {
            await transaction.CommitAsync(ct);
        }
        return closed == 1;
    }
}
