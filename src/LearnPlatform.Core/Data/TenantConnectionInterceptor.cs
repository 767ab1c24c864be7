using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace LearnPlatform.Core.Data;

public sealed class TenantConnectionInterceptor : DbConnectionInterceptor
{
    public static readonly TenantConnectionInterceptor Instance = new();

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default) =>
        TenantConnection.SetTenantAsync(connection, TenantOf(eventData), cancellationToken);

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) =>
        TenantConnection.SetTenant(connection, TenantOf(eventData));

    private static Guid? TenantOf(ConnectionEndEventData eventData) =>
        (eventData.Context as LearnPlatformDbContext)?.Tenant.TenantId;
}
