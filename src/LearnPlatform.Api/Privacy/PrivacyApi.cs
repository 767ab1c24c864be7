using System.Data;
using FluentValidation;
using LearnPlatform.Api.Audit;
using LearnPlatform.Api.Http;
using LearnPlatform.Api.Identity;
using LearnPlatform.Api.Members;
using LearnPlatform.Core.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace LearnPlatform.Api.Privacy;

public sealed record ErasureResponse(string Status, IReadOnlyDictionary<string, int> Counts);

/// <summary>/users/{uid}/...: the data subject, from the route.</summary>
public sealed record UserCall([FromRoute] string Uid);

public sealed class UserCallValidator : AbstractValidator<UserCall>
{
    public UserCallValidator() =>
        RuleFor(c => c.Uid).Length(1, PrivacyApi.MaxUidLength).OverridePropertyName("uid").WithMessage("uid is 1 to 128 characters.");
}

/// <summary>
/// Data-subject requests: a user's export and erasure, by that user or an admin of the tenant. Both share one rate
/// limit per caller (<see cref="RateLimitPolicies.Privacy"/>) and run one at a time per caller (<see cref="PrivacyLock"/>).
/// </summary>
public static class PrivacyApi
{
    public const int MaxUidLength = 128;

    public static IServiceCollection AddPrivacy(this IServiceCollection services) =>
        services
            .AddSingleton<IValidator<UserCall>, UserCallValidator>()
            .AddSingleton<IValidator<SetConsentRequest>, SetConsentRequestValidator>()
            .AddSingleton<IValidator<SessionMetricsRequest>, SessionMetricsRequestValidator>();

    public static void MapPrivacy(this ApiRoutes routes)
    {
        var users = routes.Users.MapGroup("/users/{uid}").RequireRateLimiting(RateLimitPolicies.Privacy);
        users.MapGet("/export", ExportAsync)
            .Produces<System.Text.Json.JsonElement>(StatusCodes.Status200OK, "application/json")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        users.MapPost("/delete", DeleteAsync)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        routes.MapConsents();
        routes.MapSessionMetrics();
    }

    private static async Task<Results<ExportResult, ProblemHttpResult>> ExportAsync(
        [AsParameters] UserCall call, Caller caller, LearnPlatformDbContext db, TimeProvider time, CancellationToken ct)
    {
        if (Refusal(call.Uid, caller) is { } refusal)
        {
            return refusal;
        }
        // One snapshot for every section; the result streams the rows and ends the transaction.
        var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        if (!await PrivacyLock.TryTakeAsync(db, caller, ct))
        {
            await transaction.DisposeAsync();
            return PrivacyLock.Busy();
        }
        return new ExportResult(db, transaction, caller.TenantId, call.Uid, time.Now());
    }

    private static async Task<Results<Ok<ErasureResponse>, ProblemHttpResult>> DeleteAsync(
        [AsParameters] UserCall call, Caller caller, LearnPlatformDbContext db, TenantMembershipLookup memberships, TimeProvider time, CancellationToken ct)
    {
        var uid = call.Uid;
        if (Refusal(uid, caller) is { } refusal)
        {
            return refusal;
        }
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        if (!await PrivacyLock.TryTakeAsync(db, caller, ct))
        {
            return PrivacyLock.Busy();
        }
        // The members API's rule: erasing deletes the membership, so the last admin cannot be erased either.
        var subject = await LastAdminRule.LockAsync(db, caller.TenantId, uid, ct);
        if (subject.Role == Roles.Admin && subject.IsLastAdmin)
        {
            return LastAdminRule.Refusal();
        }
        var now = time.Now();
        var pseudonym = UserErasure.NewPseudonym();
        var counts = await UserErasure.EraseAsync(db, caller.TenantId, uid, pseudonym, now, ct);
        if (counts.Values.All(c => c == 0))
        {
            // Nothing is held about the uid (or nothing is left): no erasure, and no audit event naming a pseudonym.
            return Problems.NotFound("Data about this user");
        }
        var self = uid == caller.Uid;
        // No PII: a self-erasure is recorded under the pseudonym, and the subject is only ever the pseudonym.
        AuditTrail.Record(db, self ? caller with { Uid = pseudonym } : caller, now, "privacy.erase", $"user/{pseudonym}",
            new { requested_by = self ? "self" : "admin", counts });
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        memberships.Forget(caller.TenantId, uid);
        return TypedResults.Ok(new ErasureResponse("erased", counts));
    }

    /// <summary>
    /// The user themself or an admin; anyone else in the tenant is refused (403), whether or not the uid has data.
    /// Names that are never a user's (system actors, roles, guests, erasure's own pseudonyms) answer 404.
    /// </summary>
    private static ProblemHttpResult? Refusal(string uid, Caller caller) =>
        uid != caller.Uid && caller.Role != Roles.Admin ? Problems.Forbidden("Only the user themself or an admin of the tenant may do this.")
        : UserData.IsNotAUser(uid) ? Problems.NotFound("A user with this uid")
        : null;

    private sealed class ExportResult(LearnPlatformDbContext db, IDbContextTransaction transaction, Guid tenantId, string uid, DateTimeOffset now) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            await using (transaction)
            {
                var response = httpContext.Response;
                response.StatusCode = StatusCodes.Status200OK;
                response.ContentType = "application/json; charset=utf-8";
                response.Headers.CacheControl = "no-store";
                response.Headers.ContentDisposition = "attachment; filename=\"export.json\"";
                await UserExport.WriteAsync(db, response.Body, tenantId, uid, now, httpContext.RequestAborted);
                await transaction.CommitAsync(httpContext.RequestAborted);
            }
        }
    }
}
