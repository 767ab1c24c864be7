using FluentValidation;
using LearnPlatform.Api.Audit;
using LearnPlatform.Api.Http;
using LearnPlatform.Api.Identity;
using LearnPlatform.Core.Data;
using LearnPlatform.Core.Grading.Runs;
using LearnPlatform.Workflows;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace LearnPlatform.Api.Grading;

public sealed record GradeOverrideRequest(decimal? Score, string? Reason);

public sealed class GradeOverrideRequestValidator : AbstractValidator<GradeOverrideRequest>
{
    public GradeOverrideRequestValidator()
    {
        RuleFor(r => r.Score).NotNull().GreaterThanOrEqualTo(0).PrecisionScale(10, 2, ignoreTrailingZeros: true);
        RuleFor(r => r.Reason).NotEmpty().MaximumLength(2000);
    }
}

public static class GradeOverrideApi
{
    public static void MapGradeOverrides(this ApiRoutes routes) =>
        routes.Authors.MapPut("/sessions/{id:guid}/responses/{questionId}/grade", OverrideAsync).ProducesProblem(StatusCodes.Status409Conflict);

    /// <summary>A human's score for one question, with a reason; the automatic score stays beside it. Audited.</summary>
    private static async Task<Results<Ok<QuestionResult>, ProblemHttpResult>> OverrideAsync(
        Guid id, string questionId, GradeOverrideRequest request, Caller caller, LearnPlatformDbContext db, PaperVersionCache papers, WorkflowClient workflows, TimeProvider time, CancellationToken ct)
    {
        var session = await db.Sessions.SingleOrDefaultAsync(s => s.Id == id && s.TenantId == caller.TenantId, ct);
        var paper = session is null ? null : await papers.GetAsync(db, session.PaperId, session.PaperVersion, ct);
        if (session is null || paper is null)
        {
            return Problems.NotFound("The session");
        }
        if (paper.Questions.FirstOrDefault(q => q.Id == questionId) is not { } question)
        {
            return Problems.NotFound("The question");
        }
        if (session.Status == SessionStatus.InProgress)
        {
            return Problems.Conflict("The session is still in progress; grade it after it is submitted.");
        }

        var now = time.Now();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        // The row lock orders this override with a grading run saving its grades for the same session.
        await db.Sessions.FromSql($"SELECT * FROM exam_sessions WHERE id = {id} FOR UPDATE").SingleAsync(ct);
        var grade = await db.QuestionGrades.AsTracking().SingleOrDefaultAsync(g => g.SessionId == id && g.QuestionId == questionId, ct);
        // A regrade against a corrected version may have changed the question's points.
        var points = grade?.MaxScore ?? question.Points;
        if (request.Score > points)
        {
            return Problems.Invalid("score", $"The score cannot exceed the question's {points} points.");
        }
        if (grade is null)
        {
            grade = new QuestionGradeRow { TenantId = caller.TenantId, SessionId = id, QuestionId = questionId, MaxScore = question.Points };
            db.QuestionGrades.Add(grade);
        }
        var previous = grade.EffectiveScore;
        grade.OverrideScore = request.Score;
        grade.OverrideReason = request.Reason;
        grade.OverriddenBy = caller.Uid;
        grade.OverriddenAt = now;
        AuditTrail.Record(db, caller, now, "grade.override", $"session/{id}",
            new { question_id = questionId, score = request.Score, previous_score = previous, auto_score = grade.AutoScore });
        await db.SaveChangesAsync(ct);
        await SessionTotals.RecomputeAsync(db, workflows, session, paper.Questions, now, ct);
        await transaction.CommitAsync(ct);

        return TypedResults.Ok(new QuestionResult(questionId, grade.EffectiveScore, grade.MaxScore, grade.AutoFeedback, "human", grade.AutoScore, grade.OverrideReason));
    }
}
