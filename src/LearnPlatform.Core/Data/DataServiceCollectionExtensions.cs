using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace LearnPlatform.Core.Data;

public static class DataServiceCollectionExtensions
{
    public static IServiceCollection AddLearnPlatformData(this IServiceCollection services, string appConnectionString)
    {
        services.AddSingleton(_ => new NpgsqlDataSourceBuilder(appConnectionString).Build());
        services.AddScoped<TenantScope>();
        services.AddSingleton<PaperVersionCache>();
        services.AddSingleton<DatabaseSchema>();
        services.AddDbContext<LearnPlatformDbContext>((sp, options) => Configure(options, sp.GetRequiredService<NpgsqlDataSource>()));
        return services;
    }

    /// <summary>A context outside dependency injection (CLI, migrations, seeding), acting for <paramref name="tenantId"/>.</summary>
    public static LearnPlatformDbContext CreateContext(NpgsqlDataSource dataSource, Guid? tenantId = null)
    {
        var options = new DbContextOptionsBuilder<LearnPlatformDbContext>();
        Configure(options, dataSource);
        return new LearnPlatformDbContext(options.Options, new TenantScope { TenantId = tenantId });
    }

    /// <summary>A context for migrations, with the owner's connection: schema statements are sent as written, with no tenant.</summary>
    public static LearnPlatformDbContext CreateMigrationContext(NpgsqlDataSource ownerDataSource)
    {
        var options = new DbContextOptionsBuilder<LearnPlatformDbContext>();
        Configure(options, ownerDataSource, tenantScoped: false);
        return new LearnPlatformDbContext(options.Options, new TenantScope());
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
