namespace LearnPlatform.IntegrationTests.Sessions;

/// <summary>Scans every candidate- and guest-facing response for the paper's answer keys, rubric and hidden tests.</summary>
public sealed class AnswerKeyLeakTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private static readonly string[] Secrets = ["\"correct\"", "\"rubric\"", "RUBRIC-SECRET", "HIDDEN_SECRET", "\"hidden\""];

    [Fact]
    public async Task NoCandidateOrGuestFacingResponseCarriesAnswerKeys()
    {
        var app = fixture.App;
        var tenant = await app.CreateTenantAsync();
        var paper = await app.PublishAsync(tenant, TestPapers.Sample(guestAccess: true, shuffle: true));
        var candidate = app.ClientWithBearer((await app.SignUpAsync(tenant)).IdToken);

        var bodies = new List<string>();
        async Task Capture(Task<HttpResponseMessage> call)
        {
            var response = await call;
            Assert.True((int)response.StatusCode < 500, $"{response.RequestMessage?.RequestUri}: {response.StatusCode}");
            bodies.Add(await response.Content.ReadAsStringAsync());
        }

        var started = await candidate.PostAsJsonAsync("/api/v1/sessions", new { paper_id = paper });
        bodies.Add(await started.Content.ReadAsStringAsync());
        var session = (await started.Content.ReadFromJsonAsync<JsonElement>()).Id();
        await Capture(candidate.PostAsJsonAsync("/api/v1/sessions", new { paper_id = paper }));
        await Capture(candidate.GetAsync($"/api/v1/sessions/{session}"));
        await Capture(candidate.GetAsync("/api/v1/sessions"));
        await Capture(candidate.SaveAsync(session, "q1", new[] { "4" }));
        await Capture(candidate.SaveAsync(session, "q1", new[] { "not an option" }));
        await Capture(candidate.SubmitAsync(session));
        await Capture(candidate.GetAsync($"/api/v1/sessions/{session}"));

        var guest = await app.Client.PostAsJsonAsync("/api/v1/guest-sessions", new { paper_id = paper });
        var guestBody = await guest.Content.ReadAsStringAsync();
        bodies.Add(guestBody);
        var guestJson = JsonSerializer.Deserialize<JsonElement>(guestBody);
        var guestClient = app.ClientWithGuestToken(guestJson.GetProperty("guest_token").GetString()!);
        var guestSession = guestJson.GetProperty("session").Id();
        await Capture(guestClient.GetAsync($"/api/v1/sessions/{guestSession}"));
        await Capture(guestClient.SaveAsync(guestSession, "q4", "essay"));

        Assert.True(bodies.Count >= 10);
        foreach (var body in bodies)
        {
            foreach (var secret in Secrets)
            {
                Assert.DoesNotContain(secret, body, StringComparison.Ordinal);
            }
        }
        Assert.Contains("add(2, 3)", string.Join('\n', bodies), StringComparison.Ordinal);
    }
}
