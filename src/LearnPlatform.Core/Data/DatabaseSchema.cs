using LearnPlatform.Workflows;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace LearnPlatform.Core.Data;

/// <summary>
/// Whether the database has every migration this build expects: the host's and the workflow engine's. Readiness and
/// the workflow worker's claim loop both wait for it, so new code never works on an old schema (a newer schema is
/// fine: migrations are expand-then-contract, see docs/operations.md).
/// </summary>
public sealed class DatabaseSchema(IServiceScopeFactory scopes, NpgsqlDataSource dataSource)
{
    public async Task<bool> IsCurrentAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LearnPlatformDbContext>();
        var pending = await db.Database.GetPendingMigrationsAsync(ct);
        return !pending.Any() && await WorkflowSchema.IsCurrentAsync(dataSource, ct);
    }
}
