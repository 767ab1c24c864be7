using System.Text.Json.Nodes;
using System.Xml.Linq;
using LearnPlatform.Core.Data;
using LearnPlatform.IntegrationTests.Audit;

namespace LearnPlatform.IntegrationTests.Qti;

/// <summary>Export produces a package valid against the QTI 3.0 XSDs, and importing it gives back every supported field.</summary>
public sealed class QtiExportTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;

    /// <summary>Every supported field, with what tends to break: ids that are not NCNames, markup characters, indentation, blank lines.</summary>
    public static JsonObject RoundTripPaper() => JsonNode.Parse("""
        {
          "title": "Lists & <tuples> \"quoted\"",
          "time_limit_seconds": 2700,
          "max_attempts": 3,
          "guest_access": true,
          "shuffle_questions": true,
          "shuffle_options": true,
          "mode": "practice",
          "allow_hints_during_exam": true,
          "allow_code_runs": true,
          "questions": [
            {"id": "1", "kind": "single_choice", "prompt": "Which is immutable?\nPick one.", "options": ["list", "tuple", "a  <b> & c", "two\nlines"], "correct": ["tuple"], "points": 1.5},
            {"id": "_multi", "kind": "multiple_choice", "prompt": "  Indented code:\n    x = [1, 2]\n\n\tdone", "options": ["x is a list", "x is a tuple", "x has 2 items"], "correct": ["x is a list", "x has 2 items"], "points": 2},
            {"id": "-short", "kind": "short_text", "prompt": "Keyword that defines a function?", "correct": ["def", "DEF keyword", "déf"], "points": 1, "ai_fallback": true},
            {"id": "essay-4", "kind": "essay", "prompt": "Explain list vs tuple.", "rubric": "Mutability (2)\nUse cases (2)\n  Syntax (1)", "points": 5}
          ]
        }
        """)!.AsObject();

    private async Task<(HttpClient Author, Guid Tenant)> AuthorAsync()
    {
        var tenant = await App.CreateTenantAsync();
        return (App.ClientWithBearer((await App.SignUpAsync(tenant, Roles.Author)).IdToken), tenant);
    }

    private static async Task<JsonElement> CreateAsync(HttpClient author, JsonObject paper)
    {
        using var response = await author.PostAsJsonAsync("/api/v1/papers", paper);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task TheExportedPackageIsValidAgainstTheQti30Xsds()
    {
        var (author, _) = await AuthorAsync();
        var paper = await CreateAsync(author, RoundTripPaper());

        var files = await author.ExportedFilesAsync(paper.Id());

        Assert.Equal(["assessment.xml", "imsmanifest.xml", "items/-short.xml", "items/1.xml", "items/_multi.xml", "items/essay-4.xml", "learnplatform-settings.xml"],
            files.Keys.Order(StringComparer.Ordinal));
        Assert.Empty(QtiSchemas.Validate(QtiSchemas.Manifest.Value, files["imsmanifest.xml"]));
        foreach (var (name, xml) in files.Where(f => f.Key.StartsWith("items/", StringComparison.Ordinal) || f.Key == "assessment.xml"))
        {
            var problems = QtiSchemas.Validate(QtiSchemas.Asi.Value, xml);
            Assert.True(problems.Count == 0, $"{name}: {string.Join("\n", problems)}");
        }
        // The schemas do catch what is wrong: an attribute QTI does not have, on the same item.
        var broken = XDocument.Parse(System.Text.Encoding.UTF8.GetString(files["items/1.xml"]));
        broken.Root!.SetAttributeValue("not-a-qti-attribute", "x");
        Assert.NotEmpty(QtiSchemas.Validate(QtiSchemas.Asi.Value, System.Text.Encoding.UTF8.GetBytes(broken.ToString())));
    }

    [Fact]
    public async Task ExportThenImportKeepsEverySupportedField()
    {
        var (author, tenant) = await AuthorAsync();
        var original = await CreateAsync(author, RoundTripPaper());
        var files = await author.ExportedFilesAsync(original.Id());

        using var imported = await author.ImportAsync(QtiCalls.Rezip(files));

        Assert.Equal(HttpStatusCode.Created, imported.StatusCode);
        var copy = await imported.Content.ReadFromJsonAsync<JsonElement>();
        Assert.NotEqual(original.Id(), copy.Id());
        Assert.Equal("draft", copy.GetProperty("status").GetString());
        var fields = new[] { "title", "time_limit_seconds", "max_attempts", "guest_access", "shuffle_questions", "shuffle_options", "mode", "allow_hints_during_exam", "allow_code_runs", "questions" };
        foreach (var field in fields)
        {
            Assert.Equal(original.GetProperty(field).GetRawText(), copy.GetProperty(field).GetRawText());
        }
        var audit = Assert.Single(await App.AuditRowsAsync("tenant_id = @t AND action = 'paper.create' AND resource = @r", ("t", tenant), ("r", $"paper/{copy.Id()}")));
        Assert.Contains("qti3", audit.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APublishedVersionIsExportedWhenAsked()
    {
        var (author, _) = await AuthorAsync();
        var paper = await CreateAsync(author, RoundTripPaper());
        Assert.Equal(HttpStatusCode.OK, (await author.PostAsync($"/api/v1/papers/{paper.Id()}/publish", null)).StatusCode);
        var changed = RoundTripPaper();
        changed["title"] = "Second draft";
        Assert.Equal(HttpStatusCode.OK, (await author.PutAsJsonAsync($"/api/v1/papers/{paper.Id()}", changed)).StatusCode);

        using var published = await author.ExportAsync(paper.Id(), "format=qti3&version=1");
        using var draft = await author.ExportAsync(paper.Id());
        using var missing = await author.ExportAsync(paper.Id(), "format=qti3&version=7");

        Assert.Contains("Lists &amp;", System.Text.Encoding.UTF8.GetString(QtiCalls.Unzip(await published.Content.ReadAsByteArrayAsync())["assessment.xml"]), StringComparison.Ordinal);
        Assert.Contains("Second draft", System.Text.Encoding.UTF8.GetString(QtiCalls.Unzip(await draft.Content.ReadAsByteArrayAsync())["assessment.xml"]), StringComparison.Ordinal);
        Assert.Equal("attachment", published.Content.Headers.ContentDisposition?.DispositionType);
        await missing.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task APaperWithCodeQuestionsIsNotExported()
    {
        var (author, _) = await AuthorAsync();
        var paper = await CreateAsync(author, Papers.PaperSamples.Valid());

        using var response = await author.ExportAsync(paper.Id());

        var problem = await response.AssertProblemAsync(HttpStatusCode.Conflict);
        var errors = problem.GetProperty("errors");
        Assert.Equal(["questions[4]"], errors.EnumerateObject().Select(e => e.Name));
        Assert.Equal("Question q5 is a code question, which QTI 3.0 choice, text-entry and extended-text items cannot carry.", errors.GetProperty("questions[4]")[0].GetString());
    }

    [Fact]
    public async Task APaperWithSpokenQuestionsIsNotExported()
    {
        var (author, _) = await AuthorAsync();
        var withSpoken = RoundTripPaper();
        withSpoken["questions"]!.AsArray().Add(JsonNode.Parse("""{"id": "talk", "kind": "spoken", "prompt": "Say why.", "rubric": "Clarity (2)", "points": 2, "max_seconds": 90}"""));
        var paper = await CreateAsync(author, withSpoken);

        using var response = await author.ExportAsync(paper.Id());

        var errors = (await response.AssertProblemAsync(HttpStatusCode.Conflict)).GetProperty("errors");
        Assert.Equal(["questions[4]"], errors.EnumerateObject().Select(e => e.Name));
        Assert.Equal("Question talk is a spoken question, which QTI 3.0 choice, text-entry and extended-text items cannot carry.", errors.GetProperty("questions[4]")[0].GetString());
    }

    [Fact]
    public async Task ExportNeedsTheFormatAnAuthorAndAPaperOfTheTenant()
    {
        var (author, tenant) = await AuthorAsync();
        var (stranger, _) = await AuthorAsync();
        var candidate = App.ClientWithBearer((await App.SignUpAsync(tenant)).IdToken);
        var paper = (await CreateAsync(author, RoundTripPaper())).Id();

        var noFormat = await (await author.ExportAsync(paper, "")).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await author.ExportAsync(paper, "format=qti2")).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await stranger.ExportAsync(paper)).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await author.ExportAsync(Guid.NewGuid())).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.Forbidden, (await candidate.ExportAsync(paper)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await App.Client.ExportAsync(paper)).StatusCode);
        Assert.True(noFormat.GetProperty("errors").TryGetProperty("format", out _));
    }
}
