using LearnPlatform.Api.Audit;
using LearnPlatform.Api.Privacy;
using LearnPlatform.Core.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace LearnPlatform.Api.Cli;

/// <summary>
/// Operator commands in the API binary, for `kubectl exec` and Jobs. They use the owner's connection
/// (ConnectionStrings__PostgresMigrations): tenants and memberships are created by operators, not the app.
/// </summary>
public static class OperatorCli
{
    private const string Usage = """
        usage:
          migrate
          tenants create --name NAME [--firebase-tenant ID]
          members add --tenant ID --uid UID --role candidate|author|admin
          runs failed [--type TYPE] [--tenant ID]
          runs retry --id RUN_ID
          runs cancel --id RUN_ID
          lti platforms add --tenant ID --issuer URL --client-id ID --deployment-ids ID[,ID...]
                            --auth-login-url URL --token-url URL --jwks-url URL
          audit floor --days N
        """;

    public static bool IsCommand(string[] args) => args.Length > 0 && args[0] is "migrate" or "tenants" or "members" or "runs" or "lti" or "audit";

    public static async Task<int> RunAsync(string[] args, IConfiguration configuration, TextWriter output, TextWriter error, CancellationToken ct = default)
    {
        try
        {
            return args switch
            {
                ["migrate"] => await MigrateAsync(configuration, output, ct),
                ["tenants", "create", .. var rest] => await CreateTenantAsync(configuration, Options(rest), output, ct),
                ["members", "add", .. var rest] => await AddMemberAsync(configuration, Options(rest), output, ct),
                ["runs", "failed", .. var rest] => await RunCommands.ListFailedAsync(OwnerConnection(configuration), Options(rest), output, ct),
                ["runs", "retry", .. var rest] => await RunCommands.RetryAsync(OwnerConnection(configuration), Options(rest), output, ct),
                ["runs", "cancel", .. var rest] => await RunCommands.CancelAsync(OwnerConnection(configuration), Options(rest), output, ct),
                ["lti", "platforms", "add", .. var rest] => await LtiCommands.AddPlatformAsync(configuration, OwnerConnection(configuration), Options(rest), output, ct),
                ["audit", "floor", .. var rest] => await SetAuditFloorAsync(configuration, Options(rest), output, ct),
                _ => throw new CliUsageException("unknown command"),
            };
        }
        catch (CliUsageException e)
        {
            await error.WriteLineAsync($"error: {e.Message}\n{Usage}");
            return 2;
        }
        catch (Exception e) when (e is CliException or NpgsqlException or InvalidOperationException or DbUpdateException)
        {
            await error.WriteLineAsync($"error: {Describe(e)}");
            return 1;
        }
    }

    private static async Task<int> MigrateAsync(IConfiguration configuration, TextWriter output, CancellationToken ct)
    {
        await DatabaseMigrator.MigrateAsync(OwnerConnection(configuration), Required(configuration, "Postgres"), ct);
        await output.WriteLineAsync("migrations applied; application role granted");
        return 0;
    }

    private static async Task<int> CreateTenantAsync(IConfiguration configuration, Dictionary<string, string> options, TextWriter output, CancellationToken ct)
    {
        var name = Option(options, "name");
        if (name.Length is 0 or > 200)
        {
            throw new CliUsageException("--name must be 1 to 200 characters");
        }
        options.TryGetValue("firebase-tenant", out var firebaseTenant);
        var tenant = new Tenant { Name = name, FirebaseTenantId = firebaseTenant, CreatedAt = DateTimeOffset.UtcNow };

        await using var dataSource = NpgsqlDataSource.Create(OwnerConnection(configuration));
        await using var db = DataServiceCollectionExtensions.CreateContext(dataSource, tenant.Id);
        db.Tenants.Add(tenant);
        await db.SaveChangesAsync(ct);
        await output.WriteLineAsync(tenant.Id.ToString());
        return 0;
    }

    private static async Task<int> AddMemberAsync(IConfiguration configuration, Dictionary<string, string> options, TextWriter output, CancellationToken ct)
    {
        if (!Guid.TryParse(Option(options, "tenant"), out var tenantId))
        {
            throw new CliUsageException("--tenant must be a tenant id (UUID)");
        }
        var uid = Option(options, "uid");
        if (uid.Length is 0 or > 128)
        {
            throw new CliUsageException("--uid must be 1 to 128 characters");
        }
        if (UserData.IsNotAUser(uid))
        {
            throw new CliUsageException("--" + Members.MemberUidRule.ReservedUidMessage);
        }
        var role = Option(options, "role");
        if (!Roles.IsValid(role))
        {
            throw new CliUsageException("--role must be candidate, author or admin");
        }

        await using var dataSource = NpgsqlDataSource.Create(OwnerConnection(configuration));
        await using var db = DataServiceCollectionExtensions.CreateContext(dataSource, tenantId);
        if (!await db.Tenants.AnyAsync(t => t.Id == tenantId, ct))
        {
            throw new CliException($"tenant {tenantId} not found");
        }
        var now = TimeProvider.System.Now();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var previous = await db.Memberships.Where(m => m.TenantId == tenantId && m.Uid == uid).Select(m => m.Role).SingleOrDefaultAsync(ct);
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO memberships (tenant_id, uid, role, created_at, updated_at) VALUES ({tenantId}, {uid}, {role}, {now}, {now})
            ON CONFLICT (tenant_id, uid) DO UPDATE SET role = excluded.role, updated_at = excluded.updated_at
            """, ct);
        db.AuditEvents.Add(new AuditEvent
        {
            TenantId = tenantId,
            OccurredAt = now,
            Actor = AuditActions.OperatorActor,
            Action = AuditActions.MemberRoleSet,
            Resource = $"member/{uid}",
            Outcome = AuditOutcomes.Success,
            Details = AuditTrail.Serialize(new { role, previous_role = previous, via = "cli" }),
        });
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        await output.WriteLineAsync($"{uid} is {role} in tenant {tenantId}");
        return 0;
    }

    /// <summary>The shortest audit retention purge_audit_events accepts; a row only the owner may change.</summary>
    private static async Task<int> SetAuditFloorAsync(IConfiguration configuration, Dictionary<string, string> options, TextWriter output, CancellationToken ct)
    {
        if (!int.TryParse(Option(options, "days"), System.Globalization.CultureInfo.InvariantCulture, out var days) || days is < 1 or > 3650)
        {
            throw new CliUsageException("--days must be a whole number from 1 to 3650");
        }
        await using var dataSource = NpgsqlDataSource.Create(OwnerConnection(configuration));
        await using var db = DataServiceCollectionExtensions.CreateContext(dataSource);
        var now = TimeProvider.System.GetUtcNow();
        await db.AuditRetentionFloor.ExecuteUpdateAsync(f => f.SetProperty(x => x.MinDays, days).SetProperty(x => x.UpdatedAt, now), ct);
        await output.WriteLineAsync($"audit events are now kept at least {days} days (set Audit__RetentionDays to match)");
        return 0;
    }

    private static Dictionary<string, string> Options(string[] args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new CliUsageException($"unexpected argument '{args[i]}'");
            }
            options[args[i][2..]] = args[i + 1];
        }
        return options;
    }

    private static string Option(Dictionary<string, string> options, string name) =>
        options.TryGetValue(name, out var value) ? value : throw new CliUsageException($"--{name} is required");

    private static string OwnerConnection(IConfiguration configuration) => Required(configuration, "PostgresMigrations");

    private static string Required(IConfiguration configuration, string name) =>
        configuration.GetConnectionString(name) is { Length: > 0 } value
            ? value
            : throw new CliException($"ConnectionStrings__{name} is not set");

    private static string Describe(Exception e) => e switch
    {
        DbUpdateException { InnerException: PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } } => "already exists (a tenant with that Firebase tenant id?)",
        DbUpdateException { InnerException: PostgresException p } => p.MessageText,
        PostgresException p => p.MessageText,
        _ => e.Message,
    };
}

public sealed class CliException(string message) : Exception(message);

public sealed class CliUsageException(string message) : Exception(message);
