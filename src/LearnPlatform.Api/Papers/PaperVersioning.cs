using LearnPlatform.Api.Audit;
using LearnPlatform.Api.Identity;
using LearnPlatform.Core.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace LearnPlatform.Api.Papers;

/// <summary>
/// The working copy's version rules. Each write names the version and status it was decided on in its
/// UPDATE predicate, so a concurrent edit or publish makes it match no row (and the caller re-reads)
/// instead of overwriting what it did not see. The audit event commits in the same transaction.
/// </summary>
public static class PaperVersioning
{
    /// <summary>
    /// A draft is edited in place; a published paper starts the next version's draft, while candidates keep the
    /// published version. Null when the paper changed since <paramref name="seen"/> was read.
    /// </summary>
    public static async Task<Paper?> TryEditAsync(LearnPlatformDbContext db, Caller caller, Paper seen, PaperSettings content, DateTimeOffset now, CancellationToken ct)
    {
        var version = seen.Status == PaperStatus.Published ? seen.Version + 1 : seen.Version;
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var updated = await db.Papers
            .Where(p => p.Id == seen.Id && p.TenantId == caller.TenantId && p.Version == seen.Version && p.Status == seen.Status)
            .ExecuteUpdateAsync(
                s => s
                    .SetProperty(p => p.Content, content)
                    .SetProperty(p => p.Version, version)
                    .SetProperty(p => p.Status, PaperStatus.Draft)
                    .SetProperty(p => p.UpdatedAt, now),
                ct);
        if (updated == 0)
        {
            return null;
        }
        AuditTrail.Record(db, caller, now, "paper.update", $"paper/{seen.Id}", new { Version = version });
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);

        // (draft, version) determines published_version, so the row now holds exactly this.
        return new Paper
        {
            Id = seen.Id,
            TenantId = seen.TenantId,
            Content = content,
            Version = version,
            Status = PaperStatus.Draft,
            PublishedVersion = seen.PublishedVersion,
            CreatedBy = seen.CreatedBy,
            CreatedAt = seen.CreatedAt,
            UpdatedAt = now,
        };
    }

    /// <summary>
    /// Freezes the draft <paramref name="seen"/> as its version and returns the paper, now published. Null when it
    /// is no longer that draft (a racing request published it, or it moved on): the caller re-reads.
    /// </summary>
    public static async Task<Paper?> TryPublishAsync(LearnPlatformDbContext db, Caller caller, Paper seen, DateTimeOffset now, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var updated = await db.Papers
            .Where(p => p.Id == seen.Id && p.TenantId == caller.TenantId && p.Version == seen.Version && p.Status == PaperStatus.Draft)
            .ExecuteUpdateAsync(
                s => s
                    .SetProperty(p => p.Status, PaperStatus.Published)
                    .SetProperty(p => p.PublishedVersion, seen.Version)
                    .SetProperty(p => p.UpdatedAt, now),
                ct);
        if (updated == 0)
        {
            return null;
        }

        // The UPDATE holds the row's lock until commit, so no edit can slip in: this is the content being published,
        // even if a draft edit committed after `seen` was read.
        var paper = await db.Papers.SingleAsync(p => p.Id == seen.Id && p.TenantId == caller.TenantId, ct);
        db.PaperVersions.Add(new PaperVersion
        {
            PaperId = paper.Id,
            Version = paper.Version,
            TenantId = paper.TenantId,
            Content = paper.Content,
            PublishedBy = caller.Uid,
            PublishedAt = now,
        });
        AuditTrail.Record(db, caller, now, "paper.publish", $"paper/{paper.Id}", new { paper.Version });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // A version row for a draft's version: the rules above never make one, but if the data holds one anyway,
            // the caller re-reads and answers 200 or 409, never 500.
            db.ChangeTracker.Clear();
            return null;
        }
        await transaction.CommitAsync(ct);
        return paper;
    }
}
