using System.Security.Cryptography;
using System.Text;
using LearnPlatform.Api;

namespace LearnPlatform.IntegrationTests.Audit;

/// <summary>Audit:ClientIp decides what of the caller's address reaches the trail: its network, a keyed hash, or nothing.</summary>
public sealed class ClientIpTests
{
    private const string Key = "an-audit-ip-hash-key-of-at-least-32-characters";

    private static async Task<string?> RecordedAddressAsync(Action<Dictionary<string, string?>> settings)
    {
        await using var app = await TestApp.StartAsync(settings);
        var tenant = await app.CreateTenantAsync();
        await app.ClientWithBearer((await app.SignUpAsync(tenant)).IdToken).StartSessionAsync(await app.PublishAsync(tenant));
        return Assert.Single(await app.TenantAuditAsync(tenant, "session.start")).ClientIp;
    }

    [Fact]
    public async Task HashModeStoresTheKeyedHmacOfTheAddress()
    {
        var stored = await RecordedAddressAsync(s => { s["Audit:ClientIp"] = "hash"; s["Audit:IpHashKey"] = Key; });

        Assert.Equal(Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Key), IPAddress.Loopback.GetAddressBytes())), stored);
    }

    [Fact]
    public async Task NoneModeStoresNoAddress()
    {
        Assert.Null(await RecordedAddressAsync(s => s["Audit:ClientIp"] = "none"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("too-short")]
    public async Task HashModeWithoutAUsableKeyRefusesToStartWithOneLine(string? key)
    {
        var error = await Assert.ThrowsAsync<StartupException>(() => TestApp.StartAsync(s => { s["Audit:ClientIp"] = "hash"; s["Audit:IpHashKey"] = key; }));

        Assert.Contains("Audit:IpHashKey", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
        if (key is not null)
        {
            Assert.DoesNotContain(key, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AnUnknownModeRefusesToStart()
    {
        var error = await Assert.ThrowsAsync<StartupException>(() => TestApp.StartAsync(s => s["Audit:ClientIp"] = "full"));

        Assert.Equal("Audit:ClientIp must be truncate, hash or none.", error.Message);
    }
}
