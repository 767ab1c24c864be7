using LearnPlatform.Api.Http;
using LearnPlatform.Api.Identity;
using LearnPlatform.Api.Sessions;
using LearnPlatform.Core.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace LearnPlatform.Api.Grading;

public sealed record SessionResult(string Status, decimal? Score, decimal? MaxScore, IReadOnlyList<QuestionResult>? Questions);

/// <param name="Source">Which grade counts: rules, ai or human. Authors and admins also see the automatic score beside an override.</param>
public sealed record QuestionResult(string QuestionId, decimal? Score, decimal MaxScore, string? Feedback, string? Source, decimal? AutoScore, string? OverrideReason);

public static class ResultsApi
{
    public static void MapResults(this ApiRoutes routes) =>
        routes.Callers.MapGet("/sessions/{id:guid}/result", GetAsync);

    private static async Task<Results<Ok<SessionResult>, ProblemHttpResult>> GetAsync(Guid id, Caller caller, LearnPlatformDbContext db, CancellationToken ct)
    {
        var session = await db.Sessions.VisibleTo(caller).SingleOrDefaultAsync(s => s.Id == id, ct);
        if (session is null)
        {
            return Problems.NotFound("The session");
        }
        var staff = caller.IsAuthorOrAdmin;
        if (session.Status != SessionStatus.Graded && !(staff && session.Status == SessionStatus.NeedsReview))
        {
            return TypedResults.Ok(new SessionResult(session.Status, null, null, null));
        }

        var grades = await db.QuestionGrades.Where(g => g.SessionId == id).OrderBy(g => g.QuestionId).ToListAsync(ct);
        var questions = grades.Select(g => new QuestionResult(
            g.QuestionId,
            g.EffectiveScore,
            g.MaxScore,
            g.AutoFeedback,
            g.OverrideScore is not null ? "human" : g.AutoSource,
            staff ? g.AutoScore : null,
            staff ? g.OverrideReason : null)).ToList();
        return TypedResults.Ok(new SessionResult(session.Status, session.Score, session.MaxScore, questions));
    }
}
