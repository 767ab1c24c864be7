using LearnPlatform.Core.Data;

namespace LearnPlatform.IntegrationTests.Qti;

/// <summary>Packages from other tools become draft papers; what cannot be mapped is a 400 that names each file and why.</summary>
public sealed class QtiImportTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;

    private async Task<(HttpClient Author, Guid Tenant)> AuthorAsync()
    {
        var tenant = await App.CreateTenantAsync();
        return (App.ClientWithBearer((await App.SignUpAsync(tenant, Roles.Author)).IdToken), tenant);
    }

    [Fact]
    public async Task AForeignPackageWithoutATestBecomesADraftInManifestOrder()
    {
        var (author, _) = await AuthorAsync();
        var package = QtiCalls.Zip(
            ("imsmanifest.xml", QtiSamples.Manifest("items/choice.xml", "items/entry.xml", "essay.xml")),
            ("items/choice.xml", QtiSamples.ChoiceWithPromptInside),
            ("items/entry.xml", QtiSamples.InlineTextEntry),
            ("essay.xml", QtiSamples.EssayWithRubric),
            ("style/item.css", "p { color: black }"));

        using var response = await author.ImportAsync(package);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var paper = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("draft", paper.GetProperty("status").GetString());
        Assert.Equal("Imported paper", paper.GetProperty("title").GetString());
        Assert.Equal(3600, paper.GetProperty("time_limit_seconds").GetInt32());
        var questions = paper.GetProperty("questions").EnumerateArray().ToList();
        Assert.Equal(["capital-fr", "TE1", "ESSAY"], questions.Select(q => q.GetProperty("id").GetString()));

        Assert.Equal("single_choice", questions[0].GetProperty("kind").GetString());
        Assert.Equal("Look at the map.\nWhich city is the capital of France?", questions[0].GetProperty("prompt").GetString());
        Assert.Equal(["Lyon", "Paris", "Marseille"], questions[0].GetProperty("options").EnumerateArray().Select(o => o.GetString()));
        Assert.Equal(["Paris"], questions[0].GetProperty("correct").EnumerateArray().Select(o => o.GetString()));
        Assert.Equal(1m, questions[0].GetProperty("points").GetDecimal());

        Assert.Equal("short_text", questions[1].GetProperty("kind").GetString());
        Assert.Equal("In Python, the keyword ____ starts a function.", questions[1].GetProperty("prompt").GetString());
        Assert.Equal(["def", "def keyword"], questions[1].GetProperty("correct").EnumerateArray().Select(o => o.GetString()));
        Assert.Equal(2m, questions[1].GetProperty("points").GetDecimal());

        Assert.Equal("essay", questions[2].GetProperty("kind").GetString());
        Assert.Equal("Explain recursion.", questions[2].GetProperty("prompt").GetString());
        Assert.Equal("Base case (2)\nRecursive step (2)", questions[2].GetProperty("rubric").GetString());
        Assert.Equal(4m, questions[2].GetProperty("points").GetDecimal());
    }

    [Fact]
    public async Task WhatCannotBeMappedIsReportedPerItemAndNothingIsCreated()
    {
        var (author, tenant) = await AuthorAsync();
        var package = QtiCalls.Zip(
            ("imsmanifest.xml", QtiSamples.Manifest("good.xml", "match.xml", "old.xml", "image.xml", "badkey.xml", "one.xml", "missing.xml")),
            ("good.xml", QtiSamples.ChoiceWithPromptInside),
            ("match.xml", QtiSamples.MatchInteraction),
            ("old.xml", QtiSamples.Qti21Item),
            ("image.xml", QtiSamples.ChoiceWithImage),
            ("badkey.xml", QtiSamples.ChoiceWithUnknownKey),
            ("one.xml", QtiSamples.ChoiceWithOneOption));

        using var response = await author.ImportAsync(package);

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors");
        Assert.Equal(["badkey.xml", "image.xml", "match.xml", "missing.xml", "old.xml"], errors.EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal));
        Assert.Contains("qti-match-interaction", errors.GetProperty("match.xml")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("QTI 2.x", errors.GetProperty("old.xml")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("<img>", errors.GetProperty("image.xml")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("Z", errors.GetProperty("badkey.xml")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("no file", errors.GetProperty("missing.xml")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await App.CountAsync("SELECT count(*) FROM papers WHERE tenant_id = @t", ("t", tenant)));

        // Once the structural problems are gone, the paper rules speak, still per file.
        using var rules = await author.ImportAsync(QtiCalls.Zip(
            ("imsmanifest.xml", QtiSamples.Manifest("good.xml", "one.xml", "again.xml")),
            ("good.xml", QtiSamples.ChoiceWithPromptInside),
            ("one.xml", QtiSamples.ChoiceWithOneOption),
            ("again.xml", QtiSamples.ChoiceWithPromptInside)));
        var ruleErrors = (await rules.AssertProblemAsync(HttpStatusCode.BadRequest)).GetProperty("errors");
        Assert.Contains("options: A choice question needs 2 to 20 options.", ruleErrors.GetProperty("one.xml").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains("already used", ruleErrors.GetProperty("again.xml")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImportIsForAuthorsOfTheTenant()
    {
        var (_, tenant) = await AuthorAsync();
        var candidate = App.ClientWithBearer((await App.SignUpAsync(tenant)).IdToken);
        var package = QtiCalls.Zip(("imsmanifest.xml", QtiSamples.Manifest("a.xml")), ("a.xml", QtiSamples.ChoiceWithPromptInside));

        Assert.Equal(HttpStatusCode.Forbidden, (await candidate.ImportAsync(package)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await App.Client.ImportAsync(package)).StatusCode);
    }
}
