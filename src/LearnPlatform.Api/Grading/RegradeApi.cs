using LearnPlatform.Api.Audit;
using LearnPlatform.Api.Http;
using LearnPlatform.Api.Identity;
using LearnPlatform.Api.Papers;
using LearnPlatform.Api.Privacy;
using LearnPlatform.Core.Data;
using LearnPlatform.Core.Grading.Runs;
using LearnPlatform.Workflows;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace LearnPlatform.Api.Grading;

/// <param name="ClearOverrides">Discard human overrides too; by default they survive the regrade.</param>
public sealed record RegradeRequest(bool ClearOverrides = false);

public sealed record SessionRegradeResponse(Guid SessionId, string Status, int GradedAgainstVersion);

public sealed record PaperRegradeResponse(Guid PaperId, int Sessions, int GradedAgainstVersion);

/// <summary>
/// Grades closed sessions again, against the paper's current published version: after an author corrected a key,
/// a rubric or the points, the scores are recomputed rather than patched.
/// </summary>
public static class RegradeApi
{
    /// <summary>A regrade may grade essays with Gemini again, so it counts against the "ai" rate limit.</summary>
    public static void MapRegrades(this ApiRoutes routes)
    {
        routes.Authors.MapPost("/sessions/{id:guid}/regrade", RegradeSessionAsync).ProducesProblem(StatusCodes.Status409Conflict).RequireRateLimiting(RateLimitPolicies.Ai);
        routes.Authors.MapPost("/papers/{id:guid}/regrade", RegradePaperAsync).RequireRateLimiting(RateLimitPolicies.Ai);
    }

    private static async Task<Results<Accepted<SessionRegradeResponse>, ProblemHttpResult>> RegradeSessionAsync(
        Guid id, RegradeRequest? request, Caller caller, LearnPlatformDbContext db, WorkflowClient workflows, TimeProvider time, CancellationToken ct)
    {
        var clearOverrides = request?.ClearOverrides ?? false;
        var session = await db.Sessions.SingleOrDefaultAsync(s => s.Id == id && s.TenantId == caller.TenantId, ct);
        if (session is null)
        {
            return Problems.NotFound("The session");
        }
        if (session.Status == SessionStatus.InProgress)
        {
            return Problems.Conflict("The session is still in progress; it is graded when it is submitted.");
        }
        if (UserErasure.IsErased(session))
        {
            return Problems.Conflict("The session's candidate was erased with their answers; its grades stand as they are and cannot be made again.");
        }

        var version = await CurrentVersionAsync(db, caller, session.PaperId, ct) ?? session.PaperVersion;
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await StartAsync(db, workflows, session, version, clearOverrides, ct);
        AuditTrail.Record(db, caller, time.Now(), "session.regrade", $"session/{id}", new { graded_against_version = version, clear_overrides = clearOverrides });
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return TypedResults.Accepted(ApiRoutes.Location("sessions", id, "result"), new SessionRegradeResponse(id, SessionStatus.Grading, version));
    }

    private static async Task<Results<Accepted<PaperRegradeResponse>, ProblemHttpResult>> RegradePaperAsync(
        Guid id, RegradeRequest? request, Caller caller, LearnPlatformDbContext db, WorkflowClient workflows, TimeProvider time, CancellationToken ct)
    {
        var clearOverrides = request?.ClearOverrides ?? false;
        if (await CurrentVersionAsync(db, caller, id, ct) is not { } version)
        {
            return Problems.NotFound("The published paper");
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        // Locked so a submit racing this regrade is either regraded here or graded by its own run, never both.
        var sessions = await db.Sessions
            .FromSql($"SELECT * FROM exam_sessions WHERE paper_id = {id} AND status <> 'in_progress' FOR UPDATE")
            .Where(s => s.TenantId == caller.TenantId)
            .ToListAsync(ct);
        sessions.RemoveAll(UserErasure.IsErased);
        foreach (var session in sessions)
        {
            await StartAsync(db, workflows, session, version, clearOverrides, ct);
        }
        AuditTrail.Record(db, caller, time.Now(), "paper.regrade", $"paper/{id}",
            new { graded_against_version = version, clear_overrides = clearOverrides, sessions = sessions.Count });
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return TypedResults.Accepted(ApiRoutes.Location("papers", id, "grading-summary"), new PaperRegradeResponse(id, sessions.Count, version));
    }

    private static Task<int?> CurrentVersionAsync(LearnPlatformDbContext db, Caller caller, Guid paperId, CancellationToken ct) =>
        db.PublishedVersions(caller.TenantId).Where(v => v.PaperId == paperId).Select(v => (int?)v.Version).SingleOrDefaultAsync(ct);

    private static async Task StartAsync(LearnPlatformDbContext db, WorkflowClient workflows, ExamSession session, int version, bool clearOverrides, CancellationToken ct)
    {
        await db.Sessions.Where(s => s.Id == session.Id).ExecuteUpdateAsync(s => s.SetProperty(x => x.Status, SessionStatus.Grading), ct);
        await GradingRuns.StartGradingAsync(workflows, db, session, new GradeSessionInput(session.Id, version, clearOverrides), $"regrade:{session.Id}:{Guid.CreateVersion7()}", ct);
    }
}
