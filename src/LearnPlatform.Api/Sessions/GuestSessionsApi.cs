using System.Security.Cryptography;
using FluentValidation;
using LearnPlatform.Api.Audit;
using LearnPlatform.Api.Http;
using LearnPlatform.Api.Identity;
using LearnPlatform.Api.Papers;
using LearnPlatform.Core.Data;
using LearnPlatform.Core.Grading.Runs;
using LearnPlatform.Workflows;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace LearnPlatform.Api.Sessions;

public sealed record GuestSessionRequest(Guid? PaperId);

public sealed class GuestSessionRequestValidator : AbstractValidator<GuestSessionRequest>
{
    public GuestSessionRequestValidator() => RuleFor(r => r.PaperId).NotNull().WithMessage("paper_id is required.");
}

public sealed record GuestSessionResponse(SessionView Session, string GuestToken, DateTimeOffset ExpiresAt);

/// <summary>Diagnostic tests without an account: a session on a guest-enabled paper, and a token for it alone.</summary>
public static class GuestSessionsApi
{
    public const string RateLimitPolicy = RateLimitPolicies.GuestSessions;

    public static void MapGuestSessions(this ApiRoutes routes) =>
        routes.Anonymous.MapPost("/guest-sessions", CreateAsync).RequireRateLimiting(RateLimitPolicy).ThroughStartGate();

    private static async Task<Results<Created<GuestSessionResponse>, ProblemHttpResult>> CreateAsync(
        GuestSessionRequest request, HttpContext http, LearnPlatformDbContext db, CredentialLookups lookups, GuestTokens guestTokens, GuestSessionsPerPaper perPaper, WorkflowClient workflows, TimeProvider time, CancellationToken ct)
    {
        var paperId = request.PaperId!.Value;
        if (await lookups.TenantOfGuestPaperAsync(paperId, ct) is not { } tenantId)
        {
            return Problems.NotFound("The paper");
        }
        db.Tenant.TenantId = tenantId;

        var published = await db.PublishedVersions(tenantId).SingleOrDefaultAsync(v => v.PaperId == paperId, ct);
        if (published is null || !published.Content.GuestAccess)
        {
            return Problems.NotFound("The paper");
        }
        if (await perPaper.RefuseAsync(paperId, http.Response, ct) is { } refused)
        {
            return refused;
        }

        var now = time.Now();
        var session = new ExamSession
        {
            TenantId = tenantId,
            PaperId = paperId,
            PaperVersion = published.Version,
            Attempt = 1,
            StartedAt = now,
            Deadline = now + TimeSpan.FromSeconds(published.Content.TimeLimitSeconds),
            Layout = SessionLayout.Create(published.Content, RandomNumberGenerator.GetInt32(int.MaxValue)),
        };
        var guest = new Caller($"guest:{session.Id}", tenantId, "guest", CallerKind.Guest, session.Id) { ClientIp = http.AuditClientIp() };

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        db.Sessions.Add(session);
        AuditTrail.Record(db, guest, now, "guest_token.issue", $"session/{session.Id}", new { paper_id = paperId });
        await db.SaveChangesAsync(ct);
        var token = await guestTokens.IssueAsync(db, session.Id, session.Deadline, ct);
        await GradingRuns.ScheduleDeadlineAsync(workflows, db, session, ct);
        await transaction.CommitAsync(ct);

        return TypedResults.Created(ApiRoutes.Location("sessions", session.Id), new GuestSessionResponse(session.ToView(published.Content, [], now), token.Token, token.ExpiresAt));
    }
}
