namespace LearnPlatform.IntegrationTests.Sessions;

public sealed class GuestRateLimitTests
{
    [Fact]
    public async Task GuestSessionCreationIsLimitedPerClientWithRetryAfter()
    {
        await using var app = await TestApp.StartAsync(settings => settings["RateLimits:Policies:guest-sessions:PermitLimit"] = "3");
        var tenant = await app.CreateTenantAsync();
        var paper = await app.PublishAsync(tenant, TestPapers.Sample(guestAccess: true));

        var responses = new List<HttpResponseMessage>();
        for (var i = 0; i < 4; i++)
        {
            responses.Add(await app.Client.PostAsJsonAsync("/api/v1/guest-sessions", new { paper_id = paper }));
        }

        Assert.All(responses.Take(3), r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var limited = responses[3];
        await limited.AssertProblemAsync(HttpStatusCode.TooManyRequests);
        var retryAfter = int.Parse(limited.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 60);
    }
}
