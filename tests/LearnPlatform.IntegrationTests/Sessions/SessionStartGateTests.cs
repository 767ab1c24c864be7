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
        var (app, paper, candidate, gate) = await OneTurnGateAsync(queued: 0);
        await using var _ = app;

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
        var (app, paper, candidate, gate) = await OneTurnGateAsync(queued: 10);
        await using var _ = app;

        var turn = await gate.EnterAsync(CancellationToken.None);
        var start = candidate.PostAsJsonAsync("/api/v1/sessions", new { paper_id = paper });
        await Eventually.TrueAsync(() => Task.FromResult(gate.Waiting == 1), what: "the start waiting at the gate");
        Assert.False(start.IsCompleted);
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM exam_sessions WHERE paper_id = @p", ("p", paper)));

        turn.Dispose();

        Assert.Equal(HttpStatusCode.Created, (await start).StatusCode);
        Assert.Equal(0, gate.Waiting);
    }

    /// <summary>An app whose gate has one turn and <paramref name="queued"/> places, a guest-open paper and a candidate.</summary>
    private static async Task<(TestApp App, Guid Paper, HttpClient Candidate, SessionStartGate Gate)> OneTurnGateAsync(int queued)
    {
        var app = await TestApp.StartAsync(settings =>
        {
            settings["Sessions:ConcurrentStarts"] = "1";
            settings["Sessions:QueuedStarts"] = queued.ToString(System.Globalization.CultureInfo.InvariantCulture);
        });
        var tenant = await app.CreateTenantAsync();
        var paper = await app.PublishAsync(tenant, TestPapers.Sample(guestAccess: true));
        var candidate = app.ClientWithBearer((await app.SignUpAsync(tenant)).IdToken);
        return (app, paper, candidate, app.Service<SessionStartGate>());
    }
}
