using LearnPlatform.Api.Identity;
using LearnPlatform.Core.Data;

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

    /// <summary>Sessions the caller takes: their own (or the guest's), never another candidate's, whatever the role.</summary>
    public static IQueryable<ExamSession> TakenBy(this IQueryable<ExamSession> sessions, Caller caller) =>
        caller.IsGuest
            ? sessions.Where(s => s.Id == caller.SessionId)
            : sessions.Where(s => s.TenantId == caller.TenantId && s.CandidateUid == caller.Uid);

    /// <summary>The published version the session is of (cached: a version never changes).</summary>
    public static Task<PaperSettings?> PaperOfAsync(this PaperVersionCache papers, LearnPlatformDbContext db, ExamSession session, CancellationToken ct) =>
        papers.GetAsync(db, session.PaperId, session.PaperVersion, ct);
}
