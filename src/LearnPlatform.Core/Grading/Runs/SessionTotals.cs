using LearnPlatform.Core.Data;
using LearnPlatform.Core.Lti;
using LearnPlatform.Workflows;
using Microsoft.EntityFrameworkCore;

namespace LearnPlatform.Core.Grading.Runs;

public static class SessionTotals
{
    /// <summary>
    /// Recomputes a closed session's total from its question grades: graded when every question has a score that
    /// counts (a trusted automatic grade or a human override), otherwise needs_review. A question's maximum is its
    /// grade's (a regrade may have corrected the points), or the paper's while it has no grade. Called inside the
    /// transaction of the grade change, which also starts the grade's passback to an LTI platform (when launched from one).
    /// </summary>
    public static async Task RecomputeAsync(LearnPlatformDbContext db, WorkflowClient workflows, ExamSession session, IReadOnlyList<Question> questions, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(questions);
        var grades = await db.QuestionGrades.Where(g => g.SessionId == session.Id).ToDictionaryAsync(g => g.QuestionId, StringComparer.Ordinal, ct);
        var complete = questions.All(q => grades.GetValueOrDefault(q.Id)?.EffectiveScore is not null);
        var score = questions.Sum(q => grades.GetValueOrDefault(q.Id)?.EffectiveScore ?? 0m);
        var maxScore = questions.Sum(q => grades.GetValueOrDefault(q.Id)?.MaxScore ?? q.Points);
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
        await LtiPassback.EnqueueAsync(workflows, db, session, ct);
    }
}
