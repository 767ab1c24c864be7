using System.Text.Json.Nodes;

namespace LearnPlatform.IntegrationTests.Papers;

public sealed class ExamTests(AppFixture fixture) : IClassFixture<AppFixture>, IAsyncLifetime
{
    private TestApp App => fixture.App;
    private TenantUsers users = null!;

    public async Task InitializeAsync() => users = await TenantUsers.CreateAsync(App);

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task ExamsListsOnlyThisTenantsPublishedPapers()
    {
        var other = await TenantUsers.CreateAsync(App);
        var theirs = await other.Author.PublishAsync(await other.Author.CreatePaperAsync(PaperSamples.Valid("Theirs")));
        var draft = await users.Author.CreatePaperAsync(PaperSamples.Valid("Draft"));
        var published = await users.Author.PublishAsync(await users.Author.CreatePaperAsync(PaperSamples.Valid("Published")));

        var items = (await users.Candidate.GetFromJsonAsync<JsonElement>("/api/v1/exams")).GetProperty("items");

        var item = Assert.Single(items.EnumerateArray());
        Assert.Equal(published.Id(), item.Id());
        Assert.Equal(
            (1, "Published", 1800, 1, false, 5, 12.5m),
            (item.Int("version"), item.Str("title"), item.Int("time_limit_seconds"), item.Int("max_attempts"),
             item.GetProperty("guest_access").GetBoolean(), item.Int("question_count"), item.GetProperty("total_points").GetDecimal()));
        Assert.DoesNotContain(theirs.Id().ToString(), items.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(draft.Id().ToString(), items.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExamsArePagedNewestFirst()
    {
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await users.Author.PublishAsync(await users.Author.CreatePaperAsync())).Id());
        }

        var page1 = (await users.Candidate.GetFromJsonAsync<JsonElement>("/api/v1/exams?limit=2")).GetProperty("items");
        var page2 = (await users.Candidate.GetFromJsonAsync<JsonElement>($"/api/v1/exams?limit=2&after={ids[1]}")).GetProperty("items");

        Assert.Equal([ids[2], ids[1]], page1.EnumerateArray().Select(e => e.Id()));
        Assert.Equal([ids[0]], page2.EnumerateArray().Select(e => e.Id()));
    }

    [Fact]
    public async Task ExamModePreviewCarriesMetadataOnlyUntilTheClockStarts()
    {
        var paper = await users.Author.PublishAsync(await users.Author.CreatePaperAsync(PaperSamples.Valid().With("max_attempts", "2")));

        var raw = await users.Candidate.GetStringAsync($"/api/v1/exams/{paper.Id()}");
        var exam = JsonDocument.Parse(raw).RootElement;

        Assert.Equal(
            ["id", "version", "title", "time_limit_seconds", "max_attempts", "guest_access", "mode", "hints_allowed", "question_count", "total_points", "attempts_left"],
            exam.EnumerateObject().Select(p => p.Name));
        Assert.Equal((5, 12.5m, 2), (exam.Int("question_count"), exam.GetProperty("total_points").GetDecimal(), exam.Int("attempts_left")));
        foreach (var prompt in new[] { "2+2?", "Even numbers?", "Explain list vs tuple.", "Write add(a, b).", "add(2, 3)" })
        {
            Assert.DoesNotContain(prompt, raw, StringComparison.Ordinal);
        }

        var session = await users.Candidate.StartSessionAsync(paper.Id());
        Assert.Equal(5, session.GetProperty("questions").GetArrayLength());
        var after = await users.Candidate.GetFromJsonAsync<JsonElement>($"/api/v1/exams/{paper.Id()}");
        Assert.Equal(1, after.Int("attempts_left"));
        Assert.False(after.TryGetProperty("questions", out _));
    }

    [Fact]
    public async Task PracticePreviewShowsThePublishedQuestionsWithoutKeys()
    {
        var paper = await users.Author.PublishAsync(await users.Author.CreatePaperAsync(PaperSamples.Valid().With("mode", "\"practice\"")));

        var exam = await users.Candidate.GetFromJsonAsync<JsonElement>($"/api/v1/exams/{paper.Id()}");

        Assert.Equal(
            ["id", "version", "title", "time_limit_seconds", "max_attempts", "guest_access", "mode", "hints_allowed", "question_count", "total_points", "attempts_left", "questions"],
            exam.EnumerateObject().Select(p => p.Name));
        var questions = exam.GetProperty("questions");
        Assert.Equal(["q1", "q2", "q3", "q4", "q5"], questions.EnumerateArray().Select(q => q.Str("id")));
        Assert.Equal(["3", "4"], questions[0].GetProperty("options").EnumerateArray().Select(o => o.GetString()));
        var visibleTest = Assert.Single(questions[4].GetProperty("tests").EnumerateArray());
        Assert.Equal(("add(2, 3)", "5"), (visibleTest.Str("call"), visibleTest.Str("expected")));
        Assert.Equal("python", questions[4].Str("language"));
    }

    [Fact]
    public async Task AnswerKeysNeverAppearToCandidates()
    {
        var paper = await users.Author.PublishAsync(await users.Author.CreatePaperAsync());

        foreach (var url in new[] { "/api/v1/exams", $"/api/v1/exams/{paper.Id()}" })
        {
            var raw = await users.Candidate.GetStringAsync(url);
            foreach (var secret in new[] { "correct", "rubric", "hidden", "ai_fallback", PaperSamples.AcceptedAnswer, PaperSamples.Rubric, PaperSamples.HiddenCall, PaperSamples.HiddenExpected })
            {
                Assert.DoesNotContain(secret, raw, StringComparison.OrdinalIgnoreCase);
            }
            AssertNoKeyNamed(JsonNode.Parse(raw)!, ["correct", "rubric", "hidden", "ai_fallback", "shuffle_questions", "shuffle_options"]);
        }
    }

    [Fact]
    public async Task AuthorsSeeTheKeysCandidatesDoNot()
    {
        var paper = await users.Author.CreatePaperAsync();

        var raw = await users.Author.GetStringAsync($"/api/v1/papers/{paper.Id()}");

        foreach (var secret in new[] { "\"correct\"", PaperSamples.Rubric, PaperSamples.HiddenCall, PaperSamples.AcceptedAnswer })
        {
            Assert.Contains(secret, raw, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task UnpublishedPaperIsNotAnExam()
    {
        var paper = await users.Author.CreatePaperAsync();

        using var response = await users.Candidate.GetAsync($"/api/v1/exams/{paper.Id()}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task AnotherTenantsPublishedExamIsNotFound()
    {
        var other = await TenantUsers.CreateAsync(App);
        var theirs = await other.Author.PublishAsync(await other.Author.CreatePaperAsync());

        using var response = await users.Candidate.GetAsync($"/api/v1/exams/{theirs.Id()}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task AuthorsMayPreviewExamsToo()
    {
        var paper = await users.Author.PublishAsync(await users.Author.CreatePaperAsync());

        using var response = await users.Author.GetAsync($"/api/v1/exams/{paper.Id()}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static void AssertNoKeyNamed(JsonNode node, string[] names)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, value) in obj)
                {
                    Assert.DoesNotContain(name, names);
                    if (value is not null)
                    {
                        AssertNoKeyNamed(value, names);
                    }
                }
                break;
            case JsonArray array:
                foreach (var item in array.OfType<JsonNode>())
                {
                    AssertNoKeyNamed(item, names);
                }
                break;
        }
    }
}
