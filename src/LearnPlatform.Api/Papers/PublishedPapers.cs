using LearnPlatform.Core.Data;

namespace LearnPlatform.Api.Papers;

public static class PublishedPapers
{
    /// <summary>Each paper's current published version; never a draft, never an older version.</summary>
    public static IQueryable<PaperVersion> PublishedVersions(this LearnPlatformDbContext db, Guid tenantId) =>
        db.PaperVersions.Where(v => v.TenantId == tenantId
            && db.Papers.Any(p => p.Id == v.PaperId && p.TenantId == tenantId && p.PublishedVersion == v.Version));
}
