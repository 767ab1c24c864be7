using System.Text.Json.Serialization;
using FluentValidation;
using LearnPlatform.Api.Audit;
using LearnPlatform.Api.Http;
using LearnPlatform.Api.Identity;
using LearnPlatform.Core.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LearnPlatform.Api.Accommodations;

[JsonNumberHandling(JsonNumberHandling.Strict)]
public sealed record ExtendSessionRequest(int? ExtraMinutes);

public sealed record SessionDeadlineView(Guid Id, DateTimeOffset Deadline);

public sealed class ExtendSessionRequestValidator : AbstractValidator<ExtendSessionRequest>
{
    public ExtendSessionRequestValidator() =>
        RuleFor(r => r.ExtraMinutes)
            .NotNull().WithMessage("extra_minutes is required.")
            .InclusiveBetween(1, AccommodationLimits.MaxExtraMinutes).WithMessage("extra_minutes must be between 1 and 1440.");
}

/// <summary>Extra time granted during an attempt (a fire alarm, a crashed laptop): moves an open session's deadline.</summary>
public static class SessionExtensionApi
{
    public static void MapSessionExtension(this ApiRoutes routes) =>
        routes.Admins.MapPost("/sessions/{id:guid}/extend", ExtendAsync).ProducesProblem(StatusCodes.Status409Conflict);

    private static async Task<Results<Ok<SessionDeadlineView>, ProblemHttpResult>> ExtendAsync(
        Guid id, ExtendSessionRequest request, Caller caller, LearnPlatformDbContext db, IOptions<GuestTokenOptions> guestTokens, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var minutes = request.ExtraMinutes!.Value;
        var by = TimeSpan.FromMinutes(minutes);

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        // Status and deadline in the predicate: a submit or the deadline that wins the race leaves nothing to extend.
        var extended = await db.Sessions
            .Where(s => s.Id == id && s.TenantId == caller.TenantId && s.Status == SessionStatus.InProgress && s.Deadline > now)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.Deadline, x => x.Deadline + by), ct);
        var session = await db.Sessions
            .Where(s => s.Id == id && s.TenantId == caller.TenantId)
            .Select(s => new { s.Status, s.Deadline, s.CandidateUid })
            .SingleOrDefaultAsync(ct);
        if (session is null)
        {
            return Problems.NotFound("The session");
        }
        if (extended == 0)
        {
            return Problems.Conflict(session.Status != SessionStatus.InProgress
                ? "The session is submitted; its deadline can no longer change."
                : "The session's deadline has passed; it can no longer be extended.");
        }

        if (session.CandidateUid is null)
        {
            await KeepGuestTokenValidAsync(db, id, session.Deadline, guestTokens.Value, ct);
        }
        AuditTrail.Record(db, caller, now, "session.extend", $"session/{id}", new { extra_minutes = minutes, deadline = session.Deadline });
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return TypedResults.Ok(new SessionDeadlineView(id, session.Deadline));
    }

    /// <summary>
    /// A guest's token expires at the deadline plus a grace; it moves with the new deadline, still within the token's
    /// maximum lifetime, so the guest is not locked out of the extra time.
    /// </summary>
    private static Task<int> KeepGuestTokenValidAsync(LearnPlatformDbContext db, Guid sessionId, DateTimeOffset deadline, GuestTokenOptions options, CancellationToken ct)
    {
        var wanted = deadline + options.Grace;
        var maxLifetime = options.MaxLifetime;
        return db.GuestTokens
            .Where(t => t.SessionId == sessionId && t.RevokedAt == null && t.ExpiresAt < wanted)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.ExpiresAt, t => wanted < t.CreatedAt + maxLifetime ? wanted : t.CreatedAt + maxLifetime), ct);
    }
}
