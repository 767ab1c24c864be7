using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using LearnPlatform.Core.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace LearnPlatform.Core.Audit;

public sealed class AuditRetentionOptions
{
    /// <summary>Audit events older than this many days are purged; below the database's floor (audit_retention_floor, 90), the floor applies.</summary>
    public int RetentionDays { get; set; } = 90;

    public TimeSpan PurgeInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Rows deleted per statement, so a large backlog never holds long locks or one huge transaction.</summary>
    public int PurgeBatchSize { get; set; } = 5000;
}

/// <summary>
/// Purges audit events past retention, at start and then every <see cref="AuditRetentionOptions.PurgeInterval"/>.
/// The application role cannot delete audit rows; it calls purge_audit_events, a SECURITY DEFINER function that
/// itself refuses any cutoff younger than the owner's floor (audit_retention_floor, 90 days unless the owner changed
/// it); a configured retention below the floor keeps events for the floor. A session advisory lock lets one replica
/// purge at a time.
/// </summary>
public sealed partial class AuditRetention(NpgsqlDataSource dataSource, TimeProvider time, IOptions<AuditRetentionOptions> options, ILogger<AuditRetention> logger)
    : BackgroundService
{
    /// <summary>pg_advisory_lock key: "LPAUDIT\0" as a number, unlikely to collide with any other lock.</summary>
    internal const long LockKey = 0x4C50_4155_4449_5400;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PurgeInterval, time);
        do
        {
            try
            {
                await PurgeAsync(stoppingToken);
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException && !stoppingToken.IsCancellationRequested)
            {
                // The next tick tries again; retention is not urgent to the minute.
                LogFailed(logger, e.GetType().Name, e.Message);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try
        {
            return await timer.WaitForNextTickAsync(ct);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>One purge: every batch past the cutoff. Null when another replica holds the lock.</summary>
    public async Task<int?> PurgeAsync(CancellationToken ct)
    {
        var settings = options.Value;
        // One connection for the whole purge: the session advisory lock belongs to it.
        await using var db = DataServiceCollectionExtensions.CreateContext(dataSource);
        await db.Database.OpenConnectionAsync(ct);
        if (!await ScalarAsync<bool>(db, $"SELECT pg_try_advisory_lock({LockKey}) AS \"Value\"", ct))
        {
            LogSkipped(logger);
            return null;
        }
        try
        {
            var floor = await db.AuditRetentionFloor.Select(f => f.MinDays).SingleAsync(ct);
            if (settings.RetentionDays < floor)
            {
                LogBelowFloor(logger, settings.RetentionDays, floor);
            }
            var cutoff = time.GetUtcNow() - TimeSpan.FromDays(Math.Max(settings.RetentionDays, floor));
            var total = 0;
            int deleted;
            do
            {
                // The floor is judged by the database's clock, so a replica whose clock runs ahead is not refused.
                deleted = await ScalarAsync<int>(db,
                    $"SELECT purge_audit_events(least({cutoff}, now() - make_interval(days => {floor})), {settings.PurgeBatchSize}) AS \"Value\"", ct);
                total += deleted;
            }
            while (deleted == settings.PurgeBatchSize);
            LogPurged(logger, total, cutoff);
            return total;
        }
        finally
        {
            // Returning the connection to the pool would release it too (its reset); this says so explicitly.
            await ScalarAsync<bool>(db, $"SELECT pg_advisory_unlock({LockKey}) AS \"Value\"", CancellationToken.None);
        }
    }

    private static Task<T> ScalarAsync<T>(LearnPlatformDbContext db, FormattableString sql, CancellationToken ct) =>
        db.Database.SqlQuery<T>(sql).SingleAsync(ct);

    [LoggerMessage(Level = LogLevel.Information, Message = "Purged {Count} audit events older than {Cutoff:O}")]
    private static partial void LogPurged(ILogger logger, int count, DateTimeOffset cutoff);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Audit:RetentionDays is {Configured}, below the database's floor of {Floor} days (audit_retention_floor): events are kept {Floor} days")]
    private static partial void LogBelowFloor(ILogger logger, int configured, int floor);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Audit purge skipped: another replica holds the lock")]
    private static partial void LogSkipped(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Audit purge failed ({Error}): {Message}; retrying at the next interval")]
    private static partial void LogFailed(ILogger logger, string error, string message);
}

public static class AuditRetentionServiceCollectionExtensions
{
    /// <summary>The retention job; <see cref="AuditRetention"/> is also resolvable by itself to purge on demand.</summary>
    public static IServiceCollection AddAuditRetention(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AuditRetentionOptions>()
            .Bind(configuration.GetSection("Audit"))
            .Validate(o => o.RetentionDays >= 2, "Audit:RetentionDays must be at least 2.")
            .Validate(o => o.PurgeInterval >= TimeSpan.FromMinutes(1), "Audit:PurgeInterval must be at least one minute.")
            .Validate(o => o.PurgeBatchSize is >= 1 and <= 10000, "Audit:PurgeBatchSize must be between 1 and 10000.")
            .ValidateOnStart();
        services.AddSingleton<AuditRetention>();
        services.AddHostedService(sp => sp.GetRequiredService<AuditRetention>());
        return services;
    }
}
