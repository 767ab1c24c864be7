namespace LearnPlatform.IntegrationTests.Sessions;

/// <summary>
/// Guest sessions per paper per hour are capped, whatever addresses they come from: each one is a fresh set of
/// per-session AI caps, so the per-address limit alone would let a botnet open them without end.
/// </summary>
public sealed class GuestSessionCapTests
{
    [Fact]
    public async Task GuestSessionsOfOnePaperAreCappedPerHourWith429AndRetryAfterWhileOtherPapersStayOpen()
    {
        await using var app = await TestApp.StartAsync(settings => settings["RateLimits:GuestSessionsPerPaperPerHour"] = "3");
        var tenant = await app.CreateTenantAsync();
        var paper = await app.PublishAsync(tenant, TestPapers.Sample(guestAccess: true));
        var other = await app.PublishAsync(tenant, TestPapers.Sample(guestAccess: true));

        var responses = new List<HttpResponseMessage>();
        for (var i = 0; i < 4; i++)
        {
            responses.Add(await app.Client.PostAsJsonAsync("/api/v1/guest-sessions", new { paper_id = paper }));
        }
        var otherPaper = await app.Client.PostAsJsonAsync("/api/v1/guest-sessions", new { paper_id = other });

        Assert.All(responses.Take(3), r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var limited = responses[3];
        var problem = await limited.AssertProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.Contains("guest sessions", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.InRange(limited.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 3600);
        Assert.Equal(HttpStatusCode.Created, otherPaper.StatusCode);
        Assert.Equal(3, await app.CountAsync("SELECT count(*) FROM exam_sessions WHERE paper_id = @p", ("p", paper)));
    }

    [Fact]
    public async Task AnUnknownPaperIsNotFoundAndCountsAgainstNothing()
    {
        await using var app = await TestApp.StartAsync(settings => settings["RateLimits:GuestSessionsPerPaperPerHour"] = "1");

        for (var i = 0; i < 2; i++)
        {
            await (await app.Client.PostAsJsonAsync("/api/v1/guest-sessions", new { paper_id = Guid.NewGuid() })).AssertProblemAsync(HttpStatusCode.NotFound);
        }
    }
}
