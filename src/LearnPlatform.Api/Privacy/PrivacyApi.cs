using FluentValidation;
using LearnPlatform.Api.Audit;
using LearnPlatform.Api.Http;
using LearnPlatform.Api.Identity;
using LearnPlatform.Core.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace LearnPlatform.Api.Privacy;

public sealed record ErasureResponse(string Status, IReadOnlyDictionary<string, int> Counts);

/// <summary>/users/{uid}/...: the data subject, from the route.</summary>
public sealed record UserCall([FromRoute] string Uid);

public sealed class UserCallValidator : AbstractValidator<UserCall>
{
    public UserCallValidator() =>
        RuleFor(c => c.Uid).Length(1, PrivacyApi.MaxUidLength).OverridePropertyName("uid").WithMessage("uid is 1 to 128 characters.");
}

/// <summary>Data-subject requests: a user's export and erasure, by that user or an admin of the tenant.</summary>
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
        var users = routes.Users.MapGroup("/users/{uid}");
        users.MapGet("/export", Export).Produces<System.Text.Json.JsonElement>(StatusCodes.Status200OK, "application/json");
        users.MapPost("/delete", DeleteAsync);
        routes.MapConsents();
        routes.MapSessionMetrics();
    }

    private static Results<ExportResult, ProblemHttpResult> Export([AsParameters] UserCall call, Caller caller, LearnPlatformDbContext db, TimeProvider time) =>
        Refusal(call.Uid, caller) ?? (Results<ExportResult, ProblemHttpResult>)new ExportResult(db, caller.TenantId, call.Uid, time.Now());

    private static async Task<Results<Ok<ErasureResponse>, ProblemHttpResult>> DeleteAsync(
        [AsParameters] UserCall call, Caller caller, LearnPlatformDbContext db, TenantMembershipLookup memberships, TimeProvider time, CancellationToken ct)
    {
        var uid = call.Uid;
        if (Refusal(uid, caller) is { } refusal)
        {
            return refusal;
        }
        var now = time.Now();
        var pseudonym = UserErasure.NewPseudonym();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var counts = await UserErasure.EraseAsync(db, caller.TenantId, uid, pseudonym, now, ct);
        var self = uid == caller.Uid;
        // No PII: a self-erasure is recorded under the pseudonym, and the subject is only ever the pseudonym.
        AuditTrail.Record(db, self ? caller with { Uid = pseudonym } : caller, now, "privacy.erase", $"user/{pseudonym}",
            new { requested_by = self ? "self" : "admin", counts });
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        memberships.Forget(caller.TenantId, uid);
        return TypedResults.Ok(new ErasureResponse("erased", counts));
    }

    /// <summary>The user themself or an admin; anyone else in the tenant is refused, whether or not the uid has data.</summary>
    private static ProblemHttpResult? Refusal(string uid, Caller caller) =>
        uid == caller.Uid || caller.Role == Roles.Admin
            ? null
            : Problems.Forbidden("Only the user themself or an admin of the tenant may do this.");

    private sealed class ExportResult(LearnPlatformDbContext db, Guid tenantId, string uid, DateTimeOffset now) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "application/json; charset=utf-8";
            response.Headers.CacheControl = "no-store";
            response.Headers.ContentDisposition = "attachment; filename=\"export.json\"";
            await UserExport.WriteAsync(db, response.Body, tenantId, uid, now, httpContext.RequestAborted);
        }
    }
}
