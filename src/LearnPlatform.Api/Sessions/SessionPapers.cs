using LearnPlatform.Api.Identity;
using LearnPlatform.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace LearnPlatform.Api.Sessions;

/// <summary>
/// Which paper version a session the caller takes is of. That never changes, so after a candidate's first autosave
/// their next ones need no query for it: the save statement alone checks the session is still theirs and open. Keyed
/// by session and taker, so it tells nobody else anything. Bounded: the least recently used sessions go first.
/// </summary>
public sealed class SessionPapers(PaperVersionCache papers) : IDisposable
{
    public const int MaxSessions = 100_000;

    private readonly MemoryCache sessions = new(new MemoryCacheOptions { SizeLimit = MaxSessions });

    /// <summary>The paper of a session <paramref name="caller"/> takes, or null when it is not theirs (or does not exist).</summary>
    public async Task<PaperSettings?> TakenPaperAsync(LearnPlatformDbContext db, Caller caller, Guid sessionId, CancellationToken ct)
    {
        var key = (sessionId, caller.TenantId, caller.Uid);
        if (!sessions.TryGetValue(key, out (Guid PaperId, int Version) paper))
        {
            var found = await db.Sessions.TakenBy(caller).Where(s => s.Id == sessionId).Select(s => new { s.PaperId, s.PaperVersion }).SingleOrDefaultAsync(ct);
            if (found is null)
            {
                return null;
            }
            paper = (found.PaperId, found.PaperVersion);
            sessions.Set(key, paper, new MemoryCacheEntryOptions { Size = 1 });
        }
        return await papers.GetAsync(db, paper.PaperId, paper.Version, ct);
    }

    public void Dispose() => sessions.Dispose();
}
