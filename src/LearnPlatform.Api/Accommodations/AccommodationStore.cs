using LearnPlatform.Core.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace LearnPlatform.Api.Accommodations;

/// <summary>
/// Single statements for the writes, so racing admins cannot collide: an upsert on the
/// UNIQUE NULLS NOT DISTINCT (tenant_id, candidate_uid, paper_id) key, and a delete that returns what it removed.
/// </summary>
public static class AccommodationStore
{
    // The paper check is in the statement: a paper of another tenant (which the FK alone would accept) or an unknown one inserts nothing.
    private const string Upsert = """
        INSERT INTO accommodations (id, tenant_id, candidate_uid, paper_id, time_multiplier, extra_minutes, updated_by, created_at, updated_at)
        SELECT @id, @tenant, @candidate, @paper, @multiplier, @minutes, @actor, @now, @now
        WHERE @paper IS NULL OR EXISTS (SELECT 1 FROM papers p WHERE p.id = @paper AND p.tenant_id = @tenant)
        ON CONFLICT (tenant_id, candidate_uid, paper_id) DO UPDATE
            SET time_multiplier = EXCLUDED.time_multiplier, extra_minutes = EXCLUDED.extra_minutes,
                updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at
        RETURNING *
        """;

    private const string Delete = """
        DELETE FROM accommodations
        WHERE tenant_id = @tenant AND candidate_uid = @candidate AND paper_id IS NOT DISTINCT FROM @paper
        RETURNING *
        """;

    /// <summary>The accommodation as stored, or null when the paper is not one of the tenant's.</summary>
    public static async Task<Accommodation?> UpsertAsync(LearnPlatformDbContext db, Accommodation accommodation, CancellationToken ct)
    {
        var rows = await db.Accommodations.FromSqlRaw(
                Upsert,
                new NpgsqlParameter("id", accommodation.Id),
                new NpgsqlParameter("tenant", accommodation.TenantId),
                new NpgsqlParameter("candidate", accommodation.CandidateUid),
                PaperParameter(accommodation.PaperId),
                new NpgsqlParameter("multiplier", NpgsqlDbType.Numeric) { Value = accommodation.TimeMultiplier },
                new NpgsqlParameter("minutes", accommodation.ExtraMinutes),
                new NpgsqlParameter("actor", accommodation.UpdatedBy),
                new NpgsqlParameter("now", accommodation.UpdatedAt))
            .ToListAsync(ct);
        return rows.SingleOrDefault();
    }

    /// <summary>The accommodation removed, or null when there was none.</summary>
    public static async Task<Accommodation?> DeleteAsync(LearnPlatformDbContext db, Guid tenantId, string candidateUid, Guid? paperId, CancellationToken ct)
    {
        var rows = await db.Accommodations.FromSqlRaw(
                Delete,
                new NpgsqlParameter("tenant", tenantId),
                new NpgsqlParameter("candidate", candidateUid),
                PaperParameter(paperId))
            .ToListAsync(ct);
        return rows.SingleOrDefault();
    }

    private static NpgsqlParameter PaperParameter(Guid? paperId) =>
        new("paper", NpgsqlDbType.Uuid) { Value = (object?)paperId ?? DBNull.Value };
}
