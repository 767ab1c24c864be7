using LearnPlatform.Api.Http;
using LearnPlatform.Api.Identity;
using LearnPlatform.Core.Data;
using LearnPlatform.Core.Grading;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace LearnPlatform.Api.Grading;

public sealed record GradingSummary(Guid PaperId, SessionCounts Sessions, IReadOnlyList<QuestionSummary> Questions, AiAgreement AiAgreement);

public sealed record SessionCounts(int Total, int InProgress, int Submitted, int Grading, int Graded, int NeedsReview);

/// <param name="AverageScore">Over the answers whose score counts (trusted automatic or human).</param>
public sealed record QuestionSummary(string QuestionId, int Graded, int NeedsReview, int Overridden, decimal? AverageScore);

/// <summary>How often a human reviewing an AI grade kept it: agreed when the human's score is within <see cref="Tolerance"/> of the question's points.</summary>
public sealed record AiAgreement(int GradedByAi, int ReviewedByHuman, int Agreed, double? Rate, decimal Tolerance);

public static class GradingSummaryApi
{
    private const decimal Tolerance = 0.1m;

    public static void MapGradingSummary(this ApiRoutes routes) =>
        routes.Authors.MapGet("/papers/{id:guid}/grading-summary", GetAsync);

    private static async Task<Results<Ok<GradingSummary>, ProblemHttpResult>> GetAsync(Guid id, Caller caller, LearnPlatformDbContext db, CancellationToken ct)
    {
        if (!await db.Papers.AnyAsync(p => p.Id == id && p.TenantId == caller.TenantId, ct))
        {
            return Problems.NotFound("The paper");
        }
        var sessions = db.Sessions.Where(s => s.PaperId == id && s.TenantId == caller.TenantId);
        var statuses = await sessions.GroupBy(s => s.Status).Select(g => new { Status = g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Status, g => g.Count, ct);
        var questions = await db.QuestionGrades
            .Where(g => sessions.Any(s => s.Id == g.SessionId))
            .GroupBy(g => g.QuestionId)
            .Select(g => new
            {
                QuestionId = g.Key,
                Graded = g.Count(x => x.OverrideScore != null || x.AutoStatus == GradeStatus.Graded),
                Overridden = g.Count(x => x.OverrideScore != null),
                Total = g.Count(),
                Average = g.Average(x => x.OverrideScore ?? (x.AutoStatus == GradeStatus.Graded ? x.AutoScore : null)),
                ByAi = g.Count(x => x.AutoSource == "ai" && x.AutoScore != null),
                Reviewed = g.Count(x => x.AutoSource == "ai" && x.AutoScore != null && x.OverrideScore != null),
                Agreed = g.Count(x => x.AutoSource == "ai" && x.AutoScore != null && x.OverrideScore != null
                    && Math.Abs(x.OverrideScore.Value - x.AutoScore.Value) <= x.MaxScore * Tolerance),
            })
            .OrderBy(q => q.QuestionId)
            .ToListAsync(ct);

        var reviewed = questions.Sum(q => q.Reviewed);
        var agreed = questions.Sum(q => q.Agreed);
        return TypedResults.Ok(new GradingSummary(
            id,
            new SessionCounts(
                statuses.Values.Sum(),
                statuses.GetValueOrDefault(SessionStatus.InProgress),
                statuses.GetValueOrDefault(SessionStatus.Submitted),
                statuses.GetValueOrDefault(SessionStatus.Grading),
                statuses.GetValueOrDefault(SessionStatus.Graded),
                statuses.GetValueOrDefault(SessionStatus.NeedsReview)),
            [.. questions.Select(q => new QuestionSummary(q.QuestionId, q.Graded, q.Total - q.Graded, q.Overridden, q.Average is { } a ? Math.Round(a, 2) : null))],
            new AiAgreement(questions.Sum(q => q.ByAi), reviewed, agreed, reviewed == 0 ? null : Math.Round((double)agreed / reviewed, 3), Tolerance)));
    }
}
