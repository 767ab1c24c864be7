using LearnPlatform.Api.Sessions;

namespace LearnPlatform.IntegrationTests.Sessions;

/// <summary>
/// Session starts go through a gate of a few at a time per replica (Sessions:ConcurrentStarts), the rest waiting in
/// order (Sessions:QueuedStarts); past the queue a start is refused with 429 and nothing is saved. The tests take the
/// gate's only turn themselves, so what a start meets at the gate is fixed.
/// </summary>
public sealed class SessionStartGateTests
{
    [Fact]
    public async Task AStartPastAFullQueueIsRefusedWith429AndRetryAfterAndSavesNothing()
    {
        await using var app = await TestApp.StartAsync(settings =>
        {
            settings["Sessions:ConcurrentStarts"] = "1";
            settings["Sessions:QueuedStarts"] = "0";
        });
        var tenant = await app.CreateTenantAsync();
        var paper = await app.PublishAsync(tenant, TestPapers.Sample(guestAccess: true));
        var candidate = app.ClientWithBearer((await app.SignUpAsync(tenant)).IdToken);
        var gate = app.Service<SessionStartGate>();

        using (await gate.EnterAsync(CancellationToken.None))
        {
            var refused = await candidate.PostAsJsonAsync("/api/v1/sessions", new { paper_id = paper });
            var guest = await app.Client.PostAsJsonAsync("/api/v1/guest-sessions", new { paper_id = paper });

            foreach (var response in new[] { refused, guest })
            {
                var problem = await response.AssertProblemAsync(HttpStatusCode.TooManyRequests);
                Assert.Contains("starting at once", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
                Assert.Equal(TimeSpan.FromSeconds(SessionStartGate.RetryAfterSeconds), response.Headers.RetryAfter!.Delta);
            }
            Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM exam_sessions WHERE paper_id = @p", ("p", paper)));
        }

        await candidate.StartSessionAsync(paper);
    }

    [Fact]
    public async Task AQueuedStartWaitsForItsTurnAndThenStarts()
    {
        await using var app = await TestApp.StartAsync(settings =>
        {
            settings["Sessions:ConcurrentStarts"] = "1";
            settings["Sessions:QueuedStarts"] = "10";
        });
        var tenant = await app.CreateTenantAsync();
        var paper = await app.PublishAsync(tenant, TestPapers.Sample());
        var candidate = app.ClientWithBearer((await app.SignUpAsync(tenant)).IdToken);
        var gate = app.Service<SessionStartGate>();

        var turn = await gate.EnterAsync(CancellationToken.None);
        var start = candidate.PostAsJsonAsync("/api/v1/sessions", new { paper_id = paper });
        await Eventually.TrueAsync(() => Task.FromResult(gate.Waiting == 1), what: "the start waiting at the gate");
        Assert.False(start.IsCompleted);
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM exam_sessions WHERE paper_id = @p", ("p", paper)));

        turn.Dispose();

        Assert.Equal(HttpStatusCode.Created, (await start).StatusCode);
        Assert.Equal(0, gate.Waiting);
    }
}
