using System.Diagnostics;
using LearnPlatform.Api;
using LearnPlatform.Core.Data;

namespace LearnPlatform.IntegrationTests.Identity;

/// <summary>Roles are kept for a few seconds per replica; removing a member still takes effect within that bound.</summary>
public sealed class MembershipCacheTests
{
    private const int CacheSeconds = 2;

    [Fact]
    public async Task RemovedAdminLosesAccessAtOnceOnTheReplicaThatRemovedThemAndWithinTheCacheLifetimeOnAnother()
    {
        await using var first = await TestApp.StartAsync(s => s["Identity:MembershipCacheSeconds"] = $"{CacheSeconds}");
        await using var second = await TestApp.StartAsync(s => s["Identity:MembershipCacheSeconds"] = $"{CacheSeconds}", database: first.Database);
        var tenant = await first.CreateTenantAsync();
        var owner = first.ClientWithBearer((await first.SignUpAsync(tenant, Roles.Admin)).IdToken);
        var member = await first.SignUpAsync(tenant, Roles.Admin);
        var onFirst = first.ClientWithBearer(member.IdToken);
        var onSecond = second.ClientWithBearer(member.IdToken);
        Assert.Equal(HttpStatusCode.OK, (await onFirst.GetAsync("/api/v1/members")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await onSecond.GetAsync("/api/v1/members")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await owner.DeleteAsync($"/api/v1/members/{member.Uid}")).StatusCode);
        var removed = Stopwatch.StartNew();

        Assert.Equal(HttpStatusCode.Forbidden, (await onFirst.GetAsync("/api/v1/members")).StatusCode);
        // The other replica still has the role it read a moment ago: the window the cache allows...
        Assert.Equal(HttpStatusCode.OK, (await onSecond.GetAsync("/api/v1/members")).StatusCode);
        // ...and no longer than that.
        await Eventually.TrueAsync(
            async () => (await onSecond.GetAsync("/api/v1/members")).StatusCode == HttpStatusCode.Forbidden,
            TimeSpan.FromSeconds(CacheSeconds + 2), "the other replica to forget the removed admin");
        Assert.True(removed.Elapsed < TimeSpan.FromSeconds(CacheSeconds + 1), $"the removed admin kept access for {removed.Elapsed}");
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("61")]
    public async Task MembershipCacheLifetimeOutsideZeroToSixtySecondsIsAStartupError(string seconds)
    {
        var error = await Assert.ThrowsAsync<StartupException>(() => TestApp.StartAsync(s => s["Identity:MembershipCacheSeconds"] = seconds));

        Assert.Equal("Identity:MembershipCacheSeconds must be between 0 (no cache) and 60.", error.Message);
    }
}
