using LearnPlatform.Api.Identity.Firebase;
using Microsoft.Extensions.Caching.Memory;

namespace LearnPlatform.Api.Identity;

/// <summary>
/// Maps a verified Firebase user to a tenant and a role. It runs on every request, so answers are kept for a few seconds
/// (Identity:MembershipCacheSeconds, default 5; 0 turns it off): a role change or removal takes effect at once on the
/// replica that made it (<see cref="Forget"/>) and within those seconds on every other one. Bounded: the least
/// recently used entries go first.
/// </summary>
public sealed class TenantMembershipLookup : IDisposable
{
    public const int MaxEntries = 100_000;

    private readonly CredentialLookups lookups;
    private readonly TimeSpan lifetime;
    private readonly MemoryCache cache = new(new MemoryCacheOptions { SizeLimit = MaxEntries });

    public TenantMembershipLookup(CredentialLookups lookups, TimeSpan lifetime)
    {
        this.lookups = lookups;
        this.lifetime = lifetime;
    }

    /// <summary>Identity:MembershipCacheSeconds, checked when the app is built.</summary>
    public static TimeSpan LifetimeFrom(IConfiguration configuration)
    {
        var seconds = configuration.GetValue("Identity:MembershipCacheSeconds", 5.0);
        return seconds is >= 0 and <= 60
            ? TimeSpan.FromSeconds(seconds)
            : throw new StartupException("Identity:MembershipCacheSeconds must be between 0 (no cache) and 60.");
    }

    /// <summary>How long a removed member may keep their role on another replica.</summary>
    public TimeSpan CacheLifetime => lifetime;

    public async Task<(Guid TenantId, string Role)?> FindAsync(FirebaseUser user, CancellationToken ct)
    {
        Guid tenantId;
        if (user.FirebaseTenant is { } firebaseTenant)
        {
            if (await CachedAsync(("firebase-tenant", firebaseTenant), () => lookups.TenantOfFirebaseTenantAsync(firebaseTenant, ct)) is not { } found)
            {
                return null;
            }
            tenantId = found;
        }
        else if (!Guid.TryParse(user.TenantIdClaim, out tenantId))
        {
            return null;
        }
        var role = await CachedAsync((tenantId, user.Uid), () => lookups.RoleAsync(tenantId, user.Uid, ct));
        return role is null ? null : (tenantId, role);
    }

    /// <summary>Drops what this replica knows of a member, right after their role changed here.</summary>
    public void Forget(Guid tenantId, string uid) => cache.Remove((tenantId, uid));

    private async Task<T?> CachedAsync<T>(object key, Func<Task<T?>> read)
    {
        if (lifetime == TimeSpan.Zero)
        {
            return await read();
        }
        if (cache.TryGetValue(key, out Box<T?>? cached))
        {
            return cached!.Value;
        }
        var value = await read();
        cache.Set(key, new Box<T?>(value), new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = lifetime });
        return value;
    }

    public void Dispose() => cache.Dispose();

    /// <summary>So that "no such tenant" is cached too, and told apart from "not cached".</summary>
    private sealed record Box<T>(T Value);
}
