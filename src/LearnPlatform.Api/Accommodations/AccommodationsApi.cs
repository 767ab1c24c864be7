using System.Text.Json.Serialization;
using FluentValidation;
using LearnPlatform.Api.Audit;
using LearnPlatform.Api.Http;
using LearnPlatform.Api.Identity;
using LearnPlatform.Api.Sessions;
using LearnPlatform.Core.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace LearnPlatform.Api.Accommodations;

public sealed record AccommodationView(
    Guid Id,
    string CandidateId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] Guid? PaperId,
    decimal TimeMultiplier,
    int ExtraMinutes,
    string UpdatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>Extra time per candidate, tenant-wide or for one paper; applied when a session starts (see <see cref="ExtraTime"/>).</summary>
public static class AccommodationsApi
{
    private const int MaxListed = 1000;

    public static IServiceCollection AddAccommodations(this IServiceCollection services) =>
        services
            .AddSingleton<IValidator<SetAccommodationCall>, SetAccommodationCallValidator>()
            .AddSingleton<IValidator<RemoveAccommodationCall>, RemoveAccommodationCallValidator>()
            .AddSingleton<IValidator<AccommodationQuery>, AccommodationQueryValidator>()
            .AddSingleton<IValidator<ExtendSessionRequest>, ExtendSessionRequestValidator>();

    public static void MapAccommodations(this ApiRoutes routes)
    {
        var accommodations = routes.Admins.MapGroup("/accommodations");
        accommodations.MapGet("", ListAsync);
        accommodations.MapPut("/{candidateUid}", SetAsync);
        accommodations.MapDelete("/{candidateUid}", RemoveAsync);
        routes.MapSessionExtension();
    }

    private static async Task<Ok<ItemList<AccommodationView>>> ListAsync([AsParameters] AccommodationQuery query, Caller caller, LearnPlatformDbContext db, CancellationToken ct)
    {
        var matching = db.Accommodations.Where(a => a.TenantId == caller.TenantId);
        if (query.CandidateId is { } candidate)
        {
            matching = matching.Where(a => a.CandidateUid == candidate);
        }
        if (query.PaperId is { } paper)
        {
            matching = matching.Where(a => a.PaperId == paper);
        }
        var found = await matching
            .OrderBy(a => a.CandidateUid)
            .ThenBy(a => a.PaperId != null)
            .ThenBy(a => a.PaperId)
            .Take(MaxListed)
            .ToListAsync(ct);
        return TypedResults.Ok(new ItemList<AccommodationView>(found.Select(a => a.ToView()).ToList()));
    }

    private static async Task<Results<Ok<AccommodationView>, ProblemHttpResult>> SetAsync(
        [AsParameters] SetAccommodationCall call, Caller caller, LearnPlatformDbContext db, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var requested = new Accommodation
        {
            TenantId = caller.TenantId,
            CandidateUid = call.CandidateUid,
            PaperId = call.Body.PaperId,
            TimeMultiplier = call.Body.TimeMultiplier ?? 1m,
            ExtraMinutes = call.Body.ExtraMinutes ?? 0,
            UpdatedBy = caller.Uid,
            CreatedAt = now,
            UpdatedAt = now,
        };

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        if (await AccommodationStore.UpsertAsync(db, requested, ct) is not { } stored)
        {
            return Problems.NotFound("The paper");
        }
        AuditTrail.Record(db, caller, now, "accommodation.set", $"candidate/{call.CandidateUid}",
            new { paper_id = stored.PaperId, time_multiplier = stored.TimeMultiplier, extra_minutes = stored.ExtraMinutes });
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return TypedResults.Ok(stored.ToView());
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveAsync(
        [AsParameters] RemoveAccommodationCall call, Caller caller, LearnPlatformDbContext db, TimeProvider time, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        if (await AccommodationStore.DeleteAsync(db, caller.TenantId, call.CandidateUid, call.PaperId, ct) is not { } removed)
        {
            return Problems.NotFound("The accommodation");
        }
        AuditTrail.Record(db, caller, time.GetUtcNow(), "accommodation.delete", $"candidate/{call.CandidateUid}",
            new { paper_id = removed.PaperId, time_multiplier = removed.TimeMultiplier, extra_minutes = removed.ExtraMinutes });
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return TypedResults.NoContent();
    }

    public static AccommodationView ToView(this Accommodation a) =>
        new(a.Id, a.CandidateUid, a.PaperId, a.TimeMultiplier, a.ExtraMinutes, a.UpdatedBy, a.CreatedAt, a.UpdatedAt);
}
