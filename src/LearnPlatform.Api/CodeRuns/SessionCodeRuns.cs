using LearnPlatform.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace LearnPlatform.Api.CodeRuns;

/// <summary>The per-session count of code runs, on the session row.</summary>
public static class SessionCodeRuns
{
    /// <summary>
    /// Counts a run in one conditional UPDATE: only while the session is open and under the cap, so parallel runs can
    /// never take it past the cap or past the submit. False when the run must not happen.
    /// </summary>
    public static async Task<bool> TryCountAsync(LearnPlatformDbContext db, Guid sessionId, int cap, DateTimeOffset now, CancellationToken ct) =>
        await db.Sessions
            .Where(s => s.Id == sessionId && s.Status == SessionStatus.InProgress && s.Deadline > now && s.CodeRuns < cap)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.CodeRuns, x => x.CodeRuns + 1), ct) == 1;

    /// <summary>Gives back the count of a run the sandbox never made (it was unreachable, busy or refused it).</summary>
    public static Task ReleaseAsync(LearnPlatformDbContext db, Guid sessionId) =>
        db.Sessions
            .Where(s => s.Id == sessionId && s.CodeRuns > 0)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.CodeRuns, x => x.CodeRuns - 1), CancellationToken.None);
}
