using System.Text.Json;
using FluentValidation;
using LearnPlatform.Api.Audit;
using LearnPlatform.Api.Http;
using LearnPlatform.Api.Identity;
using LearnPlatform.Core.Data;
using LearnPlatform.Core.Grading.Runs;
using LearnPlatform.Workflows;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace LearnPlatform.Api.Sessions;

public sealed record StartSessionRequest(Guid? PaperId, string? CandidateId);

public sealed class StartSessionRequestValidator : AbstractValidator<StartSessionRequest>
{
    public StartSessionRequestValidator() => RuleFor(r => r.PaperId).NotNull().WithMessage("paper_id is required.");
}

public sealed record SaveResponseRequest(JsonElement Answer, int? Version);

public sealed class SaveResponseRequestValidator : AbstractValidator<SaveResponseRequest>
{
    public SaveResponseRequestValidator() =>
        RuleFor(r => r.Answer).Must(a => a.ValueKind != JsonValueKind.Undefined).WithMessage("answer is required.");
}

public sealed record SubmitResponse(string Status, DateTimeOffset? SubmittedAt);

public static class SessionsApi
{
    public static IServiceCollection AddSessions(this IServiceCollection services, IConfiguration configuration) =>
        services
            .AddSessionStartGate(configuration)
            .AddScoped<SessionStarter>()
            .AddSingleton<SessionPapers>()
            .AddSingleton<ResponseWriter>()
            .AddSingleton<IValidator<StartSessionRequest>, StartSessionRequestValidator>()
            .AddSingleton<IValidator<SaveResponseRequest>, SaveResponseRequestValidator>()
            .AddSingleton<IValidator<GuestSessionRequest>, GuestSessionRequestValidator>();

    public static void MapSessions(this ApiRoutes routes)
    {
        var mine = routes.Users.MapGroup("/sessions");
        mine.MapPost("", StartAsync).ProducesProblem(StatusCodes.Status409Conflict).ThroughStartGate();
        mine.MapGet("", ListMineAsync);

        var session = routes.Callers.MapGroup("/sessions/{id:guid}");
        session.MapGet("", GetAsync);
        session.MapPut("/responses/{questionId}", SaveResponseAsync).ProducesProblem(StatusCodes.Status409Conflict);
        session.MapPost("/submit", SubmitAsync);

        routes.Admins.MapPost("/sessions/{id:guid}/guest-token/revoke", RevokeGuestTokenAsync);
        routes.Authors.MapGet("/papers/{id:guid}/sessions", ListForPaperAsync);
    }

    private static async Task<Results<Created<SessionView>, Ok<SessionView>, ProblemHttpResult>> StartAsync(
        StartSessionRequest request, Caller caller, SessionStarter starter, LearnPlatformDbContext db, TimeProvider time, CancellationToken ct)
    {
        var paperId = request.PaperId!.Value;
        if (request.CandidateId is not null && request.CandidateId != caller.Uid)
        {
            return Problems.Forbidden("A session can only be started for yourself.");
        }

        return await starter.StartAsync(caller, paperId, ct) switch
        {
            StartOutcome.Started s => TypedResults.Created(ApiRoutes.Location("sessions", s.Session.Id), s.Session.ToView(s.Paper, [], time.Now())),
            StartOutcome.Resumed r => TypedResults.Ok(await ViewAsync(r.Session, r.Paper)),
            StartOutcome.AttemptsUsedUp a => Problems.Conflict($"All {a.MaxAttempts} attempt(s) at this paper are used up."),
            _ => Problems.NotFound("The paper"),
        };

        async Task<SessionView> ViewAsync(ExamSession session, PaperSettings paper)
        {
            var responses = await db.Responses.Where(r => r.SessionId == session.Id).ToListAsync(ct);
            return session.ToView(paper, responses, time.Now());
        }
    }

    private static async Task<Ok<ItemList<SessionSummary>>> ListMineAsync(Caller caller, LearnPlatformDbContext db, CancellationToken ct)
    {
        var mine = await db.Sessions.TakenBy(caller).OrderByDescending(s => s.StartedAt).Take(200).ToListAsync(ct);
        return TypedResults.Ok(new ItemList<SessionSummary>(mine.Select(s => s.ToSummary()).ToList()));
    }

    /// <summary>One query: the session and its answers (row-level security and the caller's visibility in it); the paper is cached.</summary>
    private static async Task<Results<Ok<SessionView>, ProblemHttpResult>> GetAsync(
        Guid id, Caller caller, LearnPlatformDbContext db, PaperVersionCache papers, TimeProvider time, CancellationToken ct)
    {
        var found = await db.ReadVisibleAsync(caller, id, ct);
        if (found is null || await papers.PaperOfAsync(db, found.Session, ct) is not { } paper)
        {
            return Problems.NotFound("The session");
        }
        return TypedResults.Ok(found.Session.ToView(paper, found.Responses, time.Now()));
    }

    /// <summary>Once the session's paper is cached, one statement: the conditional upsert (<see cref="ResponseWriter"/>).</summary>
    private static async Task<Results<Ok<ResponseView>, ProblemHttpResult>> SaveResponseAsync(
        Guid id, string questionId, SaveResponseRequest request, HttpRequest http, Caller caller, LearnPlatformDbContext db, SessionPapers sessionPapers, ResponseWriter writer, TimeProvider time, CancellationToken ct)
    {
        if ((caller.IsGuest && caller.SessionId != id) || await sessionPapers.TakenPaperAsync(db, caller, id, ct) is not { } paper)
        {
            return Problems.NotFound("The session");
        }
        if (paper.Questions.FirstOrDefault(q => q.Id == questionId) is not { } question)
        {
            return Problems.NotFound("The question");
        }
        if (AnswerRules.Check(question, request.Answer) is { } error)
        {
            return Problems.Invalid("answer", error);
        }
        if (!ExpectedVersion(http, request, out var expected))
        {
            return Problems.Invalid("If-Match", "If-Match must be the answer's current version, e.g. \"3\".");
        }

        var now = time.Now();
        var saved = await writer.SaveAsync(caller.TenantId, id, caller.IsGuest ? null : caller.Uid, questionId, request.Answer.GetRawText(), expected, now, ct);
        if (saved is not null)
        {
            return TypedResults.Ok(saved.ToView());
        }

        return await UnsavedAsync(db, caller, id, now, ct) ?? Problems.Conflict("The answer was changed elsewhere (another tab or device); reload it before saving.");
    }

    /// <summary>Why no answer can be saved in the session now (404, or 409 once closed), or null while it takes answers.</summary>
    public static async Task<ProblemHttpResult?> UnsavedAsync(LearnPlatformDbContext db, Caller caller, Guid id, DateTimeOffset now, CancellationToken ct)
    {
        var current = await db.Sessions.TakenBy(caller).Where(s => s.Id == id).Select(s => new { s.Status, s.Deadline }).SingleOrDefaultAsync(ct);
        return current is null ? Problems.NotFound("The session")
            : current.Status != SessionStatus.InProgress ? Problems.Conflict("The session is submitted; answers can no longer change.")
            : current.Deadline <= now ? Problems.Conflict("The session's deadline has passed; answers can no longer change.")
            : null;
    }

    private static bool ExpectedVersion(HttpRequest http, SaveResponseRequest request, out int? expected)
    {
        expected = request.Version;
        var ifMatch = http.Headers.IfMatch.ToString();
        if (ifMatch.Length == 0)
        {
            return true;
        }
        var parsed = int.TryParse(ifMatch.Trim().Trim('"'), out var version) && version >= 0;
        expected = version;
        return parsed;
    }

    private static async Task<Results<Accepted<SubmitResponse>, ProblemHttpResult>> SubmitAsync(Guid id, Caller caller, LearnPlatformDbContext db, WorkflowClient workflows, TimeProvider time, CancellationToken ct)
    {
        var session = await db.Sessions.TakenBy(caller).SingleOrDefaultAsync(s => s.Id == id, ct);
        if (session is null)
        {
            return Problems.NotFound("The session");
        }
        var now = time.Now();
        if (session.Status == SessionStatus.InProgress)
        {
            AuditTrail.Record(db, caller, now, "session.submit", $"session/{id}");
            if (!await SessionCloser.CloseAsync(db, workflows, session, now, ct))
            {
                session = await db.Sessions.SingleAsync(s => s.Id == id, ct);
            }
        }
        return TypedResults.Accepted(ApiRoutes.Location("sessions", id, "result"), new SubmitResponse(session.Status, session.SubmittedAt));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeGuestTokenAsync(Guid id, Caller caller, LearnPlatformDbContext db, GuestTokens guestTokens, TimeProvider time, CancellationToken ct)
    {
        if (!await db.Sessions.AnyAsync(s => s.Id == id && s.TenantId == caller.TenantId && s.CandidateUid == null, ct))
        {
            return Problems.NotFound("The guest session");
        }
        await guestTokens.RevokeAsync(db, id, ct);
        AuditTrail.Record(db, caller, time.Now(), "guest_token.revoke", $"session/{id}");
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<ItemList<SessionSummary>>, ProblemHttpResult>> ListForPaperAsync(Guid id, Caller caller, LearnPlatformDbContext db, CancellationToken ct)
    {
        if (!await db.Papers.AnyAsync(p => p.Id == id && p.TenantId == caller.TenantId, ct))
        {
            return Problems.NotFound("The paper");
        }
        var sessions = await db.Sessions
            .Where(s => s.PaperId == id && s.TenantId == caller.TenantId)
            .OrderByDescending(s => s.StartedAt)
            .Take(1000)
            .ToListAsync(ct);
        return TypedResults.Ok(new ItemList<SessionSummary>(sessions.Select(s => s.ToSummary()).ToList()));
    }
}
