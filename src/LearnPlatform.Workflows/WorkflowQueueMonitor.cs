using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace LearnPlatform.Workflows;

/// <summary>
/// Reads the queue's depth and age and the parked runs every <see cref="Interval"/> for the
/// <see cref="WorkflowTelemetry"/> gauges: one cheap indexed query, off the claim path.
/// </summary>
public sealed class WorkflowQueueMonitor(NpgsqlDataSource dataSource, ILogger<WorkflowQueueMonitor>? logger = null, TimeProvider? time = null) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);

    private const string QueueSql = """
        SELECT count(*) FILTER (WHERE status = 'pending' AND run_at <= @now),
               coalesce(extract(epoch FROM @now - min(run_at) FILTER (WHERE status = 'pending' AND run_at <= @now)), 0)::float8,
               count(*) FILTER (WHERE status = 'failed')
        FROM workflow_runs
        WHERE status IN ('pending', 'failed');
        """;

    private readonly TimeProvider clock = time ?? TimeProvider.System;
    private readonly ILogger log = (ILogger?)logger ?? NullLogger.Instance;

    /// <summary>Reads the queue once and updates the gauges.</summary>
    public async Task RefreshAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var command = EngineSql.Command(connection, QueueSql);
        command.Parameters.AddWithValue("now", clock.GetUtcNow());
        await using var reader = await EngineSql.ReaderAsync(command, ct);
        if (await reader.ReadAsync(ct))
        {
            WorkflowTelemetry.SetQueue(reader.GetInt64(0), reader.GetDouble(1), reader.GetInt64(2));
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        do
        {
            try
            {
                await RefreshAsync(stoppingToken);
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
            {
                QueueReadFailed(log, e.GetType().Name, null);
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

    private static readonly Action<ILogger, string, Exception?> QueueReadFailed = LoggerMessage.Define<string>(
        LogLevel.Debug, new EventId(30, nameof(QueueReadFailed)), "Could not read the workflow queue for its metrics ({ErrorKind})");
}
