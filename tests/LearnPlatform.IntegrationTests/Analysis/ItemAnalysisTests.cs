using LearnPlatform.Core.Data;
using LearnPlatform.IntegrationTests.Telemetry;

namespace LearnPlatform.IntegrationTests.Analysis;

public sealed class ItemAnalysisTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;

    // Three one-point questions the rules grade, so every submitted session ends up graded.
    private static PaperSettings Paper(bool guestAccess = false) => new()
    {
        Title = "Analysis",
        TimeLimitSeconds = 3600,
        GuestAccess = guestAccess,
        Questions =
        [
            new Question { Id = "q1", Kind = QuestionKinds.SingleChoice, Prompt = "2+2?", Options = ["3", "4"], Correct = ["4"], Points = 1 },
            new Question { Id = "q2", Kind = QuestionKinds.SingleChoice, Prompt = "Pick b", Options = ["a", "b", "c"], Correct = ["b"], Points = 1 },
            new Question { Id = "q3", Kind = QuestionKinds.ShortText, Prompt = "Keyword that defines a function?", Correct = ["def"], Points = 1 },
        ],
    };

    private static Task<HttpResponseMessage> AnalysisAsync(HttpClient client, Guid paper, string query = "") =>
        client.GetAsync($"/api/v1/papers/{paper}/analysis{query}");

    /// <summary>A candidate's session: answers saved, question views sent over the telemetry socket, submitted and graded.</summary>
    private async Task<Guid> GradedSessionAsync(Guid tenant, Guid paper, HttpClient author, Dictionary<string, object> answers, (string Question, double Second)[]? views = null)
    {
        var candidate = App.ClientWithBearer((await App.SignUpAsync(tenant)).IdToken);
        var session = (await candidate.StartSessionAsync(paper)).Id();
        foreach (var (question, answer) in answers)
        {
            Assert.Equal(HttpStatusCode.OK, (await candidate.SaveAsync(session, question, answer)).StatusCode);
        }
        if (views is not null)
        {
            // On the client's clock, ten minutes ago: the spans between views are exact whatever the machine's speed.
            var start = DateTimeOffset.UtcNow.AddMinutes(-10);
            await using var socket = await App.OpenTelemetryAsync(candidate, session);
            await socket.SendBatchAndWaitForAckAsync(1, [.. views.Select(v => TelemetryCalls.Event("question_view", start.AddSeconds(v.Second), v.Question))]);
        }
        Assert.Equal(HttpStatusCode.Accepted, (await candidate.SubmitAsync(session)).StatusCode);
        await author.WaitForResultAsync(session, "graded");
        return session;
    }

    private static JsonElement Question(JsonElement analysis, string id) =>
        analysis.GetProperty("questions").EnumerateArray().Single(q => q.GetProperty("question_id").GetString() == id);

    private static double? Figure(JsonElement element, string name) =>
        element.GetProperty(name).ValueKind == JsonValueKind.Null ? null : element.GetProperty(name).GetDouble();

    private static (double Top, double Bottom) Option(JsonElement question, string option)
    {
        var figures = question.GetProperty("options").EnumerateArray().Single(o => o.GetProperty("option").GetString() == option);
        return (figures.GetProperty("top_group_rate").GetDouble(), figures.GetProperty("bottom_group_rate").GetDouble());
    }

    [Fact]
    public async Task FiguresOfGradedSessionsMatchTheHandComputedOnes()
    {
        var tenant = await App.CreateTenantAsync();
        var author = App.ClientWithBearer((await App.SignUpAsync(tenant, Roles.Author)).IdToken);
        var paper = await App.PublishAsync(tenant, Paper());
        // Totals 3, 2, 1, 0: with n = 4 the top and bottom groups are one session each (round(0.27 x 4) = 1).
        await GradedSessionAsync(tenant, paper, author, new() { ["q1"] = new[] { "4" }, ["q2"] = new[] { "b" }, ["q3"] = "def" },
            [("q1", 0), ("q2", 40), ("q1", 70), ("q3", 80)]);
        await GradedSessionAsync(tenant, paper, author, new() { ["q1"] = new[] { "4" }, ["q2"] = new[] { "a" }, ["q3"] = "def" },
            [("q1", 0), ("q2", 20), ("q3", 30)]);
        await GradedSessionAsync(tenant, paper, author, new() { ["q1"] = new[] { "3" }, ["q2"] = new[] { "b" } });
        await GradedSessionAsync(tenant, paper, author, new() { ["q1"] = new[] { "3" }, ["q2"] = new[] { "c" } });
        // Not graded: left out.
        var late = App.ClientWithBearer((await App.SignUpAsync(tenant)).IdToken);
        var open = (await late.StartSessionAsync(paper)).Id();
        await late.SaveAsync(open, "q1", new[] { "3" });

        var response = await AnalysisAsync(author, paper);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var analysis = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, analysis.GetProperty("version").GetInt32());
        Assert.Equal(4, analysis.GetProperty("sessions").GetInt32());
        Assert.Equal(1, analysis.GetProperty("group_size").GetInt32());
        // k = 3, item variances 0.25 each, total variance 1.25: 3/2 x (1 - 0.75/1.25) = 0.6.
        Assert.Equal(0.6, Figure(analysis, "cronbach_alpha")!.Value, 3);

        var q1 = Question(analysis, "q1");
        Assert.Equal(0.5, Figure(q1, "facility"));
        // x = 1,1,0,0 against the rest 2,1,1,0: covariance 1 / sqrt(1 x 2).
        Assert.Equal(0.707, Figure(q1, "discrimination"));
        Assert.Equal(0, Figure(q1, "omission_rate"));
        // 40 + 10 seconds in the first session (two views), 20 in the second.
        Assert.Equal(35, Figure(q1, "mean_seconds_spent"));
        Assert.Equal((0.0, 1.0), Option(q1, "3"));
        Assert.Equal((1.0, 0.0), Option(q1, "4"));

        var q2 = Question(analysis, "q2");
        Assert.Equal(0.5, Figure(q2, "facility"));
        // x = 1,0,1,0 against the rest 2,2,0,0: no covariance.
        Assert.Equal(0, Figure(q2, "discrimination"));
        Assert.Equal(20, Figure(q2, "mean_seconds_spent"));
        Assert.Equal((0.0, 0.0), Option(q2, "a"));
        Assert.Equal((1.0, 0.0), Option(q2, "b"));
        Assert.Equal((0.0, 1.0), Option(q2, "c"));

        var q3 = Question(analysis, "q3");
        Assert.Equal(0.5, Figure(q3, "facility"));
        Assert.Equal(0.707, Figure(q3, "discrimination"));
        Assert.Equal(0.5, Figure(q3, "omission_rate"));
        Assert.False(q3.TryGetProperty("options", out _));
        // The last view lasts until the submission, on the client's clock: seconds here, never the ten minutes of skew.
        Assert.InRange(Figure(q3, "mean_seconds_spent")!.Value, 0, 120);
    }

    [Fact]
    public async Task TooFewSessionsGiveNullFiguresNotErrors()
    {
        var tenant = await App.CreateTenantAsync();
        var author = App.ClientWithBearer((await App.SignUpAsync(tenant, Roles.Author)).IdToken);
        var paper = await App.PublishAsync(tenant, Paper());

        var empty = await (await AnalysisAsync(author, paper)).Content.ReadFromJsonAsync<JsonElement>();
        await GradedSessionAsync(tenant, paper, author, new() { ["q1"] = new[] { "4" } });
        var single = await (await AnalysisAsync(author, paper)).Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(0, empty.GetProperty("sessions").GetInt32());
        Assert.Null(Figure(empty, "cronbach_alpha"));
        Assert.Null(Figure(Question(empty, "q1"), "facility"));
        Assert.Null(Figure(Question(empty, "q1"), "discrimination"));
        Assert.Null(Figure(Question(empty, "q1"), "mean_seconds_spent"));
        Assert.Equal(1, single.GetProperty("sessions").GetInt32());
        Assert.Equal(1, Figure(Question(single, "q1"), "facility"));
        Assert.Null(Figure(Question(single, "q1"), "discrimination"));
        Assert.Null(Figure(single, "cronbach_alpha"));
        Assert.Equal(1, Figure(Question(single, "q2"), "omission_rate"));
    }

    [Fact]
    public async Task EachVersionIsAnalysedOnItsOwnAndTheLatestIsTheDefault()
    {
        var tenant = await App.CreateTenantAsync();
        var author = App.ClientWithBearer((await App.SignUpAsync(tenant, Roles.Author)).IdToken);
        var paper = await App.PublishAsync(tenant, Paper());
        await GradedSessionAsync(tenant, paper, author, new() { ["q1"] = new[] { "4" } });
        var second = await App.PublishNewVersionAsync(tenant, paper, Paper() with { Title = "Analysis, corrected" });

        var latest = await (await AnalysisAsync(author, paper)).Content.ReadFromJsonAsync<JsonElement>();
        var first = await (await AnalysisAsync(author, paper, "?version=1")).Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(second, latest.GetProperty("version").GetInt32());
        Assert.Equal(0, latest.GetProperty("sessions").GetInt32());
        Assert.Equal(1, first.GetProperty("version").GetInt32());
        Assert.Equal(1, first.GetProperty("sessions").GetInt32());
    }

    [Theory]
    [InlineData("?version=0")]
    [InlineData("?version=-1")]
    [InlineData("?version=abc")]
    public async Task BadVersionIsBadRequest(string query)
    {
        var tenant = await App.CreateTenantAsync();
        var author = App.ClientWithBearer((await App.SignUpAsync(tenant, Roles.Author)).IdToken);
        var paper = await App.PublishAsync(tenant, Paper());

        await (await AnalysisAsync(author, paper, query)).AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task UnknownPapersVersionsAndDraftsAreNotFound()
    {
        var tenant = await App.CreateTenantAsync();
        var author = App.ClientWithBearer((await App.SignUpAsync(tenant, Roles.Author)).IdToken);
        var paper = await App.PublishAsync(tenant, Paper());
        var created = await author.PostAsJsonAsync("/api/v1/papers", new
        {
            title = "Draft only",
            time_limit_seconds = 600,
            questions = new[] { new { id = "q1", kind = "single_choice", prompt = "?", options = new[] { "a", "b" }, correct = new[] { "a" }, points = 1 } },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var draft = (await created.Content.ReadFromJsonAsync<JsonElement>()).Id();

        await (await AnalysisAsync(author, Guid.NewGuid())).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await AnalysisAsync(author, paper, "?version=2")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await AnalysisAsync(author, draft)).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await AnalysisAsync(author, draft, "?version=1")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task AnotherTenantsPaperIsNotFoundAndItsSessionsNeverCount()
    {
        var tenant = await App.CreateTenantAsync();
        var author = App.ClientWithBearer((await App.SignUpAsync(tenant, Roles.Author)).IdToken);
        var paper = await App.PublishAsync(tenant, Paper());
        await GradedSessionAsync(tenant, paper, author, new() { ["q1"] = new[] { "4" } });
        var otherTenant = await App.CreateTenantAsync();
        var foreignAdmin = App.ClientWithBearer((await App.SignUpAsync(otherTenant, Roles.Admin)).IdToken);
        var foreignPaper = await App.PublishAsync(otherTenant, Paper());

        await (await AnalysisAsync(foreignAdmin, paper)).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await AnalysisAsync(foreignAdmin, paper, "?version=1")).AssertProblemAsync(HttpStatusCode.NotFound);
        var own = await (await AnalysisAsync(foreignAdmin, foreignPaper)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(0, own.GetProperty("sessions").GetInt32());
        var admin = App.ClientWithBearer((await App.SignUpAsync(tenant, Roles.Admin)).IdToken);
        Assert.Equal(1, (await (await AnalysisAsync(admin, paper)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("sessions").GetInt32());
    }

    [Fact]
    public async Task CandidatesAndGuestsAreForbidden()
    {
        var tenant = await App.CreateTenantAsync();
        var paper = await App.PublishAsync(tenant, Paper(guestAccess: true));
        var candidate = App.ClientWithBearer((await App.SignUpAsync(tenant)).IdToken);
        var guestSession = await App.Client.PostAsJsonAsync("/api/v1/guest-sessions", new { paper_id = paper });
        Assert.Equal(HttpStatusCode.Created, guestSession.StatusCode);
        var guest = App.ClientWithGuestToken((await guestSession.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("guest_token").GetString()!);

        await (await AnalysisAsync(candidate, paper)).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await AnalysisAsync(guest, paper)).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await AnalysisAsync(App.Client, paper)).AssertProblemAsync(HttpStatusCode.Unauthorized);
    }
}
