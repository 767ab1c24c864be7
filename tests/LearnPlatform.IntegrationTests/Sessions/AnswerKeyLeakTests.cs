using LearnPlatform.Core.Data;

namespace LearnPlatform.IntegrationTests.Sessions;

/// <summary>
/// Scans every candidate- and guest-facing response for the paper's answer keys, rubric, hidden tests and reference
/// solution: the session routes, code runs in the real sandbox, and the graded result with its feedback.
/// </summary>
public sealed class AnswerKeyLeakTests(SandboxAppFixture fixture) : IClassFixture<SandboxAppFixture>
{
    private static readonly string[] Secrets = ["\"correct\"", "\"rubric\"", "RUBRIC-SECRET", "HIDDEN_SECRET", "\"hidden\"", "\"solution\"", "SOLUTION_SECRET"];

    [Fact]
    public async Task NoCandidateOrGuestFacingResponseCarriesAnswerKeys()
    {
        var app = fixture.App;
        var tenant = await app.CreateTenantAsync();
        var paper = await app.PublishAsync(tenant, TestPapers.Sample(guestAccess: true, shuffle: true) with { AllowCodeRuns = true });
        var author = app.ClientWithBearer((await app.SignUpAsync(tenant, Roles.Author)).IdToken);
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
        await Capture(candidate.SaveAsync(session, "q5", "def add(a, b):\n    return a + b\n"));
        await Capture(candidate.PostAsync($"/api/v1/sessions/{session}/responses/q5/run", null));
        await Capture(candidate.PostAsJsonAsync($"/api/v1/sessions/{session}/responses/q5/run", new { code = "import gc\nprint(gc.get_objects())\ndef add(a, b):\n    raise ValueError(a)\n" }));
        await Capture(candidate.SubmitAsync(session));
        await Capture(candidate.PostAsync($"/api/v1/sessions/{session}/responses/q5/run", null));
        await Capture(candidate.GetAsync($"/api/v1/sessions/{session}"));
        await author.WaitForResultAsync(session, seconds: 60);
        // The essay waits for a person; once it is graded, the candidate sees every question's feedback.
        Assert.Equal(HttpStatusCode.OK, (await author.PutAsJsonAsync($"/api/v1/sessions/{session}/responses/q4/grade", new { score = 3, reason = "Fine" })).StatusCode);
        await Capture(candidate.GetAsync($"/api/v1/sessions/{session}/result"));
        Assert.Contains("add(2, 3): passed", bodies[^1], StringComparison.Ordinal);

        var guest = await app.Client.PostAsJsonAsync("/api/v1/guest-sessions", new { paper_id = paper });
        var guestBody = await guest.Content.ReadAsStringAsync();
        bodies.Add(guestBody);
        var guestJson = JsonSerializer.Deserialize<JsonElement>(guestBody);
        var guestClient = app.ClientWithGuestToken(guestJson.GetProperty("guest_token").GetString()!);
        var guestSession = guestJson.GetProperty("session").Id();
        await Capture(guestClient.GetAsync($"/api/v1/sessions/{guestSession}"));
        await Capture(guestClient.SaveAsync(guestSession, "q4", "essay"));
        await Capture(guestClient.PostAsJsonAsync($"/api/v1/sessions/{guestSession}/responses/q5/run", new { code = "def add(a, b):\n    return a * b\n" }));
        await Capture(guestClient.SubmitAsync(guestSession));
        await author.WaitForResultAsync(guestSession, seconds: 60);
        await Capture(guestClient.GetAsync($"/api/v1/sessions/{guestSession}/result"));

        Assert.True(bodies.Count >= 18);
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
