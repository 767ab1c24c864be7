using System.Globalization;
using LearnPlatform.Workflows;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace LearnPlatform.Core.Scheduling;

/// <summary>
/// A run of the engine that happens once per <see cref="Interval"/>, however many replicas start it: its key names the
/// interval (the slot) it belongs to, and starting a key that has a run returns that run.
/// </summary>
public sealed record ScheduledRun(string WorkflowType, TimeSpan Interval, Func<DateTimeOffset, object> InputFor)
{
    /// <summary>The start of the interval <paramref name="now"/> falls in, counted from the Unix epoch.</summary>
    public static DateTimeOffset SlotOf(DateTimeOffset now, TimeSpan interval) =>
        DateTimeOffset.UnixEpoch.AddTicks((now.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / interval.Ticks * interval.Ticks);

    public string KeyOf(DateTimeOffset slot) =>
        WorkflowType + ":" + slot.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss'Z'", CultureInfo.InvariantCulture);
}

/// <summary>Starts the current slot's run at start and at every interval, in every host that executes runs.</summary>
public sealed partial class ScheduledRunStarter(
    ScheduledRun schedule, NpgsqlDataSource dataSource, WorkflowClient workflows, TimeProvider time, ILogger<ScheduledRunStarter> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(schedule.Interval, time);
        do
        {
            try
            {
                await StartCurrentAsync(stoppingToken);
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException && !stoppingToken.IsCancellationRequested)
            {
                // The next tick tries again, and a run already started keeps its own retries.
                LogFailed(logger, schedule.WorkflowType, e.GetType().Name);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    /// <summary>The run of the slot now falls in; starting it again (another replica, a restart) changes nothing.</summary>
    public async Task<WorkflowStart> StartCurrentAsync(CancellationToken ct)
    {
        var slot = ScheduledRun.SlotOf(time.GetUtcNow(), schedule.Interval);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await workflows.StartAsync(connection, null, schedule.WorkflowType, schedule.KeyOf(slot), schedule.InputFor(slot), tenantId: null, ct: ct);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not start the scheduled {WorkflowType} run ({Error}); trying again at the next interval")]
    private static partial void LogFailed(ILogger logger, string workflowType, string error);
}

public static class ScheduledRunServiceCollectionExtensions
{
    /// <summary>Adds a starter for one schedule (plain AddSingleton: AddHostedService would keep only the first starter).</summary>
    public static IServiceCollection AddScheduledRun(this IServiceCollection services, Func<IServiceProvider, ScheduledRun> schedule) =>
        services.AddSingleton<IHostedService>(sp => ActivatorUtilities.CreateInstance<ScheduledRunStarter>(sp, schedule(sp)));
}
