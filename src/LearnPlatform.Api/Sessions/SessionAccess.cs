using LearnPlatform.Api.Identity;
using LearnPlatform.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace LearnPlatform.Api.Sessions;

/// <summary>Which sessions a caller may see: a candidate their own, a guest the one session of their token, authors and admins any of their tenant.</summary>
public static class SessionAccess
{
    public static IQueryable<ExamSession> VisibleTo(this IQueryable<ExamSession> sessions, Caller caller) =>
        caller switch
        {
            { IsGuest: true } => sessions.Where(s => s.Id == caller.SessionId),
            { Role: Roles.Author or Roles.Admin } => sessions.Where(s => s.TenantId == caller.TenantId),
            _ => sessions.Where(s => s.TenantId == caller.TenantId && s.CandidateUid == caller.Uid),
        };

    public sealed record SessionWithAnswers(ExamSession Session, List<SessionResponse> Responses);

    /// <summary>
    /// The session read, by <see cref="VisibleTo"/>'s rule, with its answers: it is an exam's most frequent read. One
    /// compiled query (EF builds its SQL, cache key and parameters once, not per read), the session left-joined to its
    /// answers in flat rows: a nested collection in the projection would have EF bind new delegates on every read. A
    /// guest's token names the one session in its tenant, so a guest reads with the whole tenant in view and only that id.
    /// </summary>
    public static async Task<SessionWithAnswers?> ReadVisibleAsync(this LearnPlatformDbContext db, Caller caller, Guid id, CancellationToken ct)
    {
        if (caller.IsGuest && caller.SessionId != id)
        {
            return null;
        }
        SessionWithAnswers? found = null;
        await foreach (var row in ReadSession(db, id, caller.TenantId, caller.Uid, caller.IsGuest || caller.IsAuthorOrAdmin).WithCancellation(ct))
        {
            found ??= new SessionWithAnswers(row.Session, []);
            if (row.Response is not null)
            {
                found.Responses.Add(row.Response);
            }
        }
        return found;
    }

    private sealed record SessionRow(ExamSession Session, SessionResponse? Response);

    private static readonly Func<LearnPlatformDbContext, Guid, Guid, string?, bool, IAsyncEnumerable<SessionRow>> ReadSession =
        EF.CompileAsyncQuery((LearnPlatformDbContext db, Guid id, Guid tenantId, string? candidateUid, bool wholeTenant) =>
            from s in db.Sessions
            where s.Id == id && s.TenantId == tenantId && (wholeTenant || s.CandidateUid == candidateUid)
            join r in db.Responses on s.Id equals r.SessionId into answers
            from r in answers.DefaultIfEmpty()
            select new SessionRow(s, r));

    /// <summary>Sessions the caller takes: their own (or the guest's), never another candidate's, whatever the role.</summary>
    public static IQueryable<ExamSession> TakenBy(this IQueryable<ExamSession> sessions, Caller caller) =>
        caller.IsGuest
            ? sessions.Where(s => s.Id == caller.SessionId)
            : sessions.Where(s => s.TenantId == caller.TenantId && s.CandidateUid == caller.Uid);

    /// <summary>The published version the session is of (cached: a version never changes).</summary>
    public static Task<PaperSettings?> PaperOfAsync(this PaperVersionCache papers, LearnPlatformDbContext db, ExamSession session, CancellationToken ct) =>
        papers.GetAsync(db, session.PaperId, session.PaperVersion, ct);
}
