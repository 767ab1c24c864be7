using LearnPlatform.Core.Data;

namespace LearnPlatform.IntegrationTests.Ai;

public sealed class GenerationTests(AiAppFixture fixture) : IClassFixture<AiAppFixture>, IDisposable
{
    private TestApp App => fixture.App;
    private GeminiStandIn Gemini => fixture.Gemini;

    public void Dispose() => Gemini.Reset();

    private async Task<(HttpClient Author, Guid Paper)> AuthorWithPaperAsync(Guid? tenantId = null)
    {
        var tenant = tenantId ?? await App.CreateTenantAsync();
        var author = App.ClientWithBearer((await App.SignUpAsync(tenant, Roles.Author)).IdToken);
        return (author, await App.PublishAsync(tenant));
    }

    private static object Choice(string prompt, string[] options, string[] correct, decimal points = 1) => new { prompt, options, correct, points };

    private static Reply Questions(params object[] questions) => GeminiReplies.Grade(new { questions });

    [Fact]
    public async Task GeneratedQuestionsComeBackInThePaperShapeWithFreshIdsAndNothingIsSaved()
    {
        var (author, paper) = await AuthorWithPaperAsync();
        var before = await author.GetStringAsync($"/api/v1/papers/{paper}");
        Gemini.Script(Questions(
            Choice("Which keyword defines a function?", ["def", "fun", "lambda"], ["def"]),
            Choice("What does len([1, 2]) return?", ["1", "2"], ["2"], 2)));

        var response = await author.GenerateAsync(paper, new { topic = "Python functions", kind = "single_choice", count = 2 });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var questions = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("questions").EnumerateArray().ToList();
        Assert.Equal(2, questions.Count);
        Assert.All(questions, q => Assert.Equal("single_choice", q.GetProperty("kind").GetString()));
        Assert.Equal(["def"], questions[0].GetProperty("correct").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(2m, questions[1].GetProperty("points").GetDecimal());
        var ids = questions.Select(q => q.GetProperty("id").GetString()!).ToList();
        Assert.Equal(2, ids.Distinct().Count());
        Assert.DoesNotContain(ids, id => id is "q1" or "q2" or "q3" or "q4" or "q5");
        Assert.Equal(before, await author.GetStringAsync($"/api/v1/papers/{paper}"));
        var sent = Assert.Single(Gemini.Requests);
        Assert.Empty(Gemini.Violations);
        Assert.Contains("\"Python functions\"", sent.UserText, StringComparison.Ordinal);
        Assert.Equal(AiAppFixture.PlatformKey, sent.ApiKey);
    }

    [Fact]
    public async Task GeneratedCodeQuestionsKeepTheirTestsAndHiddenFlags()
    {
        var (author, paper) = await AuthorWithPaperAsync();
        Gemini.Script(Questions(new
        {
            prompt = "Write square(x).", points = 3, language = "python",
            tests = new object[] { new { call = "square(2)", expected = "4", hidden = false }, new { call = "square(-3)", expected = "9", hidden = true } },
        }));

        var response = await author.GenerateAsync(paper, new { topic = "arithmetic", kind = "code", count = 1 });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var question = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("questions")[0];
        Assert.Equal("python", question.GetProperty("language").GetString());
        Assert.True(question.GetProperty("tests")[1].GetProperty("hidden").GetBoolean());
    }

    [Fact]
    public async Task OutputThatFailsTheQuestionValidatorsIsRetriedOnce()
    {
        var (author, paper) = await AuthorWithPaperAsync();
        Gemini.Script(
            Questions(Choice("Pick one", ["a", "b"], ["c"])),
            Questions(Choice("Pick one", ["a", "b"], ["a"])));

        var response = await author.GenerateAsync(paper, new { topic = "letters", kind = "single_choice", count = 1 });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, Gemini.Requests.Count);
    }

    [Fact]
    public async Task OutputUnusableTwiceAnswers502()
    {
        var (author, paper) = await AuthorWithPaperAsync();
        Gemini.Script(
            Questions(Choice("Pick one", ["a", "b"], ["a"]), Choice("Pick two", ["a", "b"], ["b"])),
            GeminiReplies.Text("{\"questions\": [{\"prompt\": 5}]"));

        var response = await author.GenerateAsync(paper, new { topic = "letters", kind = "single_choice", count = 1 });

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadGateway);
        Assert.Equal("The AI returned an unusable answer", problem.GetProperty("detail").GetString());
        Assert.DoesNotContain("Pick", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(2, Gemini.Requests.Count);
    }

    [Theory]
    [InlineData("{\"kind\": \"essay\", \"count\": 1}", "topic")]
    [InlineData("{\"topic\": \"x\", \"kind\": \"poem\", \"count\": 1}", "kind")]
    [InlineData("{\"topic\": \"x\", \"kind\": \"essay\", \"count\": 0}", "count")]
    [InlineData("{\"topic\": \"x\", \"kind\": \"essay\", \"count\": 11}", "count")]
    [InlineData("{\"topic\": \"x\", \"kind\": \"essay\"}", "count")]
    public async Task InvalidGenerationRequestsAre400PerField(string json, string field)
    {
        var (author, paper) = await AuthorWithPaperAsync();

        var response = await author.PostAsync($"/api/v1/papers/{paper}/questions/generate", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _));
        Assert.Empty(Gemini.Requests);
    }

    [Fact]
    public async Task CandidatesCannotGenerateAndOtherTenantsPapersAreNotFound()
    {
        var (_, paper) = await AuthorWithPaperAsync();
        var (otherAuthor, _) = await AuthorWithPaperAsync();
        var candidate = App.ClientWithBearer((await App.SignUpAsync(await App.CreateTenantAsync())).IdToken);
        var body = new { topic = "x", kind = "essay", count = 1 };

        await (await candidate.GenerateAsync(paper, body)).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await otherAuthor.GenerateAsync(paper, body)).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Empty(Gemini.Requests);
    }

    [Fact]
    public async Task GenerationsAreCappedPerAuthorPerDay()
    {
        var (author, paper) = await AuthorWithPaperAsync(fixture.CappedTenant);
        var colleague = App.ClientWithBearer((await App.SignUpAsync(fixture.CappedTenant, Roles.Author)).IdToken);
        var body = new { topic = "letters", kind = "single_choice", count = 1 };
        Gemini.Script(Enumerable.Range(0, 3).Select(_ => Questions(Choice("Pick one", ["a", "b"], ["a"]))).ToArray());

        Assert.Equal(HttpStatusCode.OK, (await author.GenerateAsync(paper, body)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await author.GenerateAsync(paper, body)).StatusCode);
        var midnight = DateTimeOffset.UtcNow.Date.AddDays(1);
        var askedAt = DateTimeOffset.UtcNow.UtcDateTime;
        var refused = await author.GenerateAsync(paper, body);
        var answeredAt = DateTimeOffset.UtcNow.UtcDateTime;
        var colleagues = await colleague.GenerateAsync(paper, body);

        var problem = await refused.AssertProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.Equal("generations", problem.GetProperty("cap").GetString());
        // The server rounds its wait up to whole seconds at some moment between asking and answering.
        Assert.InRange(refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds,
            (midnight - answeredAt).TotalSeconds - 60, Math.Ceiling((midnight - askedAt).TotalSeconds));
        Assert.Equal(HttpStatusCode.OK, colleagues.StatusCode);
    }
}
