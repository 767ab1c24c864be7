using System.Globalization;
using System.Text.Json;
using FluentValidation;
using LearnPlatform.Api.Http;
using LearnPlatform.Api.Identity;
using LearnPlatform.Api.Sessions;
using LearnPlatform.Core.Data;
using LearnPlatform.Core.Grading.Code;
using LearnPlatform.Sandbox.Client;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace LearnPlatform.Api.CodeRuns;

/// <summary>
/// Running code in the sandbox from the API: a candidate's run of their code against the visible tests
/// (POST /api/v1/sessions/{id}/responses/{question_id}/run) and an author's check of the reference solution against
/// every test (POST /api/v1/papers/{id}/questions/{question_id}/check). Both count against the per-principal
/// <c>code_runs</c> rate limit; a candidate's runs also against the session's cap.
/// </summary>
public static partial class CodeRunsApi
{
    public static IServiceCollection AddCodeRuns(this IServiceCollection services, IConfiguration configuration)
    {
        if (SandboxSettings.Problem(configuration) is { } problem)
        {
            throw new StartupException(problem);
        }
        var options = configuration.GetSection(CodeRunOptions.Section).Get<CodeRunOptions>() ?? new CodeRunOptions();
        if (options.SessionCap < 1)
        {
            throw new StartupException("CodeRuns:SessionCap must be at least 1.");
        }
        return services
            .AddSingleton(options)
            .AddSingleton<IValidator<RunCodeRequest>, RunCodeRequestValidator>()
            .AddSingleton<IValidator<CheckSolutionRequest>, CheckSolutionRequestValidator>();
    }

    public static void MapCodeRuns(this ApiRoutes routes)
    {
        routes.Callers.MapPost("/sessions/{id:guid}/responses/{questionId}/run", RunAsync).RequireRateLimiting(RateLimitPolicies.CodeRuns);
        routes.Authors.MapPost("/papers/{id:guid}/questions/{questionId}/check", CheckAsync).RequireRateLimiting(RateLimitPolicies.CodeRuns);
    }

    private static async Task<Results<Ok<CodeRunResponse>, ProblemHttpResult>> RunAsync(
        Guid id, string questionId, Caller caller, LearnPlatformDbContext db, PaperVersionCache papers, SandboxClient sandbox, CodeRunOptions options,
        TimeProvider time, HttpResponse response, ILoggerFactory loggers, CancellationToken ct, RunCodeRequest? body = null)
    {
        var session = await db.Sessions.TakenBy(caller).SingleOrDefaultAsync(s => s.Id == id, ct);
        if (session is null || await papers.PaperOfAsync(db, session, ct) is not { } paper)
            return Problems.NotFound("The session");
        if (paper.Questions.FirstOrDefault(q => q.Id == questionId && q.Kind == QuestionKinds.Code) is not { } question)
            return Problems.NotFound("The code question");
        if (!paper.CodeRunsAllowed)
            return Problems.Forbidden("Running code is not available during this exam.");
        var now = time.GetUtcNow();
        if (Closed(session, now) is { } closed)
            return closed;
        var code = body?.Code ?? await SavedCodeAsync(db, id, questionId, ct);
        if (code is null)
            return Problems.Invalid("code", "Send code, or save an answer to this question first.");
        if (!sandbox.IsConfigured)
            return NotConfigured();
        if (!await SessionCodeRuns.TryCountAsync(db, id, options.SessionCap, now, ct))
        {
            var current = await db.Sessions.SingleAsync(s => s.Id == id, ct);
            return Closed(current, time.GetUtcNow()) ?? CapReached(response, options.SessionCap, current.Deadline - now);
        }

        var visible = (question.Tests ?? []).Where(t => !t.Hidden).Select(t => new RunTest(t.Call, t.Expected)).ToList();
        var run = await RunInSandboxAsync(sandbox, new RunRequest(question.Language ?? CodeLanguages.Python, code, visible), response, loggers, ct);
        if (run.Problem is not null)
        {
            await SessionCodeRuns.ReleaseAsync(db, id);
            return run.Problem;
        }
        return TypedResults.Ok(run.Result!.ToCandidateView());
    }

    private static async Task<Results<Ok<CodeRunResponse>, ProblemHttpResult>> CheckAsync(
        Guid id, string questionId, Caller caller, LearnPlatformDbContext db, SandboxClient sandbox, HttpResponse response, ILoggerFactory loggers,
        CancellationToken ct, CheckSolutionRequest? body = null)
    {
        var paper = await db.Papers.Where(p => p.Id == id && p.TenantId == caller.TenantId).Select(p => p.Content).SingleOrDefaultAsync(ct);
        if (paper is null)
            return Problems.NotFound("The paper");
        if (paper.Questions.FirstOrDefault(q => q.Id == questionId && q.Kind == QuestionKinds.Code) is not { } question)
            return Problems.NotFound("The code question");
        if ((body?.Solution ?? question.Solution) is not { } solution)
            return Problems.Invalid("solution", "Send a solution, or save one on the question first.");
        if (!sandbox.IsConfigured)
            return NotConfigured();

        var tests = question.Tests ?? [];
        var run = await RunInSandboxAsync(sandbox, new RunRequest(question.Language ?? CodeLanguages.Python, solution, [.. tests.Select(t => new RunTest(t.Call, t.Expected))]), response, loggers, ct);
        return run.Problem ?? (Results<Ok<CodeRunResponse>, ProblemHttpResult>)TypedResults.Ok(run.Result!.ToAuthorView(tests));
    }

    private static ProblemHttpResult? Closed(ExamSession session, DateTimeOffset now) =>
        session.Status != SessionStatus.InProgress ? Problems.Conflict("The session is submitted; code can no longer be run.")
        : session.Deadline <= now ? Problems.Conflict("The session's deadline has passed; code can no longer be run.")
        : null;

    /// <summary>The saved answer, when it is code (a JSON string).</summary>
    private static async Task<string?> SavedCodeAsync(LearnPlatformDbContext db, Guid sessionId, string questionId, CancellationToken ct)
    {
        var json = await db.Responses.Where(r => r.SessionId == sessionId && r.QuestionId == questionId).Select(r => r.Answer).SingleOrDefaultAsync(ct);
        return json is null ? null : JsonSerializer.Deserialize<JsonElement>(json) is { ValueKind: JsonValueKind.String } answer ? answer.GetString() : null;
    }

    private static async Task<(RunResult? Result, ProblemHttpResult? Problem)> RunInSandboxAsync(
        SandboxClient sandbox, RunRequest request, HttpResponse response, ILoggerFactory loggers, CancellationToken ct)
    {
        try
        {
            return (await sandbox.RunAsync(request, ct), null);
        }
        catch (SandboxUnavailableException e)
        {
            LogUnavailable(loggers.CreateLogger(typeof(CodeRunsApi)), e.Message);
            SetRetryAfter(response, e.RetryAfter ?? TimeSpan.FromSeconds(5));
            return (null, TypedResults.Problem(statusCode: 503, title: "Service Unavailable", detail: "The code sandbox is busy or unreachable; try again shortly."));
        }
        catch (SandboxRequestException e)
        {
            LogRefused(loggers.CreateLogger(typeof(CodeRunsApi)), e.Message);
            return (null, TypedResults.Problem(statusCode: 502, title: "Bad Gateway", detail: "The code sandbox refused to run the code."));
        }
    }

    private static ProblemHttpResult NotConfigured() =>
        TypedResults.Problem(statusCode: 503, title: "Service Unavailable", detail: "Running code is not available: no code sandbox is configured.");

    private static ProblemHttpResult CapReached(HttpResponse response, int cap, TimeSpan resetsIn)
    {
        SetRetryAfter(response, resetsIn);
        return TypedResults.Problem(
            statusCode: 429,
            title: "Too Many Requests",
            detail: $"This session's {cap} code runs are used up.",
            extensions: new Dictionary<string, object?> { ["cap"] = "code_runs", ["limit"] = cap });
    }

    private static void SetRetryAfter(HttpResponse response, TimeSpan wait) =>
        response.Headers.RetryAfter = Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Code run not made: {Reason}")]
    private static partial void LogUnavailable(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "The code sandbox refused a run: {Reason}")]
    private static partial void LogRefused(ILogger logger, string reason);
}
