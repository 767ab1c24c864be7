using System.Text.Json;
using LearnPlatform.Core.Ai;
using LearnPlatform.Core.Ai.Gemini;
using LearnPlatform.Core.Data;
using LearnPlatform.Sandbox.Client;
using LearnPlatform.Workflows;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace LearnPlatform.Core.Grading.Runs;

/// <summary>
/// The side effects of <see cref="GradeSessionWorkflow"/>. Each acts for the run's tenant, re-reads what it needs
/// (answers are never copied into checkpoints) and does nothing for a run that is no longer the session's current one.
/// </summary>
public sealed partial class GradingActivities(
    NpgsqlDataSource dataSource,
    PaperVersionCache papers,
    SessionGrader grader,
    AiCallGuard ai,
    TimeProvider time,
    IOptions<GradingOptions> options,
    ILogger<GradingActivities> logger,
    WorkflowClient workflows)
{
    public ActivityOptions AiStepOptions { get; } = new() { StartToCloseTimeout = options.Value.AiStepTimeout };

    public ActivityOptions CodeStepOptions { get; } = new() { StartToCloseTimeout = options.Value.CodeStepTimeout };

    public async Task<GradingPlan?> GradeByRulesAsync(ActivityContext activity, GradeSessionInput input, CancellationToken ct)
    {
        await using var db = DataServiceCollectionExtensions.CreateContext(dataSource, activity.TenantId);
        var work = await LoadAsync(db, activity, input, ct);
        if (work is null)
        {
            return null;
        }
        await db.Sessions
            .Where(s => s.Id == input.SessionId && s.GradingRunId == activity.RunId && s.Status == SessionStatus.Submitted)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.Status, SessionStatus.Grading), ct);

        var settled = new List<QuestionGrade>();
        var forAi = new List<string>();
        var forCode = new List<string>();
        var withAi = ai.HasKey(activity.TenantId ?? Guid.Empty);
        foreach (var question in work.Questions)
        {
            if (grader.GradeDeterministic(question, work.AnswerTo(question.Id), withAi) is { } grade)
            {
                settled.Add(grade);
            }
            else
            {
                (SessionGrader.IsForSandbox(question) ? forCode : forAi).Add(question.Id);
            }
        }
        return new GradingPlan(settled, forAi, forCode);
    }

    /// <summary>
    /// One AI grading through the call guard, as the AI routes call: the tenant's own key when it has one, the session's
    /// evaluations and total caps, the monthly spend cap on the platform key, and for a guest's session the guests'
    /// budget. Over a cap, without a key, or once Gemini keeps failing, the answer waits for a human instead.
    /// </summary>
    public async Task<QuestionGrade> GradeWithAiAsync(ActivityContext activity, GradeSessionInput input, string questionId, CancellationToken ct)
    {
        var tenantId = activity.TenantId ?? throw new InvalidOperationException("A grading run belongs to a tenant.");
        GradingWork? work;
        await using (var db = DataServiceCollectionExtensions.CreateContext(dataSource, tenantId))
        {
            work = await LoadAsync(db, activity, input, ct);
        }
        if (work?.Questions.FirstOrDefault(q => q.Id == questionId) is not { } question)
        {
            // Superseded by a regrade: the save step will write nothing, so spend nothing on the AI.
            return new QuestionGrade(questionId, null, 0, GradeStatus.NeedsReview, GradeSource.Auto, null, null, null);
        }

        var answer = work.AnswerTo(questionId);
        var use = new AiUse(tenantId, AiScope.Session(input.SessionId), AiCallKind.Evaluation, Guest: work.IsGuest);
        var outcome = await ai.RunAsync(use, callerKey: null, (call, token) => grader.GradeWithAiAsync(question, answer, call, token), ct);
        switch (outcome)
        {
            case { Refusal: { } refusal }:
                LogAiRefused(logger, activity.RunId, questionId, refusal.GetType().Name);
                return SessionGrader.AwaitingReview(question, refusal switch
                {
                    AiRefusal.CapReached cap => GradeFeedback.AiCallCapReached(cap.Counter),
                    AiRefusal.SpendCapReached { Cap: AiSpendCaps.Guest } => GradeFeedback.GuestAiBudgetSpent,
                    AiRefusal.SpendCapReached => GradeFeedback.MonthlyAiSpendCapReached,
                    _ => GradeFeedback.NoAiGrader,
                });
            case { Failure: { } e } when e.IsTransient && activity.Attempt < options.Value.AiAttempts:
                LogAiRetry(logger, activity.RunId, questionId, e.Kind, activity.Attempt);
                throw new RetryLaterException($"Gemini {e.Kind}", e.RetryAfter ?? TimeSpan.Zero, e);
            case { Failure: { } e }:
                LogAiGaveUp(logger, activity.RunId, questionId, e.Kind, activity.Attempt);
                return SessionGrader.AwaitingReview(question, e);
            default:
                return outcome.Value!;
        }
    }

    /// <summary>
    /// One code answer run against its question's tests in the sandbox. A program that fails or hits a limit is graded;
    /// a sandbox that cannot be reached or is busy is retried with the run's backoff, and after
    /// <see cref="GradingOptions.SandboxAttempts"/> the answer waits for a human, as does one the sandbox refuses.
    /// </summary>
    public async Task<QuestionGrade> GradeCodeAsync(ActivityContext activity, GradeSessionInput input, string questionId, CancellationToken ct)
    {
        Question? question;
        JsonElement? answer;
        await using (var db = DataServiceCollectionExtensions.CreateContext(dataSource, activity.TenantId))
        {
            var work = await LoadAsync(db, activity, input, ct);
            question = work?.Questions.FirstOrDefault(q => q.Id == questionId);
            if (work is null || question is null)
            {
                // Superseded by a regrade: the save step will write nothing, so run nothing.
                return new QuestionGrade(questionId, null, 0, GradeStatus.NeedsReview, GradeSource.Auto, null, null, null);
            }
            answer = work.AnswerTo(questionId);
        }
        try
        {
            return await grader.GradeCodeAsync(question, answer, ct);
        }
        catch (SandboxUnavailableException e) when (activity.Attempt < options.Value.SandboxAttempts)
        {
            LogSandboxRetry(logger, activity.RunId, questionId, activity.Attempt, e.Message);
            throw new RetryLaterException("the code sandbox is unavailable", e.RetryAfter ?? TimeSpan.Zero, e);
        }
        catch (SandboxUnavailableException e)
        {
            LogSandboxGaveUp(logger, activity.RunId, questionId, activity.Attempt, e.Message);
            return SessionGrader.AwaitingCodeReview(question, GradeFeedback.SandboxUnavailable);
        }
        catch (SandboxRequestException e)
        {
            LogSandboxRefused(logger, activity.RunId, questionId, e.Message);
            return SessionGrader.AwaitingCodeReview(question, GradeFeedback.SandboxRefused);
        }
    }

    /// <summary>Writes the automatic grades beside any human override (cleared only when the regrade asks) and the total.</summary>
    public async Task<bool> SaveAsync(ActivityContext activity, GradeSessionInput input, IReadOnlyList<QuestionGrade> grades, CancellationToken ct)
    {
        await using var db = DataServiceCollectionExtensions.CreateContext(dataSource, activity.TenantId);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        // The row lock orders this save with human overrides, with a regrade replacing the run, and with an erasure
        // (which clears grading_run_id): a save that waited for either finds no row and writes nothing.
        var session = await db.Sessions
            .FromSql($"SELECT * FROM exam_sessions WHERE id = {input.SessionId} AND grading_run_id = {activity.RunId} FOR UPDATE")
            .SingleOrDefaultAsync(ct);
        var work = session is null ? null : await LoadAsync(db, activity, input, ct);
        if (session is null || work is null)
        {
            return false;
        }

        var now = time.Now();
        var rows = await db.QuestionGrades.AsTracking().Where(g => g.SessionId == session.Id).ToDictionaryAsync(g => g.QuestionId, StringComparer.Ordinal, ct);
        foreach (var grade in grades)
        {
            if (!rows.TryGetValue(grade.QuestionId, out var row))
            {
                row = new QuestionGradeRow { TenantId = session.TenantId, SessionId = session.Id, QuestionId = grade.QuestionId };
                db.QuestionGrades.Add(row);
            }
            row.MaxScore = grade.MaxScore;
            row.AutoScore = grade.Score;
            row.AutoStatus = grade.Status;
            row.AutoSource = grade.Source == GradeSource.Ai ? "ai" : "rules";
            row.AutoFeedback = grade.Feedback;
            row.AutoConfidence = grade.Confidence;
            row.AutoGradedAt = now;
            // An override above a corrected question's new points no longer fits it: a human looks again.
            if (input.ClearOverrides || row.OverrideScore > row.MaxScore)
            {
                row.OverrideScore = null;
                row.OverrideReason = null;
                row.OverriddenBy = null;
                row.OverriddenAt = null;
            }
        }
        await db.SaveChangesAsync(ct);
        await SessionTotals.RecomputeAsync(db, workflows, session, work.Questions, now, ct);
        await transaction.CommitAsync(ct);
        return true;
    }

    private async Task<GradingWork?> LoadAsync(LearnPlatformDbContext db, ActivityContext activity, GradeSessionInput input, CancellationToken ct)
    {
        var session = await db.Sessions
            .Where(s => s.Id == input.SessionId && s.GradingRunId == activity.RunId)
            .Select(s => new { s.PaperId, s.PaperVersion, IsGuest = s.CandidateUid == null })
            .SingleOrDefaultAsync(ct);
        if (session is null)
        {
            return null;
        }
        var sat = await papers.GetAsync(db, session.PaperId, session.PaperVersion, ct)
            ?? throw new InvalidOperationException($"session {input.SessionId} is of a paper version that does not exist");
        var gradeAgainst = input.GradeAgainstVersion == session.PaperVersion ? sat : await papers.GetAsync(db, session.PaperId, input.GradeAgainstVersion, ct);
        var questions = GradingPaper.Questions(sat, gradeAgainst ?? sat);
        var answers = await db.Responses
            .Where(r => r.SessionId == input.SessionId)
            .ToDictionaryAsync(r => r.QuestionId, r => r.Answer, StringComparer.Ordinal, ct);
        return new GradingWork(questions, answers, session.IsGuest);
    }

    private sealed record GradingWork(IReadOnlyList<Question> Questions, Dictionary<string, string> Answers, bool IsGuest)
    {
        public JsonElement? AnswerTo(string questionId) =>
            Answers.TryGetValue(questionId, out var json) ? JsonSerializer.Deserialize<JsonElement>(json) : null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Grading run {RunId}: AI grading of question {QuestionId} failed ({Kind}) on attempt {Attempt}; retrying")]
    private static partial void LogAiRetry(ILogger logger, Guid runId, string questionId, GeminiErrorKind kind, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Grading run {RunId}: AI grading of question {QuestionId} failed ({Kind}) on attempt {Attempt}; the answer goes to review")]
    private static partial void LogAiGaveUp(ILogger logger, Guid runId, string questionId, GeminiErrorKind kind, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Grading run {RunId}: the code sandbox could not run question {QuestionId} on attempt {Attempt} ({Reason}); retrying")]
    private static partial void LogSandboxRetry(ILogger logger, Guid runId, string questionId, int attempt, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Grading run {RunId}: the code sandbox could not run question {QuestionId} on attempt {Attempt} ({Reason}); the answer goes to review")]
    private static partial void LogSandboxGaveUp(ILogger logger, Guid runId, string questionId, int attempt, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Grading run {RunId}: the code sandbox refused question {QuestionId} ({Reason}); the answer goes to review")]
    private static partial void LogSandboxRefused(ILogger logger, Guid runId, string questionId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Grading run {RunId}: AI grading of question {QuestionId} refused ({Refusal}); the answer goes to review")]
    private static partial void LogAiRefused(ILogger logger, Guid runId, string questionId, string refusal);
}
