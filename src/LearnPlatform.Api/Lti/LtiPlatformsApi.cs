using LearnPlatform.Api.Audit;
using LearnPlatform.Api.Http;
using LearnPlatform.Api.Identity;
using LearnPlatform.Core.Data;
using LearnPlatform.Core.Lti;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace LearnPlatform.Api.Lti;

/// <summary>A tenant's admins register the LMSs that may launch the tool (also: the operator CLI, lti platforms add).</summary>
public static class LtiPlatformsApi
{
    internal static async Task<Results<Created<LtiPlatformResponse>, ProblemHttpResult>> CreateAsync(
        LtiPlatformRequest body, Caller caller, LearnPlatformDbContext db, TimeProvider time, CancellationToken ct)
    {
        var (platform, deployments) = Add(db, caller, body, time.Now());
        if (await SaveAsync(db, ct) is { } conflict)
        {
            return conflict;
        }
        return TypedResults.Created(ApiRoutes.Location("lti", "platforms", platform.Id), LtiPlatformResponse.From(platform, deployments));
    }

    internal static async Task<Ok<ItemList<LtiPlatformResponse>>> ListAsync(Caller caller, LearnPlatformDbContext db, CancellationToken ct)
    {
        var platforms = await db.LtiPlatforms.Where(p => p.TenantId == caller.TenantId).OrderBy(p => p.Id).Take(500).ToListAsync(ct);
        var ids = platforms.Select(p => p.Id).ToList();
        var deployments = (await db.LtiDeployments.Where(d => d.TenantId == caller.TenantId && ids.Contains(d.PlatformId)).ToListAsync(ct))
            .ToLookup(d => d.PlatformId, d => d.DeploymentId);
        return TypedResults.Ok(new ItemList<LtiPlatformResponse>(platforms.Select(p => LtiPlatformResponse.From(p, deployments[p.Id])).ToList()));
    }

    internal static async Task<Results<Ok<LtiPlatformResponse>, ProblemHttpResult>> GetAsync(Guid id, Caller caller, LearnPlatformDbContext db, CancellationToken ct)
    {
        var platform = await db.LtiPlatforms.SingleOrDefaultAsync(p => p.Id == id && p.TenantId == caller.TenantId, ct);
        if (platform is null)
        {
            return Problems.NotFound("The platform");
        }
        var deployments = await db.LtiDeployments.Where(d => d.PlatformId == id && d.TenantId == caller.TenantId).Select(d => d.DeploymentId).ToListAsync(ct);
        return TypedResults.Ok(LtiPlatformResponse.From(platform, deployments));
    }

    /// <summary>Replaces the registration; its users and their sessions stay linked to it.</summary>
    internal static async Task<Results<Ok<LtiPlatformResponse>, ProblemHttpResult>> UpdateAsync(
        Guid id, LtiPlatformRequest body, Caller caller, LearnPlatformDbContext db, TimeProvider time, CancellationToken ct)
    {
        var platform = await db.LtiPlatforms.AsTracking().SingleOrDefaultAsync(p => p.Id == id && p.TenantId == caller.TenantId, ct);
        if (platform is null)
        {
            return Problems.NotFound("The platform");
        }
        var now = time.Now();
        platform.Issuer = body.Issuer!;
        platform.ClientId = body.ClientId!;
        platform.AuthLoginUrl = body.AuthLoginUrl!;
        platform.TokenUrl = body.TokenUrl!;
        platform.JwksUrl = body.JwksUrl!;
        platform.UpdatedAt = now;
        var deployments = body.DeploymentIds!.Select(d => d!).ToList();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.LtiDeployments.Where(d => d.PlatformId == id && d.TenantId == caller.TenantId).ExecuteDeleteAsync(ct);
        AddDeployments(db, platform, deployments);
        AuditTrail.Record(db, caller, now, "lti_platform.update", $"lti_platform/{platform.Id}", new { platform.Issuer, client_id = platform.ClientId, deployment_ids = deployments });
        if (await SaveAsync(db, ct) is { } conflict)
        {
            return conflict;
        }
        await transaction.CommitAsync(ct);
        return TypedResults.Ok(LtiPlatformResponse.From(platform, deployments));
    }

    /// <summary>Adds the platform, its deployments and the audit row to the context; the caller saves them.</summary>
    internal static (LtiPlatform Platform, List<string> Deployments) Add(LearnPlatformDbContext db, Caller caller, LtiPlatformRequest body, DateTimeOffset now)
    {
        var platform = new LtiPlatform
        {
            TenantId = caller.TenantId,
            Issuer = body.Issuer!,
            ClientId = body.ClientId!,
            AuthLoginUrl = body.AuthLoginUrl!,
            TokenUrl = body.TokenUrl!,
            JwksUrl = body.JwksUrl!,
            CreatedAt = now,
            UpdatedAt = now,
        };
        var deployments = body.DeploymentIds!.Select(d => d!).ToList();
        db.LtiPlatforms.Add(platform);
        AddDeployments(db, platform, deployments);
        AuditTrail.Record(db, caller, now, "lti_platform.create", $"lti_platform/{platform.Id}", new { platform.Issuer, client_id = platform.ClientId, deployment_ids = deployments });
        return (platform, deployments);
    }

    /// <summary>Why a save broke a uniqueness rule, in words for the admin or operator; null for any other failure.</summary>
    internal static string? ConflictReason(DbUpdateException e) =>
        e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } unique
            ? unique.ConstraintName == "lti_deployments_pkey"
                ? "A deployment id is already registered for this issuer and client_id."
                : "This tenant already has a platform with this issuer and client_id."
            : null;

    private static void AddDeployments(LearnPlatformDbContext db, LtiPlatform platform, IEnumerable<string> deploymentIds) =>
        db.LtiDeployments.AddRange(deploymentIds.Select(d => new LtiDeployment
        {
            Issuer = platform.Issuer,
            ClientId = platform.ClientId,
            DeploymentId = d,
            TenantId = platform.TenantId,
            PlatformId = platform.Id,
        }));

    private static async Task<ProblemHttpResult?> SaveAsync(LearnPlatformDbContext db, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return null;
        }
        catch (DbUpdateException e) when (ConflictReason(e) is { } reason)
        {
            return Problems.Conflict(reason);
        }
    }
}
