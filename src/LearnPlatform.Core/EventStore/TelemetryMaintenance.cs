using System.Text.Json;
using LearnPlatform.Core.Scheduling;
using LearnPlatform.Workflows;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace LearnPlatform.Core.EventStore;

/// <summary>Configuration section <c>Telemetry</c>: the event store's partitions and retention.</summary>
public sealed class TelemetryStoreOptions
{
    public const string SectionName = "Telemetry";

    /// <summary>Days a tenant's events are kept after the day their session started, unless the tenant set its own.</summary>
    public int RetentionDays { get; set; } = 30;

    /// <summary>Daily partitions created ahead of today.</summary>
    public int PremakeDays { get; set; } = 4;

    /// <summary>How often the scheduled maintenance run happens (one run per interval across all replicas).</summary>
    public TimeSpan MaintenanceInterval { get; set; } = TimeSpan.FromHours(1);
}

public sealed record TelemetryMaintenanceInput(DateTimeOffset Slot);

/// <summary>What one pass did, as telemetry_maintain reports it; the maintenance run's checkpoint.</summary>
/// <param name="PartitionsBy">pg_partman, or sql for the plain-SQL fallback.</param>
/// <param name="RetentionDays">The longest retention of any tenant: partitions older than that were dropped.</param>
public sealed record TelemetryMaintenanceSummary(string PartitionsBy, int RetentionDays, int Created, int Dropped, long RowsDeleted, long TicketsDeleted);

/// <summary>
/// The event store's scheduled job on the workflow engine: one run per <see cref="TelemetryStoreOptions.MaintenanceInterval"/>,
/// keyed by its slot so that any number of replicas start it once; its one step calls <c>telemetry_maintain</c>
/// (partitions ahead, partitions and rows past retention, expired tickets), which pg_partman backs when installed.
/// </summary>
public sealed partial class TelemetryMaintenance(NpgsqlDataSource dataSource, IOptions<TelemetryStoreOptions> options, ILogger<TelemetryMaintenance> logger)
{
    public const string WorkflowType = "telemetry-maintenance";

    private static readonly JsonSerializerOptions SummaryJson = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>One pass; its summary is the step's checkpoint.</summary>
    public async Task<TelemetryMaintenanceSummary> MaintainAsync(CancellationToken ct)
    {
        var settings = options.Value;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand("SELECT telemetry_maintain(@premake, @retention)::text", connection);
        command.Parameters.AddWithValue("premake", settings.PremakeDays);
        command.Parameters.AddWithValue("retention", settings.RetentionDays);
        var json = (string)(await command.ExecuteScalarAsync(ct))!;
        LogMaintained(logger, json);
        return JsonSerializer.Deserialize<TelemetryMaintenanceSummary>(json, SummaryJson)!;
    }

    internal WorkflowRegistry Register(WorkflowRegistry registry) =>
        registry.Register<TelemetryMaintenanceInput>(WorkflowType, async (workflow, _) =>
            await workflow.StepAsync("maintain", (_, ct) => MaintainAsync(ct)));

    [LoggerMessage(Level = LogLevel.Information, Message = "Telemetry event store maintained: {Summary}")]
    private static partial void LogMaintained(ILogger logger, string summary);
}

public static class TelemetryMaintenanceServiceCollectionExtensions
{
    public static IServiceCollection AddTelemetryStore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TelemetryStoreOptions>()
            .Bind(configuration.GetSection(TelemetryStoreOptions.SectionName))
            .Validate(o => o.RetentionDays is >= 1 and <= 365, "Telemetry:RetentionDays must be between 1 and 365.")
            .Validate(o => o.PremakeDays is >= 1 and <= 30, "Telemetry:PremakeDays must be between 1 and 30.")
            .Validate(o => o.MaintenanceInterval >= TimeSpan.FromMinutes(1) && o.MaintenanceInterval <= TimeSpan.FromDays(1),
                "Telemetry:MaintenanceInterval must be between one minute and one day.")
            .ValidateOnStart();
        services.AddSingleton<TelemetryMaintenance>();
        return services;
    }

    /// <summary>Adds the maintenance workflow to a registry being built.</summary>
    public static WorkflowRegistry RegisterTelemetryMaintenance(this WorkflowRegistry registry, IServiceProvider services) =>
        services.GetRequiredService<TelemetryMaintenance>().Register(registry);

    public static IServiceCollection AddTelemetryMaintenanceSchedule(this IServiceCollection services) =>
        services.AddScheduledRun(sp => new ScheduledRun(TelemetryMaintenance.WorkflowType,
            sp.GetRequiredService<IOptions<TelemetryStoreOptions>>().Value.MaintenanceInterval, slot => new TelemetryMaintenanceInput(slot)));
}
