using System.Globalization;
using LearnPlatform.Workflows;
using Npgsql;

namespace LearnPlatform.Api.Cli;

/// <summary>Operators' view of parked workflow runs (grading, deadlines): list them, retry or cancel one.</summary>
public static class RunCommands
{
    public static async Task<int> ListFailedAsync(string ownerConnection, Dictionary<string, string> options, TextWriter output, CancellationToken ct)
    {
        options.TryGetValue("type", out var type);
        Guid? tenant = options.TryGetValue("tenant", out var tenantText)
            ? Guid.TryParse(tenantText, out var parsed) ? parsed : throw new CliUsageException("--tenant must be a tenant id (UUID)")
            : null;
        await using var dataSource = NpgsqlDataSource.Create(ownerConnection);
        var runs = await new WorkflowAdmin(dataSource).ListFailedAsync(type, tenant, 200, ct);
        if (runs.Count == 0)
        {
            await output.WriteLineAsync("no parked runs");
            return 0;
        }
        foreach (var run in runs)
        {
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{run.Id}  {run.WorkflowType}  {run.WorkflowKey}  tenant {run.TenantId?.ToString() ?? "-"}  attempt {run.Attempt}/{run.MaxAttempts}  parked {run.UpdatedAt:u}  {run.LastError}"));
        }
        return 0;
    }

    public static async Task<int> RetryAsync(string ownerConnection, Dictionary<string, string> options, TextWriter output, CancellationToken ct)
    {
        var id = RunId(options);
        await using var dataSource = NpgsqlDataSource.Create(ownerConnection);
        if (!await new WorkflowAdmin(dataSource).RetryAsync(id, ct))
        {
            throw new CliException($"run {id} is not parked (see `runs failed`)");
        }
        await output.WriteLineAsync($"run {id} is pending again; its completed steps are not repeated");
        return 0;
    }

    public static async Task<int> CancelAsync(string ownerConnection, Dictionary<string, string> options, TextWriter output, CancellationToken ct)
    {
        var id = RunId(options);
        await using var dataSource = NpgsqlDataSource.Create(ownerConnection);
        if (!await new WorkflowAdmin(dataSource).CancelAsync(id, ct))
        {
            throw new CliException($"run {id} has already finished or does not exist");
        }
        await output.WriteLineAsync($"run {id} is cancelled");
        return 0;
    }

    private static Guid RunId(Dictionary<string, string> options) =>
        options.TryGetValue("id", out var text) && Guid.TryParse(text, out var id)
            ? id
            : throw new CliUsageException("--id must be a run id (UUID)");
}
