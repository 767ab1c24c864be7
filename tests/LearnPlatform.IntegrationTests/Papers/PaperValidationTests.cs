using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace LearnPlatform.IntegrationTests.Papers;

public sealed class PaperValidationTests(AppFixture fixture) : IClassFixture<AppFixture>, IAsyncLifetime
{
    private TestApp App => fixture.App;
    private HttpClient author = null!;

    public async Task InitializeAsync() => author = (await TenantUsers.CreateAsync(App)).Author;

    public Task DisposeAsync() => Task.CompletedTask;

    private static string Text(int length) => JsonSerializer.Serialize(new string('x', length));

    private static string List(int count, Func<int, string> item) => "[" + string.Join(',', Enumerable.Range(0, count).Select(item)) + "]";

    /// <summary>The field the error must be reported at, the path in the valid sample to change, and the JSON to put there (null: remove it).</summary>
    public static TheoryData<string, string, string?> OneBadField => new()
    {
        { "title", "title", null },
        { "title", "title", "\"\"" },
        { "title", "title", "\"   \"" },
        { "title", "title", Text(201) },
        { "time_limit_seconds", "time_limit_seconds", null },
        { "time_limit_seconds", "time_limit_seconds", "59" },
        { "time_limit_seconds", "time_limit_seconds", "86401" },
        { "max_attempts", "max_attempts", "0" },
        { "max_attempts", "max_attempts", "101" },
        { "questions", "questions", null },
        { "questions", "questions", "[]" },
        { "questions", "questions", List(201, i => $$"""{"id": "q{{i}}", "kind": "essay", "prompt": "Why?", "rubric": "Reasons", "points": 1}""") },
        { "questions[1]", "questions/1", "null" },
        { "questions[0].id", "questions/0/id", null },
        { "questions[0].id", "questions/0/id", "\"\"" },
        { "questions[0].id", "questions/0/id", Text(65) },
        { "questions[0].id", "questions/0/id", "\"q 1\"" },
        { "questions[0].id", "questions/0/id", "\"q/1\"" },
        { "questions[1].id", "questions/1/id", "\"q1\"" },
        { "questions[0].kind", "questions/0/kind", null },
        { "questions[0].kind", "questions/0/kind", "\"true_false\"" },
        { "questions[0].kind", "questions/0/kind", "\"SINGLE_CHOICE\"" },
        { "questions[0].prompt", "questions/0/prompt", null },
        { "questions[0].prompt", "questions/0/prompt", "\"\"" },
        { "questions[0].prompt", "questions/0/prompt", Text(20_001) },
        { "questions[0].points", "questions/0/points", null },
        { "questions[0].points", "questions/0/points", "0" },
        { "questions[0].points", "questions/0/points", "-1" },
        { "questions[0].points", "questions/0/points", "1000.5" },
        { "questions[0].points", "questions/0/points", "0.125" },
        // Choice kinds.
        { "questions[0].options", "questions/0/options", null },
        { "questions[0].options", "questions/0/options", "[\"4\"]" },
        { "questions[0].options", "questions/0/options", List(21, i => i == 0 ? "\"4\"" : $"\"o{i}\"") },
        { "questions[0].options", "questions/0/options", "[\"4\", \"4\"]" },
        { "questions[0].options[0]", "questions/0/options/0", "\"\"" },
        { "questions[0].options[0]", "questions/0/options/0", Text(1001) },
        { "questions[0].correct", "questions/0/correct", null },
        { "questions[0].correct", "questions/0/correct", "[]" },
        { "questions[0].correct", "questions/0/correct", "[\"3\", \"4\"]" },
        { "questions[0].correct", "questions/0/correct", "[\"5\"]" },
        { "questions[1].correct", "questions/1/correct", "[\"2\", \"2\"]" },
        { "questions[1].correct", "questions/1/correct", "[\"2\", \"3\"]" },
        { "questions[0].rubric", "questions/0/rubric", "\"Some rubric\"" },
        { "questions[0].tests", "questions/0/tests", "[{\"call\": \"f()\", \"expected\": \"1\"}]" },
        { "questions[0].language", "questions/0/language", "\"python\"" },
        { "questions[1].ai_fallback", "questions/1/ai_fallback", "true" },
        // Short text.
        { "questions[2].correct", "questions/2/correct", null },
        { "questions[2].correct", "questions/2/correct", "[]" },
        { "questions[2].correct", "questions/2/correct", List(51, i => $"\"a{i}\"") },
        { "questions[2].correct[0]", "questions/2/correct/0", "\"\"" },
        { "questions[2].correct[0]", "questions/2/correct/0", Text(1001) },
        { "questions[2].options", "questions/2/options", "[\"a\", \"b\"]" },
        { "questions[2].rubric", "questions/2/rubric", "\"Some rubric\"" },
        // Essay.
        { "questions[3].rubric", "questions/3/rubric", null },
        { "questions[3].rubric", "questions/3/rubric", "\"\"" },
        { "questions[3].rubric", "questions/3/rubric", Text(20_001) },
        { "questions[3].correct", "questions/3/correct", "[\"anything\"]" },
        { "questions[3].options", "questions/3/options", "[\"a\", \"b\"]" },
        { "questions[3].ai_fallback", "questions/3/ai_fallback", "true" },
        // Code.
        { "questions[4].language", "questions/4/language", null },
        { "questions[4].language", "questions/4/language", "\"ruby\"" },
        { "questions[4].tests", "questions/4/tests", null },
        { "questions[4].tests", "questions/4/tests", "[]" },
        { "questions[4].tests", "questions/4/tests", List(51, i => $$"""{"call": "f({{i}})", "expected": "1"}""") },
        { "questions[4].tests[0]", "questions/4/tests/0", "null" },
        { "questions[4].tests[0].call", "questions/4/tests/0/call", null },
        { "questions[4].tests[0].call", "questions/4/tests/0/call", Text(1001) },
        { "questions[4].tests[1].expected", "questions/4/tests/1/expected", null },
        { "questions[4].tests[1].expected", "questions/4/tests/1/expected", Text(1001) },
        { "questions[4].correct", "questions/4/correct", "[\"5\"]" },
        { "questions[4].rubric", "questions/4/rubric", "\"Some rubric\"" },
        { "questions[4].options", "questions/4/options", "[\"a\", \"b\"]" },
    };

    [Theory]
    [MemberData(nameof(OneBadField))]
    public async Task CreateRejectsEachBadFieldAtItsOwnPath(string field, string path, string? json)
    {
        using var response = await author.PostAsJsonAsync("/api/v1/papers", PaperSamples.Valid().With(path, json));

        var errors = await AssertValidationProblemAsync(response);
        Assert.Equal([field], errors.EnumerateObject().Select(e => e.Name));
        Assert.All(errors.GetProperty(field).EnumerateArray(), m => Assert.False(string.IsNullOrWhiteSpace(m.GetString())));
    }

    [Theory]
    [MemberData(nameof(OneBadField))]
    public async Task UpdateRejectsEachBadFieldAtItsOwnPath(string field, string path, string? json)
    {
        var paper = await author.CreatePaperAsync();

        using var response = await author.PutAsJsonAsync($"/api/v1/papers/{paper.Id()}", PaperSamples.Valid().With(path, json));

        var errors = await AssertValidationProblemAsync(response);
        Assert.Equal([field], errors.EnumerateObject().Select(e => e.Name));
    }

    [Fact]
    public async Task GuestPaperLongerThanAGuestTokenLivesIsRefusedAtTheTimeLimit()
    {
        // Guest tokens live at most 4 hours and must last to the deadline plus 15 minutes of grace.
        var tooLong = PaperSamples.Valid().With("guest_access", "true").With("time_limit_seconds", "13501");

        using var created = await author.PostAsJsonAsync("/api/v1/papers", tooLong);
        using var updated = await author.PutAsJsonAsync($"/api/v1/papers/{(await author.CreatePaperAsync()).Id()}", tooLong);

        foreach (var response in new[] { created, updated })
        {
            var errors = await AssertValidationProblemAsync(response);
            Assert.Equal(["time_limit_seconds"], errors.EnumerateObject().Select(e => e.Name));
        }
    }

    [Theory]
    [InlineData(true, 13_500)]
    [InlineData(false, 86_400)]
    public async Task GuestPaperThatEndsWhileTheTokenLivesAndLongMemberPaperAreAccepted(bool guestAccess, int timeLimitSeconds)
    {
        var paper = PaperSamples.Valid().With("guest_access", guestAccess ? "true" : "false").With("time_limit_seconds", $"{timeLimitSeconds}");

        using var response = await author.PostAsJsonAsync("/api/v1/papers", paper);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task EveryFailureIsReportedInOneResponse()
    {
        var body = PaperSamples.Valid()
            .With("title", "\"\"")
            .With("time_limit_seconds", "5")
            .With("questions/0/options", null)
            .With("questions/3/rubric", null)
            .With("questions/4/language", "\"ruby\"")
            .With("questions/4/tests/0/call", "\"\"");

        var errors = await AssertValidationProblemAsync(await author.PostAsJsonAsync("/api/v1/papers", body));

        Assert.Equal(
            ["questions[0].options", "questions[3].rubric", "questions[4].language", "questions[4].tests[0].call", "time_limit_seconds", "title"],
            errors.EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task MinimalPaperWithDefaultsIsAccepted()
    {
        var body = JsonNode.Parse("""
            {"title": "T", "time_limit_seconds": 60, "questions": [{"id": "a-1_B", "kind": "short_text", "prompt": "?", "correct": ["x"], "points": 1000}]}
            """)!.AsObject();

        var paper = await author.CreatePaperAsync(body);

        Assert.Equal(1, paper.Int("max_attempts"));
        Assert.False(paper.GetProperty("guest_access").GetBoolean());
        Assert.False(paper.GetProperty("questions")[0].GetProperty("ai_fallback").GetBoolean());
    }

    [Theory]
    [InlineData("{")]
    [InlineData("{\"title\": \"T\",}")]
    [InlineData("[]")]
    [InlineData("{\"title\": 5}")]
    [InlineData("{\"title\": \"T\", \"time_limit_seconds\": \"soon\"}")]
    [InlineData("{\"title\": \"T\", \"time_limit_seconds\": 99999999999}")]
    [InlineData("{\"title\": \"T\", \"guest_access\": \"yes\"}")]
    [InlineData("{\"title\": \"T\", \"questions\": {\"id\": \"q1\"}}")]
    [InlineData("{\"title\": \"T\", \"questions\": [{\"id\": \"q1\", \"options\": \"a,b\"}]}")]
    [InlineData("{\"title\": \"T\", \"questions\": [{\"id\": \"q1\", \"tests\": [{\"hidden\": \"no\"}]}]}")]
    [InlineData("")]
    [InlineData("null")]
    public async Task MalformedBodyIsAProblemNotAnEmpty400(string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");

        using var response = await author.PostAsync("/api/v1/papers", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task NonJsonBodyIsUnsupportedMediaType()
    {
        using var content = new StringContent(PaperSamples.Valid().ToJsonString(), Encoding.UTF8, "text/plain");

        using var response = await author.PostAsync("/api/v1/papers", content);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task ValidationErrorsDoNotEchoTheAnswerKey()
    {
        var body = PaperSamples.Valid().With("questions/0/correct", "[\"secret-wrong-key\"]");

        using var response = await author.PostAsJsonAsync("/api/v1/papers", body);

        await AssertValidationProblemAsync(response);
        Assert.DoesNotContain("secret-wrong-key", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("?limit=0", "limit")]
    [InlineData("?limit=101", "limit")]
    [InlineData("?status=archived", "status")]
    public async Task ListRejectsBadQuery(string query, string field)
    {
        var errors = await AssertValidationProblemAsync(await author.GetAsync("/api/v1/papers" + query));

        Assert.Equal([field], errors.EnumerateObject().Select(e => e.Name));
    }

    [Theory]
    [InlineData("/api/v1/papers?after=not-a-uuid")]
    [InlineData("/api/v1/papers?limit=ten")]
    public async Task UnparsableQueryIsAProblem400(string url)
    {
        using var response = await author.GetAsync(url);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private static async Task<JsonElement> AssertValidationProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        return problem.GetProperty("errors");
    }
}
