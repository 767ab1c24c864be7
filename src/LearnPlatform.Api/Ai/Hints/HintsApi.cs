using FluentValidation;
using LearnPlatform.Api.Audit;
using LearnPlatform.Api.Http;
using LearnPlatform.Api.Identity;
using LearnPlatform.Api.Papers;
using LearnPlatform.Api.Sessions;
using LearnPlatform.Core.Ai;
using LearnPlatform.Core.Ai.Gemini;
using LearnPlatform.Core.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace LearnPlatform.Api.Ai.Hints;

public sealed record HintRequest(string? QuestionId);

public sealed record HintResponse(string QuestionId, string Hint);

public sealed class HintRequestValidator : AbstractValidator<HintRequest>
{
    public HintRequestValidator() =>
        RuleFor(r => r.QuestionId).NotEmpty().WithMessage("question_id is required.")
            .MaximumLength(64).WithMessage("A question id may have at most 64 characters.");
}

/// <summary>POST /api/v1/sessions/{id}/hints: a hint for one question, for the session's own candidate or guest.</summary>
public static partial class HintsApi
{
    // One call, and one more when the answer is unusable or would reveal a secret.
    private const int Attempts = 2;

    public static RouteHandlerBuilder MapHints(this ApiRoutes routes) =>
        routes.Callers.MapPost("/sessions/{id:guid}/hints", HintAsync);

    private static async Task<Results<Ok<HintResponse>, ProblemHttpResult>> HintAsync(
        Guid id, HintRequest body, Caller caller, LearnPlatformDbContext db, PaperVersionCache papers, AiGateway ai, TimeProvider time, HttpContext http, ILoggerFactory loggers, CancellationToken ct)
    {
        var session = await db.Sessions.TakenBy(caller).SingleOrDefaultAsync(s => s.Id == id, ct);
        if (session is null || await papers.PaperOfAsync(db, session, ct) is not { } paper)
            return Problems.NotFound("The session");
        var slot = session.Layout.FirstOrDefault(s => s.QuestionId == body.QuestionId);
        if (slot is null || paper.Questions.FirstOrDefault(q => q.Id == body.QuestionId) is not { } question)
            return Problems.NotFound("The question");
        if (!paper.HintsAllowed)
            return Problems.Forbidden("Hints are not available during this exam.");
        var now = time.GetUtcNow();
        if (session.Status != SessionStatus.InProgress)
            return Problems.Conflict("The session is not in progress; hints are only available while answering.");
        if (session.Deadline <= now)
            return Problems.Conflict("The session's deadline has passed; hints are only available while answering.");

        var answer = await db.Responses.Where(r => r.SessionId == id && r.QuestionId == question.Id).Select(r => r.Answer).SingleOrDefaultAsync(ct);
        // The candidate view, in the session's option order: what the candidate sees is all Gemini gets.
        var request = HintPrompt.Build(question.ToCandidateView(slot.OptionOrder), answer);

        var use = new AiUse(caller.TenantId, AiScope.Session(id), AiCallKind.Hint, Guest: caller.IsGuest);
        var result = await ai.RunAsync(http, use, session.Deadline - now, async (call, token) =>
        {
            for (var attempt = 1; attempt <= Attempts; attempt++)
            {
                try
                {
                    var output = (await call(request, token)).Output;
                    if (HintPrompt.ReadHint(output) is { } hint && !HintLeakCheck.Reveals(question, hint))
                        return hint;
                }
                catch (GeminiException e) when (e.Kind == GeminiErrorKind.InvalidOutput)
                {
                }
                LogRejected(loggers.CreateLogger(typeof(HintsApi)), question.Id, attempt);
            }
            return null;
        });
        if (result.Problem is { } problem)
            return problem;

        AuditTrail.Record(db, caller, now, "session.hint", $"session/{id}", new { question_id = question.Id });
        await db.SaveChangesAsync(CancellationToken.None);
        return TypedResults.Ok(new HintResponse(question.Id, result.Value!));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "AI hint for question {QuestionId} rejected on attempt {Attempt}")]
    private static partial void LogRejected(ILogger logger, string questionId, int attempt);
}
