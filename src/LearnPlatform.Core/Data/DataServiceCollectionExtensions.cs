using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace LearnPlatform.Core.Data;

public static class DataServiceCollectionExtensions
{
    public static IServiceCollection AddLearnPlatformData(this IServiceCollection services, string appConnectionString)
    {
        services.AddSingleton(_ => CreateDataSource(appConnectionString));
        services.AddScoped<TenantScope>();
        services.AddSingleton<PaperVersionCache>();
        services.AddSingleton<DatabaseSchema>();
        services.AddPooledDbContextFactory<LearnPlatformDbContext>((sp, options) => Configure(options, sp.GetRequiredService<NpgsqlDataSource>()));
        // The unit of work's context: leased from the pool, given the scope's tenant, returned when the scope ends.
        services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<LearnPlatformDbContext>>().CreateDbContext().For(sp.GetRequiredService<TenantScope>()));
        return services;
    }

    /// <summary>
    /// The application role's pooled data source, with three defaults the connection string can override:
    /// <list type="bullet">
    /// <item>Statements are prepared automatically once used a few times (Max Auto Prepare): with row-level security,
    /// planning costs several times the execution of the API's short queries, and Npgsql keeps prepared statements across
    /// the pool's reset, so each physical connection plans each statement once.</item>
    /// <item>At most <see cref="DefaultMaxPoolSize"/> connections (Maximum Pool Size) instead of Npgsql's 100: a class
    /// pressing Start together otherwise grows the pool to 100 server processes, each forked, authenticated (SCRAM) and
    /// planning from cold, all competing for the same cores; waiting a moment for a free connection is faster
    /// (docs/benchmarks.md, G7). It also keeps a few replicas within the server's max_connections.</item>
    /// <item>No GSS encryption attempt (Gss Encryption Mode): nothing here uses Kerberos, and each new connection would
    /// otherwise try it first.</item>
    /// </list>
    /// </summary>
    public static NpgsqlDataSource CreateDataSource(string appConnectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(appConnectionString);
        var settings = builder.ConnectionStringBuilder;
        var named = NamedSettings(appConnectionString);
        if (!named.Contains("maxautoprepare"))
        {
            settings.MaxAutoPrepare = AutoPreparedStatements;
        }
        if (!named.Contains("maximumpoolsize") && !named.Contains("maxpoolsize"))
        {
            settings.MaxPoolSize = DefaultMaxPoolSize;
        }
        if (!named.Contains("gssencryptionmode"))
        {
            settings.GssEncryptionMode = GssEncryptionMode.Disable;
        }
        return builder.Build();
    }

    /// <summary>Statements each physical connection keeps prepared (the least used go first).</summary>
    public const int AutoPreparedStatements = 128;

    /// <summary>Connections each process keeps at most, unless the connection string sets Maximum Pool Size.</summary>
    public const int DefaultMaxPoolSize = 32;

    /// <summary>The keywords the connection string sets, lower case without spaces.</summary>
    private static HashSet<string> NamedSettings(string connectionString) =>
        new DbConnectionStringBuilder { ConnectionString = connectionString }.Keys
            .Cast<string>()
            .Select(k => k.Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant())
            .ToHashSet();

    /// <summary>A context outside dependency injection (CLI, migrations, seeding), acting for <paramref name="tenantId"/>.</summary>
    public static LearnPlatformDbContext CreateContext(NpgsqlDataSource dataSource, Guid? tenantId = null)
    {
        var options = new DbContextOptionsBuilder<LearnPlatformDbContext>();
        Configure(options, dataSource);
        return new LearnPlatformDbContext(options.Options).For(new TenantScope { TenantId = tenantId });
    }

    /// <summary>A context for migrations, with the owner's connection: schema statements are sent as written, with no tenant.</summary>
    public static LearnPlatformDbContext CreateMigrationContext(NpgsqlDataSource ownerDataSource)
    {
        var options = new DbContextOptionsBuilder<LearnPlatformDbContext>();
        Configure(options, ownerDataSource, tenantScoped: false);
        return new LearnPlatformDbContext(options.Options);
    }

    public static DbContextOptionsBuilder Configure(DbContextOptionsBuilder options, NpgsqlDataSource dataSource, bool tenantScoped = true)
    {
        options
            .UseNpgsql(dataSource)
            .UseQueryTrackingBehavior(QueryTrackingBehavior.NoTracking)
            // Migrations are hand-written SQL (RLS policies, grants); there is no model snapshot to compare with.
            .ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));
        return tenantScoped ? options.AddInterceptors(TenantConnectionInterceptor.Instance) : options;
    }
}
