using System.Net;
using System.Net.Sockets;
using LearnPlatform.Api.Identity.Firebase;

namespace LearnPlatform.UnitTests.Identity.Firebase;

public sealed class FirebaseSigningKeysCacheTests(KeyEndpointServer server) : IClassFixture<KeyEndpointServer>
{
    [Fact]
    public async Task HundredVerificationsFetchTheKeysOnce()
    {
        var endpoint = server.AddEndpoint(TestSigningKey.Primary);
        using var harness = new VerifierHarness(endpoint.Url);
        var token = harness.ValidToken();

        for (var i = 0; i < 100; i++)
            Assert.True((await harness.VerifyAsync(token)).IsValid);

        Assert.Equal(1, endpoint.RequestCount);
    }

    [Fact]
    public async Task ConcurrentVerificationsOnAColdCacheFetchTheKeysOnce()
    {
        var endpoint = server.AddEndpoint(TestSigningKey.Primary);
        endpoint.ResponseDelay = TimeSpan.FromMilliseconds(300);
        using var harness = new VerifierHarness(endpoint.Url);
        var token = harness.ValidToken();

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => harness.VerifyAsync(token))));

        Assert.All(results, result => Assert.True(result.IsValid));
        Assert.Equal(1, endpoint.RequestCount);
    }

    [Fact]
    public async Task KeysAreFetchedExactlyOnceMoreAfterMaxAge()
    {
        var endpoint = server.AddEndpoint(TestSigningKey.Primary);
        endpoint.MaxAge = TimeSpan.FromHours(1);
        using var harness = new VerifierHarness(endpoint.Url);
        await harness.VerifyAsync(harness.ValidToken());

        harness.Time.Advance(TimeSpan.FromMinutes(59));
        for (var i = 0; i < 10; i++)
            Assert.True((await harness.VerifyAsync(harness.ValidToken())).IsValid);
        Assert.Equal(1, endpoint.RequestCount);

        harness.Time.Advance(TimeSpan.FromMinutes(1));
        for (var i = 0; i < 20; i++)
            Assert.True((await harness.VerifyAsync(harness.ValidToken())).IsValid);
        Assert.Equal(2, endpoint.RequestCount);
    }

    [Fact]
    public async Task KeysWithoutMaxAgeAreCachedForFiveMinutes()
    {
        var endpoint = server.AddEndpoint(TestSigningKey.Primary);
        endpoint.MaxAge = null;
        using var harness = new VerifierHarness(endpoint.Url);
        await harness.VerifyAsync(harness.ValidToken());

        harness.Time.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1));
        await harness.VerifyAsync(harness.ValidToken());
        Assert.Equal(1, endpoint.RequestCount);

        harness.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.True((await harness.VerifyAsync(harness.ValidToken())).IsValid);
        Assert.Equal(2, endpoint.RequestCount);
    }

    [Fact]
    public async Task UnknownKidsRefetchAtMostOncePerMinKeyRefreshInterval()
    {
        var endpoint = server.AddEndpoint(TestSigningKey.Primary);
        using var harness = new VerifierHarness(endpoint.Url);
        await harness.VerifyAsync(harness.ValidToken());
        Assert.Equal(1, endpoint.RequestCount);

        // The first fetch itself counts: within a minute of it, random kids fetch nothing.
        Assert.Equal(1, await SendRandomKidsAsync(harness, endpoint, 50));

        harness.Time.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(2, await SendRandomKidsAsync(harness, endpoint, 50));

        harness.Time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(2, await SendRandomKidsAsync(harness, endpoint, 50));

        harness.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(3, await SendRandomKidsAsync(harness, endpoint, 50));
    }

    [Fact]
    public async Task ConcurrentUnknownKidsCauseOneRefetch()
    {
        var endpoint = server.AddEndpoint(TestSigningKey.Primary);
        using var harness = new VerifierHarness(endpoint.Url);
        await harness.VerifyAsync(harness.ValidToken());
        harness.Time.Advance(TimeSpan.FromMinutes(2));
        endpoint.ResponseDelay = TimeSpan.FromMilliseconds(300);

        var tokens = Enumerable.Range(0, 20).Select(i => TestTokens.SignedRs256(TestSigningKey.Primary, harness.ValidClaims(), kid: $"random-{i}"));
        var results = await Task.WhenAll(tokens.Select(token => Task.Run(() => harness.VerifyAsync(token))));

        Assert.All(results, result => Assert.Equal(TokenRejection.UnknownKey, result.Rejection));
        Assert.Equal(2, endpoint.RequestCount);
    }

    [Fact]
    public async Task ClientsThatCancelCannotDefeatTheRefreshLimit()
    {
        var endpoint = server.AddEndpoint(TestSigningKey.Primary);
        using var harness = new VerifierHarness(endpoint.Url);
        await harness.VerifyAsync(harness.ValidToken());
        harness.Time.Advance(TimeSpan.FromMinutes(2));
        endpoint.ResponseDelay = TimeSpan.FromMilliseconds(500);

        for (var i = 0; i < 10; i++)
        {
            using var impatient = new CancellationTokenSource(TimeSpan.FromMilliseconds(20));
            var token = TestTokens.SignedRs256(TestSigningKey.Primary, harness.ValidClaims(), kid: $"random-{i}");
            try
            {
                await harness.Verifier.VerifyAsync(token, impatient.Token);
            }
            catch (OperationCanceledException)
            {
                // The client went away; what matters is what it cost the key endpoint.
            }
        }

        // A patient caller joins the refresh still in flight, or finds it done; either way nothing is fetched again.
        Assert.Equal(TokenRejection.UnknownKey, await harness.RejectionOfAsync(
            TestTokens.SignedRs256(TestSigningKey.Primary, harness.ValidClaims(), kid: "random-after")));
        Assert.Equal(2, endpoint.RequestCount);
    }

    [Fact]
    public async Task AnAbandonedRefreshStillUpdatesTheKeys()
    {
        var endpoint = server.AddEndpoint(TestSigningKey.Primary);
        using var harness = new VerifierHarness(endpoint.Url);
        await harness.VerifyAsync(harness.ValidToken());
        endpoint.Serve(TestSigningKey.Primary, TestSigningKey.Rotated);
        harness.Time.Advance(harness.Options.MinKeyRefreshInterval);
        endpoint.ResponseDelay = TimeSpan.FromMilliseconds(300);

        using var impatient = new CancellationTokenSource(TimeSpan.FromMilliseconds(20));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            async () => await harness.Verifier.VerifyAsync(harness.ValidToken(TestSigningKey.Rotated), impatient.Token));

        Assert.True((await harness.VerifyAsync(harness.ValidToken(TestSigningKey.Rotated))).IsValid);
        Assert.Equal(2, endpoint.RequestCount);
    }

    [Fact]
    public async Task RotatedKeyIsPickedUpByTheUnknownKidRefetch()
    {
        var endpoint = server.AddEndpoint(TestSigningKey.Primary);
        using var harness = new VerifierHarness(endpoint.Url);
        Assert.True((await harness.VerifyAsync(harness.ValidToken())).IsValid);

        endpoint.Serve(TestSigningKey.Primary, TestSigningKey.Rotated);
        harness.Time.Advance(harness.Options.MinKeyRefreshInterval);
        var result = await harness.VerifyAsync(harness.ValidToken(TestSigningKey.Rotated));

        Assert.True(result.IsValid, result.ToString());
        Assert.Equal(2, endpoint.RequestCount);
    }

    [Fact]
    public async Task FreshKeysStayUsableWhenAnUnknownKidRefetchFails()
    {
        var endpoint = server.AddEndpoint(TestSigningKey.Primary);
        using var harness = new VerifierHarness(endpoint.Url);
        await harness.VerifyAsync(harness.ValidToken());
        endpoint.StatusCode = 503;
        harness.Time.Advance(TimeSpan.FromMinutes(2));

        Assert.Equal(TokenRejection.UnknownKey, await harness.RejectionOfAsync(harness.ValidToken(TestSigningKey.Rotated)));
        Assert.True((await harness.VerifyAsync(harness.ValidToken())).IsValid);
        Assert.Equal(2, endpoint.RequestCount);
    }

    [Theory]
    [InlineData(503, null)]
    [InlineData(404, null)]
    [InlineData(200, "<html>Service unavailable</html>")]
    [InlineData(200, "[\"not\", \"an object\"]")]
    [InlineData(200, "{\"primary-kid\": \"-----BEGIN CERTIFICATE-----\\nnot base64\\n-----END CERTIFICATE-----\\n\"}")]
    [InlineData(200, "{\"primary-kid\": 42}")]
    [InlineData(200, "null")]
    public async Task BrokenKeyEndpointRejectsTheTokenWithoutThrowing(int status, string? body)
    {
        var endpoint = server.AddEndpoint(TestSigningKey.Primary);
        endpoint.StatusCode = status;
        if (body is not null)
            endpoint.ServeRawBody(body);
        using var harness = new VerifierHarness(endpoint.Url);

        Assert.Equal(TokenRejection.UnknownKey, await harness.RejectionOfAsync(harness.ValidToken()));
        Assert.Equal(1, endpoint.RequestCount);
    }

    [Fact]
    public async Task UnreachableKeyEndpointRejectsTheTokenWithoutThrowing()
    {
        using var harness = new VerifierHarness(new Uri($"http://127.0.0.1:{ClosedPort()}/keys"));

        Assert.Equal(TokenRejection.UnknownKey, await harness.RejectionOfAsync(harness.ValidToken()));
        Assert.Contains(harness.Logs.Lines, entry => entry.StartsWith("Warning FirebaseSigningKeys:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FailedFetchIsRetriedAfterABackoffNotOnEveryRequest()
    {
        var endpoint = server.AddEndpoint(TestSigningKey.Primary);
        endpoint.StatusCode = 503;
        using var harness = new VerifierHarness(endpoint.Url);
        for (var i = 0; i < 20; i++)
            Assert.Equal(TokenRejection.UnknownKey, await harness.RejectionOfAsync(harness.ValidToken()));
        Assert.Equal(1, endpoint.RequestCount);

        endpoint.StatusCode = 200;
        harness.Time.Advance(TimeSpan.FromSeconds(5));

        Assert.True((await harness.VerifyAsync(harness.ValidToken())).IsValid);
        Assert.Equal(2, endpoint.RequestCount);
    }

    [Fact]
    public async Task StaleKeysAreNotUsedWhenTheRefetchFails()
    {
        var endpoint = server.AddEndpoint(TestSigningKey.Primary);
        using var harness = new VerifierHarness(endpoint.Url);
        Assert.True((await harness.VerifyAsync(harness.ValidToken())).IsValid);

        endpoint.StatusCode = 500;
        harness.Time.Advance(TimeSpan.FromHours(1));

        Assert.Equal(TokenRejection.UnknownKey, await harness.RejectionOfAsync(harness.ValidToken()));
        Assert.Equal(2, endpoint.RequestCount);
    }

    private static async Task<int> SendRandomKidsAsync(VerifierHarness harness, KeyEndpoint endpoint, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var token = TestTokens.SignedRs256(TestSigningKey.Primary, harness.ValidClaims(), kid: Guid.NewGuid().ToString());
            Assert.Equal(TokenRejection.UnknownKey, await harness.RejectionOfAsync(token));
        }
        return endpoint.RequestCount;
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
