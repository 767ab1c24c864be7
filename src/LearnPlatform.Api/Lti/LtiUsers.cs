using LearnPlatform.Core.Data;
using LearnPlatform.Core.Lti;
using Microsoft.EntityFrameworkCore;

namespace LearnPlatform.Api.Lti;

/// <summary>
/// An LTI user ('sub' under the platform) acts here as a candidate uid of its own, made on the first launch: the
/// platform's identifier never becomes a uid, so it is kept in one row that erasure deletes.
/// </summary>
public static class LtiUsers
{
    public const string UidPrefix = "lti:";

    public static async Task<LtiUser> MapAsync(LearnPlatformDbContext db, LtiPlatform platform, string subject, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(platform);
        var uid = UidPrefix + Guid.CreateVersion7().ToString("N");
        // Two first launches at once both insert; the second does nothing and reads the first's row.
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO lti_users (id, tenant_id, platform_id, subject, uid, created_at)
            VALUES ({Guid.CreateVersion7()}, {platform.TenantId}, {platform.Id}, {subject}, {uid}, {now})
            ON CONFLICT (platform_id, subject) DO NOTHING
            """, ct);
        return await db.LtiUsers.SingleAsync(u => u.PlatformId == platform.Id && u.Subject == subject && u.TenantId == platform.TenantId, ct);
    }
}
