using System.Text.Json.Nodes;
using LearnPlatform.Core.Data;
using static LearnPlatform.IntegrationTests.Code.CodePapers;

namespace LearnPlatform.IntegrationTests.Code;

/// <summary>POST /api/v1/papers/{id}/questions/{question_id}/check: an author runs the reference solution against every test.</summary>
public sealed class CodeCheckTests(SandboxAppFixture fixture) : IClassFixture<SandboxAppFixture>
{
    private TestApp App => fixture.App;

    private static JsonObject PaperJson(string solution) =>
        JsonNode.Parse($$"""
            {
              "title": "Code", "time_limit_seconds": 1800, "mode": "exam", "allow_code_runs": true,
              "questions": [
                {"id": "q1", "kind": "single_choice", "prompt": "2+2?", "options": ["3", "4"], "correct": ["4"], "points": 1},
                {"id": "c1", "kind": "code", "language": "python", "prompt": "Write add(a, b).", "points": 2,
                 "tests": [{"call": "add(2, 3)", "expected": "5"}, {"call": "add(-1, 1)", "expected": "0"},
                           {"call": "{{HiddenCall}}", "expected": "{{HiddenExpected}}", "hidden": true}],
                 "solution": {{JsonSerializer.Serialize(solution)}}}
              ]
            }
            """)!.AsObject();

    private async Task<(HttpClient Author, Guid Tenant)> AuthorAsync()
    {
        var tenant = await App.CreateTenantAsync();
        return (App.ClientWithBearer((await App.SignUpAsync(tenant, Roles.Author)).IdToken), tenant);
    }

    [Fact]
    public async Task TheCheckRunsTheReferenceSolutionAgainstEveryTestHiddenOnesIncluded()
    {
        var (author, _) = await AuthorAsync();
        var created = await author.PostAsJsonAsync("/api/v1/papers", PaperJson(Correct));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var paper = await created.Content.ReadFromJsonAsync<JsonElement>();

        using var response = await author.CheckAsync(paper.Id(), "c1");

        Assert.True(paper.GetProperty("allow_code_runs").GetBoolean());
        Assert.Equal(Correct, paper.GetProperty("questions")[1].GetProperty("solution").GetString());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var check = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("passed", check.GetProperty("status").GetString());
        var tests = check.GetProperty("tests").EnumerateArray().ToList();
        Assert.Equal(["add(2, 3)", "add(-1, 1)", HiddenCall], tests.Select(t => t.GetProperty("call").GetString()));
        Assert.Equal([false, false, true], tests.Select(t => t.GetProperty("hidden").GetBoolean()));
        Assert.Equal(HiddenExpected, tests[2].GetProperty("actual").GetString());
    }

    [Fact]
    public async Task AReferenceSolutionThatFailsIsStillSavedAndTheCheckSaysWhy()
    {
        var (author, _) = await AuthorAsync();
        var paper = (await (await author.PostAsJsonAsync("/api/v1/papers", PaperJson(Correct))).Content.ReadFromJsonAsync<JsonElement>()).Id();
        const string wrong = "def add(a, b):\n    return a - b if a > 0 else a + b\n";

        using var saved = await author.PutAsJsonAsync($"/api/v1/papers/{paper}", PaperJson(wrong));
        var check = await (await author.CheckAsync(paper, "c1")).Content.ReadFromJsonAsync<JsonElement>();
        var raising = await (await author.CheckAsync(paper, "c1", "def add(a, b):\n    return a / 0\n")).Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        Assert.Equal(wrong, (await saved.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("questions")[1].GetProperty("solution").GetString());
        Assert.Equal("failed", check.GetProperty("status").GetString());
        Assert.Equal([false, true, false], check.GetProperty("tests").EnumerateArray().Select(t => t.GetProperty("passed").GetBoolean()));
        Assert.Equal("-1", check.GetProperty("tests")[0].GetProperty("actual").GetString());
        Assert.Equal("999998", check.GetProperty("tests")[2].GetProperty("actual").GetString());
        Assert.Equal("ZeroDivisionError: division by zero", raising.GetProperty("tests")[2].GetProperty("error").GetString());
    }

    [Fact]
    public async Task ChecksOfWhatTheAuthorCannotCheckAreRefused()
    {
        var (author, tenant) = await AuthorAsync();
        var withoutSolution = PaperJson(Correct);
        withoutSolution["questions"]![1]!.AsObject().Remove("solution");
        var paper = (await (await author.PostAsJsonAsync("/api/v1/papers", withoutSolution)).Content.ReadFromJsonAsync<JsonElement>()).Id();
        var candidate = App.ClientWithBearer((await App.SignUpAsync(tenant)).IdToken);
        var (otherAuthor, _) = await AuthorAsync();

        await (await candidate.CheckAsync(paper, "c1", Correct)).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await otherAuthor.CheckAsync(paper, "c1", Correct)).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await author.CheckAsync(paper, "q1", Correct)).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await author.CheckAsync(Guid.NewGuid(), "c1", Correct)).AssertProblemAsync(HttpStatusCode.NotFound);
        var noSolution = await (await author.CheckAsync(paper, "c1")).AssertProblemAsync(HttpStatusCode.BadRequest);
        var tooLong = await (await author.CheckAsync(paper, "c1", new string('#', 100_001))).AssertProblemAsync(HttpStatusCode.BadRequest);
        using var given = await author.CheckAsync(paper, "c1", Correct);

        Assert.Equal("Send a solution, or save one on the question first.", noSolution.GetProperty("errors").GetProperty("solution")[0].GetString());
        Assert.True(tooLong.GetProperty("errors").TryGetProperty("solution", out _));
        Assert.Equal(HttpStatusCode.OK, given.StatusCode);
    }

    [Fact]
    public async Task SolutionsBelongToCodeQuestionsInALanguageTheSandboxRuns()
    {
        var (author, _) = await AuthorAsync();
        var onChoice = PaperJson(Correct);
        onChoice["questions"]![0]!["solution"] = "4";
        var ruby = PaperJson(Correct);
        ruby["questions"]![1]!["language"] = "ruby";

        var choiceProblem = await (await author.PostAsJsonAsync("/api/v1/papers", onChoice)).AssertProblemAsync(HttpStatusCode.BadRequest);
        var rubyProblem = await (await author.PostAsJsonAsync("/api/v1/papers", ruby)).AssertProblemAsync(HttpStatusCode.BadRequest);

        Assert.Equal("A solution is only allowed on code questions.", choiceProblem.GetProperty("errors").GetProperty("questions[0].solution")[0].GetString());
        Assert.Equal("The language must be one of: python, javascript.", rubyProblem.GetProperty("errors").GetProperty("questions[1].language")[0].GetString());
    }
}
