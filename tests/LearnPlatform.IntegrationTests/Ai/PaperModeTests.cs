using LearnPlatform.Core.Data;

namespace LearnPlatform.IntegrationTests.Ai;

public sealed class PaperModeTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;

    private static Dictionary<string, object?> Paper(object? mode = null, object? allowHints = null) => new Dictionary<string, object?>
    {
        ["title"] = "Practice set",
        ["time_limit_seconds"] = 600,
        ["questions"] = new[] { new { id = "q1", kind = "short_text", prompt = "Keyword?", correct = new[] { "def" }, points = 1 } },
        ["mode"] = mode,
        ["allow_hints_during_exam"] = allowHints,
    }.Where(p => p.Value is not null).ToDictionary();

    private async Task<HttpClient> AuthorAsync() => App.ClientWithBearer((await App.SignUpAsync(await App.CreateTenantAsync(), Roles.Author)).IdToken);

    [Fact]
    public async Task PapersAreExamsWithoutHintsUnlessTheAuthorSaysOtherwise()
    {
        var author = await AuthorAsync();

        var plain = await (await author.PostAsJsonAsync("/api/v1/papers", Paper())).Content.ReadFromJsonAsync<JsonElement>();
        var practice = await (await author.PostAsJsonAsync("/api/v1/papers", Paper("practice"))).Content.ReadFromJsonAsync<JsonElement>();
        var hinted = await (await author.PostAsJsonAsync("/api/v1/papers", Paper("exam", true))).Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(("exam", false), (plain.GetProperty("mode").GetString(), plain.GetProperty("allow_hints_during_exam").GetBoolean()));
        Assert.Equal("practice", practice.GetProperty("mode").GetString());
        var stored = await author.GetFromJsonAsync<JsonElement>($"/api/v1/papers/{hinted.Id()}");
        Assert.True(stored.GetProperty("allow_hints_during_exam").GetBoolean());
    }

    [Theory]
    [InlineData("\"quiz\"")]
    [InlineData("\"\"")]
    [InlineData("1")]
    public async Task UnknownModeIs400(string mode)
    {
        var author = await AuthorAsync();
        var json = $$"""{"title": "t", "time_limit_seconds": 600, "mode": {{mode}}, "questions": [{"id": "q1", "kind": "essay", "prompt": "p", "rubric": "r", "points": 1}]}""";

        var response = await author.PostAsync("/api/v1/papers", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task AllowHintsMustBeABoolean()
    {
        var author = await AuthorAsync();
        var json = """{"title": "t", "time_limit_seconds": 600, "allow_hints_during_exam": "yes", "questions": [{"id": "q1", "kind": "essay", "prompt": "p", "rubric": "r", "points": 1}]}""";

        await (await author.PostAsync("/api/v1/papers", new StringContent(json, System.Text.Encoding.UTF8, "application/json"))).AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task CandidatesSeeWhetherHintsAreAllowedAndNothingElseOfTheSettings()
    {
        var tenant = await App.CreateTenantAsync();
        var practice = await App.PublishAsync(tenant, TestPapers.Sample() with { Mode = PaperModes.Practice });
        var exam = await App.PublishAsync(tenant, TestPapers.Sample());
        var candidate = App.ClientWithBearer((await App.SignUpAsync(tenant)).IdToken);

        var list = (await candidate.GetFromJsonAsync<JsonElement>("/api/v1/exams")).GetProperty("items").EnumerateArray().ToDictionary(e => e.Id());
        var preview = await candidate.GetFromJsonAsync<JsonElement>($"/api/v1/exams/{practice}");
        var session = await candidate.StartSessionAsync(exam);

        Assert.True(list[practice].GetProperty("hints_allowed").GetBoolean());
        Assert.Equal("practice", list[practice].GetProperty("mode").GetString());
        Assert.False(list[exam].GetProperty("hints_allowed").GetBoolean());
        Assert.True(preview.GetProperty("hints_allowed").GetBoolean());
        Assert.False(session.GetProperty("hints_allowed").GetBoolean());
        foreach (var body in new[] { list[practice].GetRawText(), preview.GetRawText(), session.GetRawText() })
        {
            Assert.DoesNotContain("allow_hints_during_exam", body, StringComparison.Ordinal);
            Assert.DoesNotContain("\"correct\"", body, StringComparison.Ordinal);
            Assert.DoesNotContain("RUBRIC-SECRET", body, StringComparison.Ordinal);
        }
    }
}
