using FluentValidation;
using LearnPlatform.Api.Audit;
using LearnPlatform.Api.Http;
using LearnPlatform.Api.Identity;
using LearnPlatform.Core.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace LearnPlatform.Api.Members;

/// <summary>
/// Roles inside the tenant, set by its admins. A user with no membership row is a candidate, so removing a member
/// makes them a candidate again (the tenant itself comes from their token). Every change is audited.
/// </summary>
public static class MembersApi
{
    public static IServiceCollection AddMembers(this IServiceCollection services) =>
        services
            .AddSingleton<IValidator<SetRoleCall>, SetRoleCallValidator>()
            .AddSingleton<IValidator<RemoveMemberCall>, RemoveMemberCallValidator>()
            .AddSingleton<IValidator<MemberQuery>, MemberQueryValidator>();

    public static void MapMembers(this ApiRoutes routes)
    {
        var members = routes.Admins.MapGroup("/members");
        members.MapGet("", ListAsync);
        members.MapPut("/{uid}", SetRoleAsync).ProducesProblem(StatusCodes.Status409Conflict);
        members.MapDelete("/{uid}", RemoveAsync).ProducesProblem(StatusCodes.Status409Conflict);
    }

    private static async Task<Ok<MemberPage>> ListAsync([AsParameters] MemberQuery query, Caller caller, LearnPlatformDbContext db, CancellationToken ct)
    {
        var limit = query.Limit is null ? MemberLimits.DefaultPage : int.Parse(query.Limit, System.Globalization.CultureInfo.InvariantCulture);
        var matching = db.Memberships.Where(m => m.TenantId == caller.TenantId);
        if (query.Role is { } role)
        {
            matching = matching.Where(m => m.Role == role);
        }
        if (query.Cursor is { } cursor && OpaqueCursor.Decode(MemberLimits.CursorKind, cursor) is { } after)
        {
            matching = matching.Where(m => string.Compare(m.Uid, after) > 0);
        }
        // One extra row tells whether there is a next page.
        var rows = await matching.OrderBy(m => m.Uid).Take(limit + 1).ToListAsync(ct);
        var page = rows.Take(limit).Select(m => m.ToView()).ToList();
        var next = rows.Count > limit ? OpaqueCursor.Encode(MemberLimits.CursorKind, page[^1].Uid) : null;
        return TypedResults.Ok(new MemberPage(page, next));
    }

    private static async Task<Results<Ok<MemberView>, ProblemHttpResult>> SetRoleAsync(
        [AsParameters] SetRoleCall call, Caller caller, LearnPlatformDbContext db, TenantMembershipLookup memberships, TimeProvider time, CancellationToken ct)
    {
        var role = call.Body.Role!;
        var now = time.Now();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var previous = await LastAdminRule.LockAsync(db, caller.TenantId, call.Uid, ct);
        if (previous.Role == Roles.Admin && role != Roles.Admin && previous.IsLastAdmin)
        {
            return LastAdminRule.Refusal();
        }
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO memberships (tenant_id, uid, role, created_at, updated_at) VALUES ({caller.TenantId}, {call.Uid}, {role}, {now}, {now})
            ON CONFLICT (tenant_id, uid) DO UPDATE SET role = excluded.role, updated_at = excluded.updated_at
            """, ct);
        AuditTrail.Record(db, caller, now, AuditActions.MemberRoleSet, $"member/{call.Uid}", new { role, previous_role = previous.Role });
        await db.SaveChangesAsync(ct);
        var stored = await db.Memberships.SingleAsync(m => m.TenantId == caller.TenantId && m.Uid == call.Uid, ct);
        await transaction.CommitAsync(ct);
        memberships.Forget(caller.TenantId, call.Uid);
        return TypedResults.Ok(stored.ToView());
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveAsync(
        [AsParameters] RemoveMemberCall call, Caller caller, LearnPlatformDbContext db, TenantMembershipLookup memberships, TimeProvider time, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var previous = await LastAdminRule.LockAsync(db, caller.TenantId, call.Uid, ct);
        if (previous.Role is null)
        {
            return Problems.NotFound("The member");
        }
        if (previous.Role == Roles.Admin && previous.IsLastAdmin)
        {
            return LastAdminRule.Refusal();
        }
        await db.Memberships.Where(m => m.TenantId == caller.TenantId && m.Uid == call.Uid).ExecuteDeleteAsync(ct);
        AuditTrail.Record(db, caller, time.Now(), AuditActions.MemberRemove, $"member/{call.Uid}", new { previous_role = previous.Role });
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        memberships.Forget(caller.TenantId, call.Uid);
        return TypedResults.NoContent();
    }

    public static MemberView ToView(this Membership m) => new(m.Uid, m.Role, m.CreatedAt, m.UpdatedAt);
}
