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
        // Its four reads and its transaction share one connection (EF would otherwise rent and reset one per query).
        await db.Database.OpenConnectionAsync(ct);
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
        var published = await db.PublishedVersions(caller.TenantId).SingleOrDefaultAsync(v => v.PaperId == paperId, ct);
        if (published is null)
        {
            return new StartOutcome.PaperNotFound();
        }

        var open = await db.Sessions
            .Where(s => s.PaperId == paperId && s.TenantId == caller.TenantId && s.CandidateUid == caller.Uid && s.Status == SessionStatus.InProgress)
            .SingleOrDefaultAsync(ct);
        if (open is not null)
        {
            if (open.Deadline > now)
            {
                var paper = await papers.PaperOfAsync(db, open, ct);
                return new StartOutcome.Resumed(open, paper!);
            }
            // Past its deadline but not yet closed by the deadline timer: close it now, as the timer would.
            await SessionCloser.CloseAsync(db, workflows, open, now, ct);
        }

        var attemptsUsed = await AttemptsUsedAsync(db, ledger, caller, paperId, ct);
        if (attemptsUsed >= published.Content.MaxAttempts)
        {
            return new StartOutcome.AttemptsUsedUp(published.Content.MaxAttempts);
        }

        var session = new ExamSession
        {
            TenantId = caller.TenantId,
            PaperId = paperId,
            PaperVersion = published.Version,
            CandidateUid = caller.Uid,
            Attempt = attemptsUsed + 1,
            StartedAt = now,
            Deadline = now + await TimeAllowedAsync(caller, paperId, published.Content.TimeLimitSeconds, ct),
            Layout = SessionLayout.Create(published.Content, RandomNumberGenerator.GetInt32(int.MaxValue)),
        };
        db.Sessions.Add(session);
        AuditTrail.Record(db, caller, now, "session.start", $"session/{session.Id}", new { paper_id = paperId, session.Attempt });
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.SaveChangesAsync(ct);
        await ledger.RecordAsync(db, caller.TenantId, [new AttemptUsed(caller.Uid, paperId, session.Attempt)], now, ct);
        await GradingRuns.ScheduleDeadlineAsync(workflows, db, session, ct);
        await transaction.CommitAsync(ct);
        return new StartOutcome.Started(session, published.Content);
    }

    /// <summary>
    /// How many attempts at the paper the caller has started (what the exam preview's attempts_left counts down from):
    /// the higher of their sessions' count and the attempt ledger's, which survives their erasure. One query.
    /// </summary>
    public static async Task<int> AttemptsUsedAsync(LearnPlatformDbContext db, AttemptLedger ledger, Caller caller, Guid paperId, CancellationToken ct) =>
        await db.Sessions
            .Where(s => s.PaperId == paperId && s.TenantId == caller.TenantId && s.CandidateUid == caller.Uid)
            .Select(s => s.Attempt)
            .Concat(ledger.Recorded(db, caller.TenantId, caller.Uid, paperId))
            .MaxAsync(a => (int?)a, ct) ?? 0;

    /// <summary>The time limit stretched by the candidate's accommodation: the paper's own if set, else the tenant-wide one.</summary>
    private async Task<TimeSpan> TimeAllowedAsync(Caller caller, Guid paperId, int timeLimitSeconds, CancellationToken ct)
    {
        var accommodation = await db.Accommodations
            .Where(a => a.TenantId == caller.TenantId && a.CandidateUid == caller.Uid && (a.PaperId == paperId || a.PaperId == null))
            .OrderBy(a => a.PaperId == null)
            .FirstOrDefaultAsync(ct);
        return ExtraTime.Apply(TimeSpan.FromSeconds(timeLimitSeconds), accommodation);
    }
}

public static class ExtraTime
{
    public static TimeSpan Apply(TimeSpan timeLimit, Accommodation? accommodation) =>
        accommodation is null
            ? timeLimit
            : TimeSpan.FromSeconds(Math.Ceiling(timeLimit.TotalSeconds * (double)accommodation.TimeMultiplier)) + TimeSpan.FromMinutes(accommodation.ExtraMinutes);
}
