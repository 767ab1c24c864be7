using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using LearnPlatform.Core.Data;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace LearnPlatform.IntegrationTests.Audit;

/// <summary>
/// Every route of the API, called by every kind of caller with recognisable secrets in every place a client puts
/// them; then everything the service produced (logs, response headers and bodies, audit rows) is searched for them.
/// The routes come from the app itself: a new route fails this test until it is given a request below.
/// </summary>
public sealed class RedactionTests(RedactionTests.GeminiRefusingFixture fixture) : IClassFixture<RedactionTests.GeminiRefusingFixture>
{
    /// <summary>An app whose Gemini (a local stand-in) refuses the probe key the way Google does: quoting it in a debug detail.</summary>
    public sealed class GeminiRefusingFixture : IAsyncLifetime
    {
        public TestApp App { get; private set; } = null!;
        internal GeminiStandIn Gemini { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Gemini = await GeminiStandIn.StartAsync();
            Gemini.Script(Enumerable.Range(0, 50).Select(_ => GeminiReplies.InvalidKey(ApiKey)).ToArray());
            // The real sandbox, so the code-run routes run code here too rather than answer 503.
            var sandbox = await TestSandbox.SettingsAsync();
            App = await TestApp.StartAsync(settings =>
            {
                sandbox(settings);
                settings["Gemini:BaseUrl"] = Gemini.BaseUrl.ToString();
                Lti.LtiFixture.Configure(settings);
                settings["Webhooks:SecretKey"] = Webhooks.WebhookFixture.SecretKey;
            });
        }

        public async Task DisposeAsync()
        {
            await App.DisposeAsync();
            await Gemini.DisposeAsync();
        }
    }

    private TestApp App => fixture.App;

    private static readonly string Probe = Guid.NewGuid().ToString("N");
    private static readonly string ApiKey = $"AIzaRedactionProbe{Probe}";
    private static readonly string AnswerCanary = $"ANSWER-CANARY-{Probe}";
    private static readonly string PasswordCanary = $"PASSWORD-CANARY-{Probe}";
    private static readonly string BogusBearer = $"BEARER-CANARY-{Probe}";
    private static readonly string BogusGuest = $"lpg_GUEST-CANARY-{Probe}";

    private sealed record World(Guid Paper, Guid Session, Guid GuestSession, string CandidateUid);

    private sealed record Plan(int Order, Func<World, bool, string> Path, Func<World, JsonObject?>? Body = null);

    /// <summary>"METHOD pattern" of every route, in the order they are called: reads, then writes, then what ends a session or token.</summary>
    private static readonly Dictionary<string, Plan> Routes = new()
    {
        ["GET /healthz"] = new(0, (_, _) => "/healthz"),
        ["GET /readyz"] = new(0, (_, _) => "/readyz"),
        ["GET /openapi/{documentName}.json"] = new(0, (_, _) => "/openapi/v1.json"),
        ["GET /api/v1/me"] = new(0, (_, _) => "/api/v1/me"),
        ["GET /api/v1/papers"] = new(0, (_, _) => "/api/v1/papers"),
        ["GET /api/v1/papers/{id:guid}"] = new(0, (w, _) => $"/api/v1/papers/{w.Paper}"),
        ["GET /api/v1/exams"] = new(0, (_, _) => "/api/v1/exams"),
        ["GET /api/v1/exams/{id:guid}"] = new(0, (w, _) => $"/api/v1/exams/{w.Paper}"),
        ["GET /api/v1/sessions"] = new(0, (_, _) => "/api/v1/sessions"),
        ["GET /api/v1/papers/{id:guid}/sessions"] = new(0, (w, _) => $"/api/v1/papers/{w.Paper}/sessions"),
        ["GET /api/v1/accommodations"] = new(0, (_, _) => "/api/v1/accommodations"),
        ["GET /api/v1/members"] = new(0, (_, _) => "/api/v1/members"),
        ["GET /api/v1/audit-events"] = new(0, (_, _) => "/api/v1/audit-events"),
        ["POST /api/v1/papers"] = new(1, (_, _) => "/api/v1/papers", _ => Papers.PaperSamples.Valid()),
        ["PUT /api/v1/papers/{id:guid}"] = new(1, (w, _) => $"/api/v1/papers/{w.Paper}", _ => Papers.PaperSamples.Valid()),
        ["POST /api/v1/papers/{id:guid}/publish"] = new(1, (w, _) => $"/api/v1/papers/{w.Paper}/publish"),
        ["POST /api/v1/guest-sessions"] = new(1, (_, _) => "/api/v1/guest-sessions", w => new JsonObject { ["paper_id"] = w.Paper.ToString() }),
        ["POST /api/v1/sessions"] = new(1, (_, _) => "/api/v1/sessions", w => new JsonObject { ["paper_id"] = w.Paper.ToString() }),
        ["PUT /api/v1/sessions/{id:guid}/responses/{questionId}"] = new(1, (w, guest) => $"/api/v1/sessions/{SessionOf(w, guest)}/responses/q3",
            _ => new JsonObject { ["answer"] = AnswerCanary }),
        // Not audio, and q3 is no spoken question: the refusal is what this test reads for secrets.
        ["PUT /api/v1/sessions/{id:guid}/responses/{questionId}/audio"] = new(1, (w, guest) => $"/api/v1/sessions/{SessionOf(w, guest)}/responses/q3/audio",
            _ => new JsonObject { ["answer"] = AnswerCanary }),
        ["GET /api/v1/sessions/{id:guid}"] = new(2, (w, guest) => $"/api/v1/sessions/{SessionOf(w, guest)}"),
        ["PUT /api/v1/accommodations/{candidateUid}"] = new(2, (w, _) => $"/api/v1/accommodations/{w.CandidateUid}", _ => new JsonObject { ["extra_minutes"] = 5 }),
        ["DELETE /api/v1/accommodations/{candidateUid}"] = new(3, (w, _) => $"/api/v1/accommodations/{w.CandidateUid}"),
        ["PUT /api/v1/members/{uid}"] = new(2, (_, _) => "/api/v1/members/redaction-member", _ => new JsonObject { ["role"] = "author" }),
        ["DELETE /api/v1/members/{uid}"] = new(3, (_, _) => "/api/v1/members/redaction-member"),
        ["POST /api/v1/sessions/{id:guid}/extend"] = new(2, (w, guest) => $"/api/v1/sessions/{SessionOf(w, guest)}/extend", _ => new JsonObject { ["extra_minutes"] = 5 }),
        ["POST /api/v1/sessions/{id:guid}/submit"] = new(4, (w, guest) => $"/api/v1/sessions/{SessionOf(w, guest)}/submit"),
        ["GET /api/v1/sessions/{id:guid}/result"] = new(5, (w, guest) => $"/api/v1/sessions/{SessionOf(w, guest)}/result"),
        ["PUT /api/v1/sessions/{id:guid}/responses/{questionId}/grade"] = new(5, (w, _) => $"/api/v1/sessions/{w.Session}/responses/q3/grade",
            _ => new JsonObject { ["score"] = 1, ["reason"] = "Marked by hand" }),
        ["GET /api/v1/papers/{id:guid}/grading-summary"] = new(5, (w, _) => $"/api/v1/papers/{w.Paper}/grading-summary"),
        ["GET /api/v1/papers/{id:guid}/analysis"] = new(5, (w, _) => $"/api/v1/papers/{w.Paper}/analysis"),
        ["POST /api/v1/sessions/{id:guid}/regrade"] = new(5, (w, guest) => $"/api/v1/sessions/{SessionOf(w, guest)}/regrade",
            _ => new JsonObject { ["clear_overrides"] = false }),
        ["POST /api/v1/papers/{id:guid}/regrade"] = new(5, (w, _) => $"/api/v1/papers/{w.Paper}/regrade"),
        ["GET /api/v1/me/consents"] = new(0, (_, _) => "/api/v1/me/consents"),
        ["GET /api/v1/ai/usage"] = new(0, (_, _) => "/api/v1/ai/usage"),
        ["GET /api/v1/users/{uid}/export"] = new(0, (w, _) => $"/api/v1/users/{w.CandidateUid}/export"),
        ["PUT /api/v1/me/consents/{flag}"] = new(1, (_, _) => "/api/v1/me/consents/biometric_metrics", _ => new JsonObject { ["granted"] = true }),
        ["PUT /api/v1/sessions/{id:guid}/metrics"] = new(2, (w, guest) => $"/api/v1/sessions/{SessionOf(w, guest)}/metrics", _ => new JsonObject { ["focus_score"] = 0.5 }),
        ["POST /api/v1/sessions/{id:guid}/hints"] = new(2, (w, guest) => $"/api/v1/sessions/{SessionOf(w, guest)}/hints", _ => new JsonObject { ["question_id"] = "q4" }),
        ["POST /api/v1/sessions/{id:guid}/responses/{questionId}/run"] = new(2, (w, guest) => $"/api/v1/sessions/{SessionOf(w, guest)}/responses/q5/run",
            _ => new JsonObject { ["code"] = AnswerCanary }),
        ["POST /api/v1/papers/{id:guid}/questions/{questionId}/check"] = new(1, (w, _) => $"/api/v1/papers/{w.Paper}/questions/q5/check",
            _ => new JsonObject { ["solution"] = AnswerCanary }),
        ["POST /api/v1/papers/{id:guid}/questions/generate"] = new(1, (w, _) => $"/api/v1/papers/{w.Paper}/questions/generate",
            _ => new JsonObject { ["topic"] = AnswerCanary, ["kind"] = "essay", ["count"] = 1 }),
        ["POST /api/v1/users/{uid}/delete"] = new(7, (w, _) => $"/api/v1/users/{w.CandidateUid}/delete"),
        ["POST /api/v1/sessions/{id:guid}/guest-token/revoke"] = new(6, (w, _) => $"/api/v1/sessions/{w.GuestSession}/guest-token/revoke"),
        ["POST /api/v1/sessions/{id:guid}/telemetry-ticket"] = new(2, (w, guest) => $"/api/v1/sessions/{SessionOf(w, guest)}/telemetry-ticket"),
        // Called as plain HTTP (400): the socket itself is tested in Telemetry/.
        ["GET /api/v1/sessions/{id:guid}/telemetry"] = new(2, (w, guest) => $"/api/v1/sessions/{SessionOf(w, guest)}/telemetry?ticket=lpt_not-a-ticket"),
        ["GET /api/v1/sessions/{id:guid}/events"] = new(5, (w, _) => $"/api/v1/sessions/{w.Session}/events"),
        ["GET /api/v1/sessions/{id:guid}/integrity"] = new(5, (w, _) => $"/api/v1/sessions/{w.Session}/integrity"),
        ["GET /api/v1/telemetry/settings"] = new(0, (_, _) => "/api/v1/telemetry/settings"),
        ["PUT /api/v1/telemetry/settings"] = new(1, (_, _) => "/api/v1/telemetry/settings", _ => new JsonObject { ["retention_days"] = 30 }),
        ["GET /api/v1/retention/settings"] = new(0, (_, _) => "/api/v1/retention/settings"),
        ["PUT /api/v1/retention/settings"] = new(1, (_, _) => "/api/v1/retention/settings", _ => new JsonObject { ["session_days"] = 400 }),
        ["POST /api/v1/papers/import"] = new(1, (_, _) => "/api/v1/papers/import"),
        ["GET /api/v1/papers/{id:guid}/export"] = new(0, (w, _) => $"/api/v1/papers/{w.Paper}/export?format=qti3"),
        ["GET /lti/jwks"] = new(0, (_, _) => "/lti/jwks"),
        ["GET /lti/login"] = new(0, (_, _) => "/lti/login?iss=https%3A%2F%2Flms.example.test&login_hint=someone&target_link_uri=https%3A%2F%2Ft"),
        ["POST /lti/login"] = new(1, (_, _) => "/lti/login"),
        ["POST /lti/launch"] = new(1, (_, _) => "/lti/launch"),
        ["POST /api/v1/lti/exchange"] = new(1, (_, _) => "/api/v1/lti/exchange", _ => new JsonObject { ["code"] = BogusBearer }),
        ["POST /api/v1/lti/deep-linking"] = new(1, (_, _) => "/api/v1/lti/deep-linking", w => new JsonObject { ["deep_linking_token"] = BogusBearer, ["paper_id"] = w.Paper.ToString() }),
        ["GET /api/v1/lti/platforms"] = new(0, (_, _) => "/api/v1/lti/platforms"),
        ["GET /api/v1/lti/platforms/{id:guid}"] = new(0, (w, _) => $"/api/v1/lti/platforms/{w.Paper}"),
        ["POST /api/v1/lti/platforms"] = new(1, (_, _) => "/api/v1/lti/platforms", _ => PlatformBody()),
        ["PUT /api/v1/lti/platforms/{id:guid}"] = new(1, (w, _) => $"/api/v1/lti/platforms/{w.Paper}", _ => PlatformBody()),
        ["GET /api/v1/webhooks"] = new(0, (_, _) => "/api/v1/webhooks"),
        ["GET /api/v1/webhooks/{id:guid}/deliveries"] = new(0, (w, _) => $"/api/v1/webhooks/{w.Paper}/deliveries"),
        // Port 9 (discard) on loopback: nothing listens, so its deliveries fail at once.
        ["POST /api/v1/webhooks"] = new(1, (_, _) => "/api/v1/webhooks",
            _ => new JsonObject { ["url"] = "https://127.0.0.1:9/hook", ["events"] = new JsonArray("session.submitted", "session.graded") }),
        ["DELETE /api/v1/webhooks/{id:guid}"] = new(3, (w, _) => $"/api/v1/webhooks/{w.Paper}"),
    };

    private static JsonObject PlatformBody() => new()
    {
        ["issuer"] = "https://lms.example.test",
        ["client_id"] = $"redaction-{Guid.NewGuid():N}",
        ["deployment_ids"] = new JsonArray($"redaction-{Guid.NewGuid():N}"),
        ["auth_login_url"] = "https://lms.example.test/auth",
        ["token_url"] = "https://lms.example.test/token",
        ["jwks_url"] = "https://lms.example.test/jwks",
    };

    /// <summary>
    /// Responses that rightly carry a saved answer, and to whom: the candidate or guest their own (saving, resuming,
    /// reading the session), and the tenant's staff the session they review. Only the answer canary is allowed in them.
    /// </summary>
    private static readonly HashSet<(string Route, string Caller)> ShowSavedAnswers =
    [
        ("GET /api/v1/sessions/{id:guid}", "candidate"),
        ("GET /api/v1/sessions/{id:guid}", "guest"),
        ("GET /api/v1/sessions/{id:guid}", "admin"),
        ("PUT /api/v1/sessions/{id:guid}/responses/{questionId}", "candidate"),
        ("PUT /api/v1/sessions/{id:guid}/responses/{questionId}", "guest"),
        ("POST /api/v1/sessions", "candidate"),
        ("GET /api/v1/users/{uid}/export", "candidate"),
        ("GET /api/v1/users/{uid}/export", "admin"),
    ];

    private static Guid SessionOf(World w, bool guest) => guest ? w.GuestSession : w.Session;

    private static List<string> AppRoutes(IServiceProvider services) =>
        services.GetServices<EndpointDataSource>()
            .SelectMany(source => source.Endpoints)
            .OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["*"]).Select(m => $"{m} {e.RoutePattern.RawText?.TrimEnd('/')}"))
            .Order(StringComparer.Ordinal)
            .ToList();

    [Fact]
    public void EveryRouteOfTheAppHasARequestInThisTest()
    {
        Assert.Equal(Routes.Keys.Order(StringComparer.Ordinal), AppRoutes(App.Services));
    }

    [Fact]
    public async Task NoSecretReachesLogsResponsesOrTheAuditTrail()
    {
        var tenant = await App.CreateTenantAsync();
        var admin = await App.SignUpAsync(tenant, Roles.Admin);
        var candidate = await App.SignUpAsync(tenant);
        var paper = await App.PublishAsync(tenant, TestPapers.Sample(guestAccess: true));
        var session = (await App.ClientWithBearer(candidate.IdToken).StartSessionAsync(paper)).Id();
        var guest = await (await App.Client.PostAsJsonAsync("/api/v1/guest-sessions", new { paper_id = paper })).Content.ReadFromJsonAsync<JsonElement>();
        var guestToken = guest.GetProperty("guest_token").GetString()!;
        var world = new World(paper, session, guest.GetProperty("session").Id(), candidate.Uid);

        var callers = new (string Name, bool Guest, Action<HttpRequestHeaders> Credential)[]
        {
            ("admin", false, h => h.Authorization = new AuthenticationHeaderValue("Bearer", admin.IdToken)),
            ("candidate", false, h => h.Authorization = new AuthenticationHeaderValue("Bearer", candidate.IdToken)),
            ("guest", true, h => h.Add("X-Guest-Token", guestToken)),
            ("bogus bearer", false, h => h.Authorization = new AuthenticationHeaderValue("Bearer", BogusBearer)),
            ("bogus guest", true, h => h.Add("X-Guest-Token", BogusGuest)),
            ("both", false, h => { h.Authorization = new AuthenticationHeaderValue("Bearer", admin.IdToken); h.Add("X-Guest-Token", guestToken); }),
        };

        var captured = new List<(string Route, string Caller, string Text)>();
        using var client = new HttpClient { BaseAddress = App.BaseAddress };
        foreach (var (route, plan) in Routes.OrderBy(r => r.Value.Order).ThenBy(r => r.Key, StringComparer.Ordinal))
        {
            var method = new HttpMethod(route[..route.IndexOf(' ', StringComparison.Ordinal)]);
            foreach (var (name, isGuest, credential) in callers)
            {
                using var request = new HttpRequestMessage(method, plan.Path(world, isGuest));
                credential(request.Headers);
                request.Headers.Add("X-API-Key", ApiKey);
                if (method != HttpMethod.Get && method != HttpMethod.Delete)
                {
                    var body = plan.Body?.Invoke(world) ?? [];
                    body["password"] = PasswordCanary;
                    body["api_key"] = ApiKey;
                    body["token"] = BogusBearer;
                    body["note"] = AnswerCanary;
                    request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
                }
                using var response = await client.SendAsync(request);
                var text = $"{(int)response.StatusCode}\n{response.Headers}\n{response.Content.Headers}\n{await response.Content.ReadAsStringAsync()}";
                Assert.True((int)response.StatusCode < 500 && response.StatusCode != HttpStatusCode.MethodNotAllowed, $"{route} as {name}: {text}");
                captured.Add((route, name, text));
            }
        }

        var secrets = new Dictionary<string, string>
        {
            ["admin's ID token"] = admin.IdToken,
            ["admin's ID token claims"] = admin.IdToken.Split('.')[1],
            ["candidate's ID token"] = candidate.IdToken,
            ["candidate's ID token claims"] = candidate.IdToken.Split('.')[1],
            ["guest token"] = guestToken,
            ["guest token without prefix"] = guestToken["lpg_".Length..],
            ["API key"] = ApiKey,
            ["bogus bearer"] = BogusBearer,
            ["bogus guest token"] = BogusGuest,
            ["password"] = PasswordCanary,
            ["answer"] = AnswerCanary,
            ["probe"] = Probe,
        };
        var leaks = new List<string>();
        var auditRows = string.Join('\n', (await App.AuditRowsAsync()).Select(r => r.ToString()));
        var logs = App.Logs.All;
        foreach (var (what, secret) in secrets)
        {
            if (logs.Contains(secret, StringComparison.Ordinal))
            {
                leaks.Add($"{what} in the logs");
            }
            if (auditRows.Contains(secret, StringComparison.Ordinal))
            {
                leaks.Add($"{what} in the audit trail");
            }
            foreach (var (route, caller, text) in captured)
            {
                var savedAnswer = (secret == AnswerCanary || secret == Probe) && ShowSavedAnswers.Contains((route, caller));
                if (!savedAnswer && text.Contains(secret, StringComparison.Ordinal))
                {
                    leaks.Add($"{what} in the response to {route} as {caller}");
                }
            }
        }
        // A webhook's signing secret is shown once, to the admin who created it, and goes nowhere else.
        var webhookSecret = JsonDocument.Parse(captured.Single(c => c.Route == "POST /api/v1/webhooks" && c.Caller == "admin").Text.Split('\n')[^1])
            .RootElement.GetProperty("secret").GetString()!;
        foreach (var (where, text) in new[] { ("logs", logs), ("audit trail", auditRows) })
        {
            if (text.Contains(webhookSecret, StringComparison.Ordinal) || text.Contains(webhookSecret["whsec_".Length..], StringComparison.Ordinal))
            {
                leaks.Add($"webhook secret in the {where}");
            }
        }
        Assert.True(leaks.Count == 0, string.Join('\n', leaks));

        // The probes did reach the service: the answer was saved, so the search above searched real traffic.
        Assert.Contains(captured, c => c.Route == "GET /api/v1/sessions/{id:guid}" && c.Caller == "candidate" && c.Text.Contains(AnswerCanary, StringComparison.Ordinal));
        Assert.NotEmpty(await App.AuditRowsAsync("action = 'auth.sign_in_failed'"));
        // The probe key reached Gemini (in its header) and came back quoted in Google's error detail.
        Assert.Contains(fixture.Gemini.Requests, r => r.ApiKey == ApiKey);
    }
}
