using LearnPlatform.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace LearnPlatform.Api.Grading;

public static class SessionTotals
{
    /// <summary>
    /// Recomputes a submitted session's total from its question grades: graded when every question of its paper
    /// has a score that counts (a trusted automatic grade or a human override), otherwise needs_review.
    /// </summary>
    public static async Task RecomputeAsync(LearnPlatformDbContext db, ExamSession session, PaperSettings paper, DateTimeOffset now, CancellationToken ct)
    {
        var grades = await db.QuestionGrades.Where(g => g.SessionId == session.Id).ToListAsync(ct);
        var scores = grades.ToDictionary(g => g.QuestionId, g => g.EffectiveScore);
        var complete = paper.Questions.All(q => scores.GetValueOrDefault(q.Id) is not null);
        var score = paper.Questions.Sum(q => scores.GetValueOrDefault(q.Id) ?? 0m);
        var maxScore = paper.Questions.Sum(q => q.Points);
        var status = complete ? SessionStatus.Graded : SessionStatus.NeedsReview;

        await db.Sessions
            .Where(s => s.Id == session.Id && s.Status != SessionStatus.InProgress)
            .ExecuteUpdateAsync(s => s
                .SetProperty(x => x.Status, status)
                .SetProperty(x => x.Score, score)
                .SetProperty(x => x.MaxScore, maxScore)
                .SetProperty(x => x.GradedAt, now), ct);
        session.Status = status;
        session.Score = score;
        session.MaxScore = maxScore;
        session.GradedAt = now;
    }
}
