using LearnPlatform.Api.Http;
using LearnPlatform.Core.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace LearnPlatform.Api.Members;

/// <summary>A tenant always keeps an admin: demoting, removing or erasing its last one is refused (409).</summary>
public static class LastAdminRule
{
    /// <summary>
    /// The member's current role, and whether they are the tenant's only admin. Every admin row is locked first (in the
    /// caller's transaction), so two admins demoting or erasing each other at once cannot both succeed: the second sees
    /// the first's change and gets 409.
    /// </summary>
    public static async Task<(string? Role, bool IsLastAdmin)> LockAsync(LearnPlatformDbContext db, Guid tenantId, string uid, CancellationToken ct)
    {
        var admins = await db.Database
            .SqlQuery<string>($"SELECT uid AS \"Value\" FROM memberships WHERE tenant_id = {tenantId} AND role = 'admin' ORDER BY uid FOR UPDATE")
            .ToListAsync(ct);
        var role = await db.Memberships.Where(m => m.TenantId == tenantId && m.Uid == uid).Select(m => m.Role).SingleOrDefaultAsync(ct);
        return (role, admins.Count == 1 && admins[0] == uid);
    }

    public static ProblemHttpResult Refusal() =>
        Problems.Conflict("This is the tenant's last admin; make another member admin first.");
}
