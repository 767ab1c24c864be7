using System.Security.Cryptography;
using System.Text.Json;
using LearnPlatform.Api.Lti;
using LearnPlatform.Core.Lti;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.IdentityModel.Tokens;

namespace LearnPlatform.UnitTests.Lti;

/// <summary>Platform keys are cached, fetched again for an unknown kid (a rotation), but not more than once per interval.</summary>
public sealed class PlatformKeysTests(KeyEndpointServer server) : IClassFixture<KeyEndpointServer>
{
    private static readonly RSA First = RSA.Create(2048);
    private static readonly RSA Second = RSA.Create(2048);

    private static string Jwks(params (string Kid, RSA Key)[] keys) => JsonSerializer.Serialize(new
    {
        keys = keys.Select(k =>
        {
            var p = k.Key.ExportParameters(false);
            return new { kty = "RSA", alg = "RS256", use = "sig", kid = k.Kid, n = Base64UrlEncoder.Encode(p.Modulus), e = Base64UrlEncoder.Encode(p.Exponent) };
        }),
    });

    private static PlatformKeys Keys(ManualClock time)
    {
        var services = new ServiceCollection();
        services.AddHttpClient(AgsClient.HttpClientName);
        return new PlatformKeys(services.BuildServiceProvider().GetRequiredService<IHttpClientFactory>(), time, NullLogger<PlatformKeys>.Instance);
    }

    [Fact]
    public async Task KnownKeysAreServedFromTheCache()
    {
        var endpoint = server.AddEndpoint();
        endpoint.ServeRawBody(Jwks(("k1", First)));
        using var keys = Keys(new ManualClock());

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal("k1", Assert.Single(await keys.GetAsync(endpoint.Url.ToString(), "k1", CancellationToken.None)).KeyId);
        }

        Assert.Equal(1, endpoint.RequestCount);
    }

    [Fact]
    public async Task AnUnknownKidFetchesTheKeysAgainButAtMostOncePerInterval()
    {
        var endpoint = server.AddEndpoint();
        endpoint.ServeRawBody(Jwks(("k1", First)));
        var time = new ManualClock();
        using var keys = Keys(time);
        await keys.GetAsync(endpoint.Url.ToString(), "k1", CancellationToken.None);
        endpoint.ServeRawBody(Jwks(("k1", First), ("k2", Second)));

        var tooSoon = await keys.GetAsync(endpoint.Url.ToString(), "k2", CancellationToken.None);
        time.Advance(PlatformKeys.MinRefreshInterval);
        var rotated = await keys.GetAsync(endpoint.Url.ToString(), "k2", CancellationToken.None);

        Assert.DoesNotContain(tooSoon, k => k.KeyId == "k2");
        Assert.Contains(rotated, k => k.KeyId == "k2");
        Assert.Equal(2, endpoint.RequestCount);
    }

    [Fact]
    public async Task StaleKeysAreDroppedWhenTheEndpointFails()
    {
        var endpoint = server.AddEndpoint();
        endpoint.ServeRawBody(Jwks(("k1", First)));
        endpoint.MaxAge = TimeSpan.FromMinutes(1);
        var time = new ManualClock();
        using var keys = Keys(time);
        await keys.GetAsync(endpoint.Url.ToString(), "k1", CancellationToken.None);
        endpoint.StatusCode = 500;
        time.Advance(TimeSpan.FromMinutes(2));

        Assert.Empty(await keys.GetAsync(endpoint.Url.ToString(), "k1", CancellationToken.None));
    }
}
