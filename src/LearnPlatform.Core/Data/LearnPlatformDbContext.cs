using Microsoft.EntityFrameworkCore;

namespace LearnPlatform.Core.Data;

public sealed class LearnPlatformDbContext(DbContextOptions<LearnPlatformDbContext> options, TenantScope tenant) : DbContext(options)
{
    public TenantScope Tenant { get; } = tenant;

    public DbSet<Tenant> Tenants => Set<Tenant>();
    public DbSet<Membership> Memberships => Set<Membership>();
    public DbSet<GuestToken> GuestTokens => Set<GuestToken>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Tenant>(tenant =>
        {
            tenant.ToTable("tenants");
            tenant.HasIndex(t => t.FirebaseTenantId).IsUnique();
        });
        modelBuilder.Entity<Membership>(membership =>
        {
            membership.ToTable("memberships");
            membership.HasKey(m => new { m.TenantId, m.Uid });
        });
        modelBuilder.Entity<GuestToken>(token =>
        {
            token.ToTable("guest_tokens");
            token.HasIndex(t => t.TokenHash).IsUnique();
        });

        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties())
            {
                property.SetColumnName(SnakeCase.From(property.Name));
            }
        }
    }
}
