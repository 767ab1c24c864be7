using LearnPlatform.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace LearnPlatform.Api.Sessions;

public static class SessionSubmitter
{
    /// <summary>
    /// Moves an in-progress session to submitted and records its grading request in the same transaction.
    /// The status check is in the UPDATE itself, so of two racing submits exactly one records a request.
    /// Returns false when the session was no longer in progress.
    /// </summary>
    public static async Task<bool> CloseAsync(LearnPlatformDbContext db, ExamSession session, string reason, DateTimeOffset now, CancellationToken ct)
    {
        var submittedAt = now < session.Deadline ? now : session.Deadline;
        await using var transaction = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        var closed = await db.Sessions
            .Where(s => s.Id == session.Id && s.Status == SessionStatus.InProgress)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.Status, SessionStatus.Submitted).SetProperty(x => x.SubmittedAt, submittedAt), ct);
        if (closed == 1)
        {
            db.GradingRequests.Add(new GradingRequest { TenantId = session.TenantId, SessionId = session.Id, Reason = reason, CreatedAt = now });
            await db.SaveChangesAsync(ct);
            session.Status = SessionStatus.Submitted;
            session.SubmittedAt = submittedAt;
        }
        if (transaction is not null)
        {
            await transaction.CommitAsync(ct);
        }
        return closed == 1;
    }
}
