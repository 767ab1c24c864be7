using System.Security.Cryptography;
using LearnPlatform.Api.Audit;
using LearnPlatform.Api.Identity;
using LearnPlatform.Api.Papers;
using LearnPlatform.Core.Attempts;
using LearnPlatform.Core.Data;
using LearnPlatform.Core.Grading.Runs;
using LearnPlatform.Workflows;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace LearnPlatform.Api.Sessions;

public abstract record StartOutcome
{
    public sealed record Started(ExamSession Session, PaperSettings Paper) : StartOutcome;
    public sealed record Resumed(ExamSession Session, PaperSettings Paper) : StartOutcome;
    public sealed record PaperNotFound : StartOutcome;
    public sealed record AttemptsUsedUp(int MaxAttempts) : StartOutcome;
}

/// <summary>Starts a candidate's attempt at a published paper, or hands back the one already in progress.</summary>
public sealed class SessionStarter(LearnPlatformDbContext db, WorkflowClient workflows, PaperVersionCache papers, AttemptLedger ledger, TimeProvider time)
{
    public async Task<StartOutcome> StartAsync(Caller caller, Guid paperId, CancellationToken ct)
    {
        // No connection is held across the start: its read and its transaction each rent one. Holding one open from the
        // first read to the commit left connections out of the pool under a start storm of 1,500 candidates, until every
        // request on the replica failed (docs/benchmarks.md, G7).
        // The unique indexes make a racing second start fail; the retry then finds the winner's session.
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await TryStartAsync(caller, paperId, ct);
            }
            catch (DbUpdateException e) when (attempt == 0 && e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
            {
                db.ChangeTracker.Clear();
            }
        }
    }

    private async Task<StartOutcome> TryStartAsync(Caller caller, Guid paperId, CancellationToken ct)
    {
        var now = time.Now();
        var facts = await StartFactsAsync(caller, paperId, ct);
        var published = facts is null ? null : await papers.GetAsync(db, paperId, facts.PublishedVersion, ct);
        if (facts is null || published is null)
        {
            return new StartOutcome.PaperNotFound();
        }

        if (facts.Open is { } open)
        {
            if (open.Deadline > now)
            {
                var paper = await papers.PaperOfAsync(db, open, ct);
                return new StartOutcome.Resumed(open, paper!);
            }
            // Past its deadline but not yet closed by the deadline timer: close it now, as the timer would.
            await SessionCloser.CloseAsync(db, workflows, open, now, ct);
        }

        if (facts.AttemptsUsed >= published.MaxAttempts)
        {
            return new StartOutcome.AttemptsUsedUp(published.MaxAttempts);
        }

        var session = new ExamSession
        {
            TenantId = caller.TenantId,
            PaperId = paperId,
            PaperVersion = facts.PublishedVersion,
            CandidateUid = caller.Uid,
            Attempt = facts.AttemptsUsed + 1,
            StartedAt = now,
            Deadline = now + ExtraTime.Apply(TimeSpan.FromSeconds(published.TimeLimitSeconds), facts.Accommodation),
            Layout = SessionLayout.Create(published, RandomNumberGenerator.GetInt32(int.MaxValue)),
        };
        db.Sessions.Add(session);
        AuditTrail.Record(db, caller, now, "session.start", $"session/{session.Id}", new { paper_id = paperId, session.Attempt });
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.SaveChangesAsync(ct);
        await ledger.RecordAsync(db, caller.TenantId, [new AttemptUsed(caller.Uid, paperId, session.Attempt)], now, ct);
        await GradingRuns.ScheduleDeadlineAsync(workflows, db, session, ct);
        await transaction.CommitAsync(ct);
        return new StartOutcome.Started(session, published);
    }

    private sealed record StartFacts(int PublishedVersion, ExamSession? Open, int AttemptsUsed, Accommodation? Accommodation);

    /// <summary>
    /// In one query, what a start decides on: the paper's published version (its content is cached), the caller's open
    /// session of it, the attempts they have used, and their accommodation (the paper's own if set, else the tenant-wide one).
    /// </summary>
    private Task<StartFacts?> StartFactsAsync(Caller caller, Guid paperId, CancellationToken ct) =>
        db.Papers
            .Where(p => p.Id == paperId && p.TenantId == caller.TenantId && p.PublishedVersion != null)
            .Select(p => new StartFacts(
                p.PublishedVersion!.Value,
                db.Sessions.FirstOrDefault(s => s.PaperId == paperId && s.TenantId == caller.TenantId && s.CandidateUid == caller.Uid && s.Status == SessionStatus.InProgress),
                AttemptsUsed(db, ledger, caller, paperId).Max(a => (int?)a) ?? 0,
                db.Accommodations
                    .Where(a => a.TenantId == caller.TenantId && a.CandidateUid == caller.Uid && (a.PaperId == paperId || a.PaperId == null))
                    .OrderBy(a => a.PaperId == null)
                    .FirstOrDefault()))
            .SingleOrDefaultAsync(ct);

    /// <summary>
    /// How many attempts at the paper the caller has started (what the exam preview's attempts_left counts down from):
    /// the higher of their sessions' count and the attempt ledger's, which survives their erasure. One query.
    /// </summary>
    public static async Task<int> AttemptsUsedAsync(LearnPlatformDbContext db, AttemptLedger ledger, Caller caller, Guid paperId, CancellationToken ct) =>
        await AttemptsUsed(db, ledger, caller, paperId).MaxAsync(a => (int?)a, ct) ?? 0;

    private static IQueryable<int> AttemptsUsed(LearnPlatformDbContext db, AttemptLedger ledger, Caller caller, Guid paperId) =>
        db.Sessions
            .Where(s => s.PaperId == paperId && s.TenantId == caller.TenantId && s.CandidateUid == caller.Uid)
            .Select(s => s.Attempt)
            .Concat(ledger.Recorded(db, caller.TenantId, caller.Uid, paperId));
}

public static class ExtraTime
{
    public static TimeSpan Apply(TimeSpan timeLimit, Accommodation? accommodation) =>
        accommodation is null
            ? timeLimit
            : TimeSpan.FromSeconds(Math.Ceiling(timeLimit.TotalSeconds * (double)accommodation.TimeMultiplier)) + TimeSpan.FromMinutes(accommodation.ExtraMinutes);
}
