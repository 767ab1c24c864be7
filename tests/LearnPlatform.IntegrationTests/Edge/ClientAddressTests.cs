using LearnPlatform.Api;

namespace LearnPlatform.IntegrationTests.Edge;

/// <summary>The client address (what per-address limits count) comes from X-Forwarded-For only when a trusted proxy sent it.</summary>
public sealed class ClientAddressTests
{
    private const HttpStatusCode Passed = HttpStatusCode.NotFound;

    private static Task<TestApp> StartAsync(Action<Dictionary<string, string?>>? trust = null) =>
        TestApp.StartAsync(settings =>
        {
            settings["RateLimits:Policies:guest-sessions:PermitLimit"] = "2";
            trust?.Invoke(settings);
        });

    [Fact]
    public async Task ForwardedForFromATrustedProxyIsTheClientAddress()
    {
        await using var app = await StartAsync(settings => settings["Network:TrustedProxies:0"] = "127.0.0.1");

        var first = await EdgeCalls.StatusesAsync(3, () => app.Client.CreateGuestSessionAsync(forwardedFor: "203.0.113.7"));
        var second = await EdgeCalls.StatusesAsync(2, () => app.Client.CreateGuestSessionAsync(forwardedFor: "198.51.100.9"));

        Assert.Equal([Passed, Passed, HttpStatusCode.TooManyRequests], first);
        Assert.Equal([Passed, Passed], second);
    }

    [Fact]
    public async Task TrustedNetworkInCidrNotationIsHonouredToo()
    {
        await using var app = await StartAsync(settings => settings["Network:TrustedNetworks:0"] = "127.0.0.0/8");

        var first = await EdgeCalls.StatusesAsync(3, () => app.Client.CreateGuestSessionAsync(forwardedFor: "203.0.113.7"));
        var second = await EdgeCalls.StatusesAsync(1, () => app.Client.CreateGuestSessionAsync(forwardedFor: "198.51.100.9"));

        Assert.Equal([Passed, Passed, HttpStatusCode.TooManyRequests], first);
        Assert.Equal([Passed], second);
    }

    [Fact]
    public async Task SpoofedForwardedForFromAnUntrustedPeerIsIgnored()
    {
        await using var app = await StartAsync();

        var statuses = new List<HttpStatusCode>();
        foreach (var spoofed in new[] { "203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4" })
        {
            using var response = await app.Client.CreateGuestSessionAsync(forwardedFor: spoofed);
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([Passed, Passed, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
    }

    [Fact]
    public async Task AddressesPrependedByTheClientBeforeTheTrustedProxyAreIgnored()
    {
        await using var app = await StartAsync(settings => settings["Network:TrustedProxies:0"] = "127.0.0.1");

        // The proxy appends the address it saw (203.0.113.7); what the client wrote before it is not believed.
        var statuses = new List<HttpStatusCode>();
        foreach (var spoofed in new[] { "10.9.9.1", "10.9.9.2", "10.9.9.3" })
        {
            using var response = await app.Client.CreateGuestSessionAsync(forwardedFor: $"{spoofed}, 203.0.113.7");
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([Passed, Passed, HttpStatusCode.TooManyRequests], statuses);
    }

    [Theory]
    [InlineData("Network:TrustedProxies:0", "10.0.0.300")]
    [InlineData("Network:TrustedNetworks:0", "10.0.0.0")]
    public async Task MalformedTrustIsRefusedAtStartup(string key, string value)
    {
        var error = await Assert.ThrowsAsync<StartupException>(() => TestApp.StartAsync(settings => settings[key] = value));

        Assert.Contains(value, error.Message, StringComparison.Ordinal);
    }
}
