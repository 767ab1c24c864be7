using LearnPlatform.Core.Data;
using LearnPlatform.Workflows;
using Microsoft.EntityFrameworkCore;

namespace LearnPlatform.Core.Grading.Runs;

/// <param name="GradeAgainstVersion">The paper version whose keys and rubrics grade the answers (see <see cref="GradingPaper"/>).</param>
/// <param name="ClearOverrides">A regrade that discards human overrides; otherwise they survive.</param>
public sealed record GradeSessionInput(Guid SessionId, int GradeAgainstVersion, bool ClearOverrides = false);

public sealed record SessionDeadlineInput(Guid SessionId);

/// <summary>Starts the grading and deadline workflows inside the caller's transaction, so they exist exactly when the change commits.</summary>
public static class GradingRuns
{
    public const string GradeSession = "grade-session";
    public const string SessionDeadline = "session-deadline";

    /// <summary>
    /// Starts a grading run and makes it the session's current one: an earlier run still working is superseded and
    /// writes nothing. <paramref name="key"/> makes a repeated start harmless (one run per key).
    /// </summary>
    public static async Task<Guid> StartGradingAsync(WorkflowClient workflows, LearnPlatformDbContext db, ExamSession session, GradeSessionInput input, string key, CancellationToken ct)
    {
        var (connection, transaction) = await TenantConnectionInterceptor.TransactionAsync(db, ct);
        var start = await workflows.StartAsync(connection, transaction, GradeSession, key, input, session.TenantId, ct: ct);
        await db.Sessions.Where(s => s.Id == session.Id).ExecuteUpdateAsync(s => s.SetProperty(x => x.GradingRunId, start.RunId), ct);
        session.GradingRunId = start.RunId;
        return start.RunId;
    }

    /// <summary>The first grading of a session, when it closes.</summary>
    public static Task<Guid> StartFirstGradingAsync(WorkflowClient workflows, LearnPlatformDbContext db, ExamSession session, CancellationToken ct) =>
        StartGradingAsync(workflows, db, session, new GradeSessionInput(session.Id, session.PaperVersion), $"grade:{session.Id}", ct);

    /// <summary>The timer that submits the session at its deadline (and follows any extension).</summary>
    public static async Task ScheduleDeadlineAsync(WorkflowClient workflows, LearnPlatformDbContext db, ExamSession session, CancellationToken ct)
    {
        var (connection, transaction) = await TenantConnectionInterceptor.TransactionAsync(db, ct);
        await workflows.StartAsync(connection, transaction, SessionDeadline, $"deadline:{session.Id}", new SessionDeadlineInput(session.Id), session.TenantId, session.Deadline, ct);
    }
}
