using FluentValidation;
using LearnPlatform.Api.Http;
using LearnPlatform.Api.Identity;
using LearnPlatform.Api.Papers;
using LearnPlatform.Core.Ai;
using LearnPlatform.Core.Ai.Gemini;
using LearnPlatform.Core.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace LearnPlatform.Api.Ai.Generation;

public sealed record GenerateQuestionsRequest(string? Topic, string? Kind, int? Count);

public sealed record GeneratedQuestionsResponse(IReadOnlyList<AuthorQuestion> Questions);

public sealed class GenerateQuestionsRequestValidator : AbstractValidator<GenerateQuestionsRequest>
{
    public const int MaxCount = 10;

    /// <summary>Every kind but spoken: a spoken question is an essay question answered aloud, so generate an essay and change its kind.</summary>
    public static readonly IReadOnlyList<string> GeneratedKinds = QuestionKinds.All.Where(k => k != QuestionKinds.Spoken).ToList();

    public GenerateQuestionsRequestValidator()
    {
        RuleLevelCascadeMode = CascadeMode.Stop;
        RuleFor(r => r.Topic).NotEmpty().WithMessage("A topic is required.")
            .MaximumLength(500).WithMessage("The topic may have at most 500 characters.");
        RuleFor(r => r.Kind).NotEmpty().WithMessage("A question kind is required.")
            .Must(k => GeneratedKinds.Contains(k!)).WithMessage($"The kind must be one of: {string.Join(", ", GeneratedKinds)}.");
        RuleFor(r => r.Count).NotNull().WithMessage("A count is required.")
            .InclusiveBetween(1, MaxCount).WithMessage($"The count must be between 1 and {MaxCount}.");
    }
}

/// <summary>
/// POST /api/v1/papers/{id}/questions/generate: draft questions for an author to review; nothing is saved.
/// Generation happens outside any session, so it counts per author per UTC day.
/// </summary>
public static partial class GenerateQuestionsApi
{
    // One call, and one more when the answer does not pass our checks.
    private const int Attempts = 2;

    public static RouteHandlerBuilder MapQuestionGeneration(this ApiRoutes routes) =>
        routes.Authors.MapPost("/papers/{id:guid}/questions/generate", GenerateAsync);

    private static async Task<Results<Ok<GeneratedQuestionsResponse>, ProblemHttpResult>> GenerateAsync(
        Guid id, GenerateQuestionsRequest body, Caller caller, LearnPlatformDbContext db, AiGateway ai, TimeProvider time, HttpContext http, ILoggerFactory loggers, CancellationToken ct)
    {
        var paper = await db.Papers.Where(p => p.Id == id && p.TenantId == caller.TenantId).Select(p => p.Content).SingleOrDefaultAsync(ct);
        if (paper is null)
            return Problems.NotFound("The paper");

        var kind = body.Kind!;
        var count = body.Count!.Value;
        var takenIds = paper.Questions.Select(q => q.Id).ToList();
        var request = GenerationPrompt.Build(body.Topic!, kind, count);
        var now = time.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var endOfDay = new DateTimeOffset(today.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

        var use = new AiUse(caller.TenantId, AiScope.AuthorDay(caller.Uid, today), AiCallKind.Generation, Guest: false);
        var result = await ai.RunAsync(http, use, endOfDay - now, async (call, token) =>
        {
            for (var attempt = 1; attempt <= Attempts; attempt++)
            {
                try
                {
                    if (GeneratedQuestions.Read((await call(request, token)).Output, kind, count, takenIds) is { } questions)
                        return questions;
                }
                catch (GeminiException e) when (e.Kind == GeminiErrorKind.InvalidOutput)
                {
                }
                LogRejected(loggers.CreateLogger(typeof(GenerateQuestionsApi)), kind, attempt);
            }
            return null;
        });
        return result.Problem is { } problem
            ? problem
            : TypedResults.Ok(new GeneratedQuestionsResponse(result.Value!.Select(q => q.ToAuthorView()).ToList()));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "AI-generated {Kind} questions rejected on attempt {Attempt}")]
    private static partial void LogRejected(ILogger logger, string kind, int attempt);
}
