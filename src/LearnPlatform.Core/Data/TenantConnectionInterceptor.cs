using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace LearnPlatform.Core.Data;

/// <summary>
/// Puts the context's tenant (<see cref="TenantScope"/>) on every connection it opens, in the same round trip as the
/// connection's first statement: that command is sent as <c>SELECT set_config('app.tenant_id', @tenant, false);</c>
/// followed by its own SQL, and the reader skips the set_config result before EF reads. Row-level security does the
/// rest. The tenant is always set, to an empty value when there is none, so nothing can leak from an earlier user of a
/// pooled connection even if the pool's reset were turned off (it is kept on: it clears app.tenant_id too).
/// </summary>
public sealed class TenantConnectionInterceptor : DbCommandInterceptor, IDbConnectionInterceptor
{
    public static readonly TenantConnectionInterceptor Instance = new();

    private const string Parameter = "__lp_tenant";
    private const string Prefix = $"SELECT set_config('{TenantConnection.Setting}', @{Parameter}, false);\n";

    public void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Forget(eventData.Context);

    public Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context);
        return Task.CompletedTask;
    }

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        PrefixIfPending(command, eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        PrefixIfPending(command, eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override DbDataReader ReaderExecuted(DbCommand command, CommandExecutedEventData eventData, DbDataReader result)
    {
        if (IsPrefixed(command))
        {
            result.NextResult();
        }
        return result;
    }

    public override async ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result, CancellationToken cancellationToken = default)
    {
        if (IsPrefixed(command))
        {
            await result.NextResultAsync(cancellationToken);
        }
        return result;
    }

    // A SELECT's rows are not counted as rows affected, so a prefixed statement reports what the caller's statement did.
    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        PrefixIfPending(command, eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        PrefixIfPending(command, eventData.Context);
        return ValueTask.FromResult(result);
    }

    // A scalar would read the set_config result instead of its own, so it gets its own round trip (EF's queries use readers).
    public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
    {
        if (Pending(eventData.Context) is { } db)
        {
            TenantConnection.SetTenant(command.Connection!, command.Transaction, db.Tenant.TenantId);
            db.AppliedTenant = Value(db);
        }
        return result;
    }

    public override async ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
    {
        if (Pending(eventData.Context) is { } db)
        {
            await TenantConnection.SetTenantAsync(command.Connection!, command.Transaction, db.Tenant.TenantId, cancellationToken);
            db.AppliedTenant = Value(db);
        }
        return result;
    }

    public override void CommandFailed(DbCommand command, CommandErrorEventData eventData) => ForgetIfPrefixed(command, eventData.Context);

    public override Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        ForgetIfPrefixed(command, eventData.Context);
        return Task.CompletedTask;
    }

    /// <summary>
    /// The context's open connection and transaction, with the tenant set, for SQL that does not go through EF (the
    /// workflow engine's, which runs in the caller's transaction). Requires an open transaction.
    /// </summary>
    public static async Task<(NpgsqlConnection Connection, NpgsqlTransaction Transaction)> TransactionAsync(LearnPlatformDbContext db, CancellationToken ct)
    {
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction() as NpgsqlTransaction
            ?? throw new InvalidOperationException("This runs inside the transaction of the change that causes it.");
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        if (Pending(db) is not null)
        {
            await TenantConnection.SetTenantAsync(connection, transaction, db.Tenant.TenantId, ct);
            db.AppliedTenant = Value(db);
        }
        return (connection, transaction);
    }

    private static void PrefixIfPending(DbCommand command, DbContext? context)
    {
        if (Pending(context) is not { } db)
        {
            return;
        }
        command.CommandText = Prefix + command.CommandText;
        command.Parameters.Add(new NpgsqlParameter(Parameter, Value(db)));
        // Set now: a command that fails has also failed its transaction, and CommandFailed forgets the tenant again.
        db.AppliedTenant = Value(db);
    }

    private static bool IsPrefixed(DbCommand command) => command.Parameters.Contains(Parameter);

    private static void ForgetIfPrefixed(DbCommand command, DbContext? context)
    {
        if (IsPrefixed(command))
        {
            Forget(context);
        }
    }

    private static LearnPlatformDbContext? Pending(DbContext? context) =>
        context is LearnPlatformDbContext db && db.AppliedTenant != Value(db) ? db : null;

    private static void Forget(DbContext? context)
    {
        if (context is LearnPlatformDbContext db)
        {
            db.AppliedTenant = null;
        }
    }

    private static string Value(LearnPlatformDbContext db) => db.Tenant.TenantId?.ToString() ?? string.Empty;
}
