using Microsoft.Extensions.Logging;
using Npgsql;

namespace LearnPlatform.Workflows.Tests.Infrastructure;

/// <summary>A started <see cref="WorkflowWorker"/>, stopped (gracefully, as the host would) when disposed.</summary>
public sealed class RunningWorker : IAsyncDisposable
{
    private bool stopped;

    private RunningWorker(WorkflowWorker worker) => Worker = worker;

    public WorkflowWorker Worker { get; }

    /// <summary>Fast test defaults: short lease, frequent rescue, 1 s poll. The worker listens when this returns.</summary>
    public static async Task<RunningWorker> StartAsync(
        NpgsqlDataSource dataSource,
        WorkflowRegistry registry,
        WorkflowWorkerOptions? options = null,
        TimeProvider? time = null,
        ILogger<WorkflowWorker>? logger = null,
        Func<CancellationToken, Task<bool>>? hostSchemaIsCurrent = null)
    {
        var worker = new WorkflowWorker(dataSource, registry, options ?? Fast(), logger, time, hostSchemaIsCurrent);
        await worker.StartAsync(CancellationToken.None);
        await worker.Listening.WaitAsync(TimeSpan.FromSeconds(10));
        return new RunningWorker(worker);
    }

    public static WorkflowWorkerOptions Fast(string? id = null) => new()
    {
        WorkerId = id,
        LeaseDuration = TimeSpan.FromSeconds(2),
        HeartbeatInterval = TimeSpan.FromMilliseconds(400),
        RescueInterval = TimeSpan.FromMilliseconds(200),
        PollInterval = TimeSpan.FromSeconds(1),
        SchemaCheckInterval = TimeSpan.FromMilliseconds(100),
        ShutdownGrace = TimeSpan.FromSeconds(2),
    };

    public async Task StopAsync()
    {
        if (!stopped)
        {
            stopped = true;
            await Worker.StopAsync(CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Worker.Dispose();
    }
}
