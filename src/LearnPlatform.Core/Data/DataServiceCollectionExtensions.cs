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
    /// The application role's pooled data source. Statements are prepared automatically once used a few times (unless
    /// the connection string sets Max Auto Prepare itself): with row-level security, planning costs several times the
    /// execution of the API's short queries, and Npgsql keeps prepared statements across the pool's reset (it then resets
    /// without DEALLOCATE), so each physical connection plans each statement once.
    /// </summary>
    public static NpgsqlDataSource CreateDataSource(string appConnectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(appConnectionString);
        if (builder.ConnectionStringBuilder.MaxAutoPrepare == 0)
        {
            builder.ConnectionStringBuilder.MaxAutoPrepare = AutoPreparedStatements;
        }
        return builder.Build();
    }

    /// <summary>Statements each physical connection keeps prepared (the least used go first).</summary>
    public const int AutoPreparedStatements = 128;

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
