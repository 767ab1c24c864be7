using LearnPlatform.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace LearnPlatform.Api.Accommodations;

/// <summary>
/// Single statements for the writes, so racing admins cannot collide: an upsert on the
/// UNIQUE NULLS NOT DISTINCT (tenant_id, candidate_uid, paper_id) key, and a delete that returns what it removed.
/// </summary>
public static class AccommodationStore
{
    /// <summary>
    /// The accommodation as stored, or null when the paper is not one of the tenant's: the paper check is in the
    /// statement, so a paper of another tenant (which the foreign key alone would accept) or an unknown one inserts nothing.
    /// </summary>
    public static async Task<Accommodation?> UpsertAsync(LearnPlatformDbContext db, Accommodation a, CancellationToken ct)
    {
        var rows = await db.Accommodations.FromSql($"""
            INSERT INTO accommodations (id, tenant_id, candidate_uid, paper_id, time_multiplier, extra_minutes, updated_by, created_at, updated_at)
            SELECT {a.Id}, {a.TenantId}, {a.CandidateUid}, {a.PaperId}::uuid, {a.TimeMultiplier}, {a.ExtraMinutes}, {a.UpdatedBy}, {a.UpdatedAt}, {a.UpdatedAt}
            WHERE {a.PaperId}::uuid IS NULL OR EXISTS (SELECT 1 FROM papers p WHERE p.id = {a.PaperId}::uuid AND p.tenant_id = {a.TenantId})
            ON CONFLICT (tenant_id, candidate_uid, paper_id) DO UPDATE
                SET time_multiplier = EXCLUDED.time_multiplier, extra_minutes = EXCLUDED.extra_minutes,
                    updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at
            RETURNING *
            """).ToListAsync(ct);
        return rows.SingleOrDefault();
    }

    /// <summary>The accommodation removed, or null when there was none.</summary>
    public static async Task<Accommodation?> DeleteAsync(LearnPlatformDbContext db, Guid tenantId, string candidateUid, Guid? paperId, CancellationToken ct)
    {
        var rows = await db.Accommodations.FromSql($"""
            DELETE FROM accommodations
            WHERE tenant_id = {tenantId} AND candidate_uid = {candidateUid} AND paper_id IS NOT DISTINCT FROM {paperId}::uuid
            RETURNING *
            """).ToListAsync(ct);
        return rows.SingleOrDefault();
    }
}
