using System.Text.Json;
using LearnPlatform.Core.Attempts;
using LearnPlatform.Core.Data;
using LearnPlatform.Core.Scheduling;
using LearnPlatform.Workflows;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace LearnPlatform.Core.Retention;

/// <summary>Configuration section <c>Retention</c>: how long sessions and finished runs are kept, and how the purge runs.</summary>
public sealed class DataRetentionOptions
{
    public const string SectionName = "Retention";

    /// <summary>Days a graded candidate session is kept after its last grading, unless the tenant set its own (30-3650).</summary>
    public int SessionDays { get; set; } = 365;

    /// <summary>Days a guest session is kept after it started (1-365).</summary>
    public int GuestSessionDays { get; set; } = 30;

    /// <summary>Days a completed or cancelled workflow run is kept after it finished (1-365).</summary>
    public int FinishedRunDays { get; set; } = 30;

    /// <summary>Rows per statement and transaction, so a backlog never holds long locks.</summary>
    public int BatchSize { get; set; } = 1000;

    /// <summary>How often the scheduled data-retention run happens (one run per interval across all replicas).</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);
}

public sealed record DataRetentionInput(DateTimeOffset Slot);

/// <summary>What one sessions pass deleted; <paramref name="AttemptsKept"/> candidate sessions were counted into the ledger first.</summary>
public sealed record SessionPurge(long Sessions, long AttemptsKept);

/// <summary>What one counters pass deleted, as retention_purge_counters reports it.</summary>
public sealed record CounterPurge(long AiUsageCounters, long RateLimitCounters, long AiMonthlySpend);

/// <summary>
/// The scheduled job on the workflow engine that applies retention to everything but audit events and telemetry
/// (which have their own): sessions past their tenant's retention and guest sessions (with everything hanging on
/// them), finished workflow runs, and counters whose window has ended. Each step works in bounded batches, each its
/// own transaction, until nothing is left past its cutoff.
/// </summary>
public sealed partial class DataRetention(
    NpgsqlDataSource dataSource, AttemptLedger ledger, TimeProvider time, IOptions<DataRetentionOptions> options, ILogger<DataRetention> logger)
{
    public const string WorkflowType = "data-retention";

    /// <summary>Erasure's pseudonym prefix (Api/Privacy/UserErasure): nobody signs in as one, so its attempts need no ledger row.</summary>
    private const string ErasedPrefix = "erased:";

    private static readonly JsonSerializerOptions SummaryJson = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public async Task<SessionPurge> PurgeSessionsAsync(CancellationToken ct)
    {
        long sessions = 0, kept = 0;
        int deleted;
        do
        {
            (deleted, var recorded) = await PurgeSessionBatchAsync(ct);
            sessions += deleted;
            kept += recorded;
        }
        while (deleted > 0);
        LogSessions(logger, sessions, kept);
        return new SessionPurge(sessions, kept);
    }

    /// <summary>One batch: the sessions deleted and, in the same transaction, their candidates' attempts raised in the ledger.</summary>
    private async Task<(int Deleted, int Recorded)> PurgeSessionBatchAsync(CancellationToken ct)
    {
        var settings = options.Value;
        await using var db = DataServiceCollectionExtensions.CreateContext(dataSource);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var deleted = await db.Database.SqlQuery<PurgedSession>($"""
            SELECT tenant_id AS "TenantId", candidate_uid AS "CandidateUid", paper_id AS "PaperId", attempt AS "Attempt"
            FROM retention_purge_sessions({settings.SessionDays}, {settings.GuestSessionDays}, {settings.BatchSize})
            """).ToListAsync(ct);
        var candidates = deleted.Where(s => s.CandidateUid is { } uid && !uid.StartsWith(ErasedPrefix, StringComparison.Ordinal)).ToList();
        var now = time.GetUtcNow();
        foreach (var tenant in candidates.GroupBy(s => s.TenantId))
        {
            // The ledger is under row-level security: each tenant's rows are written acting for that tenant.
            db.For(new TenantScope { TenantId = tenant.Key });
            await ledger.RecordAsync(db, tenant.Key, tenant.Select(s => new AttemptUsed(s.CandidateUid!, s.PaperId, s.Attempt)).ToList(), now, ct);
        }
        await transaction.CommitAsync(ct);
        return (deleted.Count, candidates.Count);
    }

    public async Task<long> PurgeFinishedRunsAsync(CancellationToken ct)
    {
        var settings = options.Value;
        long total = 0;
        int deleted;
        do
        {
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            // The cutoff by the database's clock, which the function judges it by.
            await using var command = new NpgsqlCommand("SELECT workflow_purge_finished(now() - make_interval(days => @days), @batch)", connection);
            command.Parameters.AddWithValue("days", settings.FinishedRunDays);
            command.Parameters.AddWithValue("batch", settings.BatchSize);
            deleted = (int)(await command.ExecuteScalarAsync(ct))!;
            total += deleted;
        }
        while (deleted == settings.BatchSize);
        LogRuns(logger, total, settings.FinishedRunDays);
        return total;
    }

    public async Task<CounterPurge> PurgeCountersAsync(CancellationToken ct)
    {
        var batch = options.Value.BatchSize;
        var total = new CounterPurge(0, 0, 0);
        CounterPurge round;
        do
        {
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            await using var command = new NpgsqlCommand("SELECT retention_purge_counters(@batch)::text", connection);
            command.Parameters.AddWithValue("batch", batch);
            round = JsonSerializer.Deserialize<CounterPurge>((string)(await command.ExecuteScalarAsync(ct))!, SummaryJson)!;
            total = new CounterPurge(total.AiUsageCounters + round.AiUsageCounters, total.RateLimitCounters + round.RateLimitCounters,
                total.AiMonthlySpend + round.AiMonthlySpend);
        }
        while (round.AiUsageCounters == batch || round.RateLimitCounters == batch || round.AiMonthlySpend == batch);
        LogCounters(logger, total.AiUsageCounters, total.RateLimitCounters, total.AiMonthlySpend);
        return total;
    }

    internal WorkflowRegistry Register(WorkflowRegistry registry) =>
        registry.Register<DataRetentionInput>(WorkflowType, async (workflow, _) =>
        {
            await workflow.StepAsync("sessions", (_, ct) => PurgeSessionsAsync(ct));
            await workflow.StepAsync("runs", (_, ct) => PurgeFinishedRunsAsync(ct));
            await workflow.StepAsync("counters", (_, ct) => PurgeCountersAsync(ct));
        });

    private sealed record PurgedSession(Guid TenantId, string? CandidateUid, Guid PaperId, int Attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention: deleted {Count} sessions past retention ({Kept} candidate attempts kept in the ledger)")]
    private static partial void LogSessions(ILogger logger, long count, long kept);

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention: deleted {Count} workflow runs finished more than {Days} days ago")]
    private static partial void LogRuns(ILogger logger, long count, int days);

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention: deleted {Ai} AI usage counters, {RateLimits} rate-limit counters and {Spend} monthly AI spend rows past their window")]
    private static partial void LogCounters(ILogger logger, long ai, long rateLimits, long spend);
}

public static class DataRetentionServiceCollectionExtensions
{
    public static IServiceCollection AddDataRetention(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DataRetentionOptions>()
            .Bind(configuration.GetSection(DataRetentionOptions.SectionName))
            .Validate(o => o.SessionDays is >= 30 and <= 3650, "Retention:SessionDays must be between 30 and 3650.")
            .Validate(o => o.GuestSessionDays is >= 1 and <= 365, "Retention:GuestSessionDays must be between 1 and 365.")
            .Validate(o => o.FinishedRunDays is >= 1 and <= 365, "Retention:FinishedRunDays must be between 1 and 365.")
            .Validate(o => o.BatchSize is >= 1 and <= 10000, "Retention:BatchSize must be between 1 and 10000.")
            .Validate(o => o.Interval >= TimeSpan.FromMinutes(1) && o.Interval <= TimeSpan.FromDays(1), "Retention:Interval must be between one minute and one day.")
            .ValidateOnStart();
        services.AddAttemptLedger(configuration);
        services.AddSingleton<DataRetention>();
        return services;
    }

    /// <summary>Adds the retention workflow to a registry being built.</summary>
    public static WorkflowRegistry RegisterDataRetention(this WorkflowRegistry registry, IServiceProvider services) =>
        services.GetRequiredService<DataRetention>().Register(registry);

    public static IServiceCollection AddDataRetentionSchedule(this IServiceCollection services) =>
        services.AddScheduledRun(sp => new ScheduledRun(DataRetention.WorkflowType,
            sp.GetRequiredService<IOptions<DataRetentionOptions>>().Value.Interval, slot => new DataRetentionInput(slot)));
}
