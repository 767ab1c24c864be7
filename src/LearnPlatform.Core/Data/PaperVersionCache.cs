using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace LearnPlatform.Core.Data;

/// <summary>
/// Published paper versions, by (paper id, version), in memory: a version never changes once published, so its content
/// is read and deserialized once per process instead of on every session read and autosave. Bounded: the least recently
/// used versions go first when it holds <see cref="MaxVersions"/>.
/// </summary>
public sealed class PaperVersionCache : IDisposable
{
    public const int MaxVersions = 2000;

    private readonly MemoryCache cache = new(new MemoryCacheOptions { SizeLimit = MaxVersions });

    /// <summary>The version's content, read through <paramref name="db"/> (so row-level security applies) when not cached yet.</summary>
    public async Task<PaperSettings?> GetAsync(LearnPlatformDbContext db, Guid paperId, int version, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var key = (paperId, version);
        if (cache.TryGetValue(key, out PaperSettings? cached))
        {
            return cached;
        }
        var content = await db.PaperVersions
            .Where(v => v.PaperId == paperId && v.Version == version)
            .Select(v => v.Content)
            .SingleOrDefaultAsync(ct);
        if (content is not null)
        {
            cache.Set(key, content, new MemoryCacheEntryOptions { Size = 1 });
        }
        return content;
    }

    public void Dispose() => cache.Dispose();
}
