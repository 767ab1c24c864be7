using System.Text.Json.Nodes;
using Npgsql;

namespace LearnPlatform.IntegrationTests.Papers;

public sealed class PaperAuthoringTests(AppFixture fixture) : IClassFixture<AppFixture>, IAsyncLifetime
{
    private TestApp App => fixture.App;
    private TenantUsers users = null!;
    private HttpClient Author => users.Author;

    public async Task InitializeAsync() => users = await TenantUsers.CreateAsync(App);

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task CreatedPaperIsADraftAndReadsBackExactlyAsSent()
    {
        var sent = PaperSamples.Valid();

        using var response = await Author.PostAsJsonAsync("/api/v1/papers", sent);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal($"/api/v1/papers/{created.Id()}", response.Headers.Location?.OriginalString);
        Assert.Equal("\"1\"", response.Headers.ETag?.ToString());
        Assert.Equal(1, created.Int("version"));
        Assert.Equal("draft", created.Str("status"));
        Assert.False(created.TryGetProperty("published_version", out _));
        Assert.Equal(created.GetProperty("created_at").GetDateTimeOffset(), created.GetProperty("updated_at").GetDateTimeOffset());

        var read = await Author.GetFromJsonAsync<JsonElement>(response.Headers.Location);
        Assert.Equal(created.ToString(), read.ToString());
        AssertSameContent(sent, read);
    }

    [Fact]
    public async Task GetSendsTheVersionAsETag()
    {
        var paper = await Author.CreatePaperAsync();

        using var response = await Author.GetAsync($"/api/v1/papers/{paper.Id()}");

        Assert.Equal("\"1\"", response.Headers.ETag?.ToString());
    }

    [Fact]
    public async Task UnknownPaperIsNotFound()
    {
        using var response = await Author.GetAsync($"/api/v1/papers/{Guid.CreateVersion7()}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task EditingADraftChangesItInPlace()
    {
        var paper = await Author.CreatePaperAsync();
        var edit = PaperSamples.Valid("Python basics, revised").With("questions/0/points", "4");

        var edited = await Author.UpdatePaperAsync(paper, edit);

        Assert.Equal(1, edited.Int("version"));
        Assert.Equal("draft", edited.Str("status"));
        Assert.Equal(paper.GetProperty("created_at").GetDateTimeOffset(), edited.GetProperty("created_at").GetDateTimeOffset());
        var read = await Author.GetFromJsonAsync<JsonElement>($"/api/v1/papers/{paper.Id()}");
        Assert.Equal(edited.ToString(), read.ToString());
        AssertSameContent(edit, read);
    }

    [Fact]
    public async Task EditingAPublishedPaperStartsVersionTwoWhileCandidatesKeepVersionOne()
    {
        var paper = await Author.PublishAsync(await Author.CreatePaperAsync(PaperSamples.Valid("Version one")));
        Assert.Equal(1, paper.Int("published_version"));

        var draft = await Author.UpdatePaperAsync(paper, PaperSamples.Valid("Version two"));

        Assert.Equal(2, draft.Int("version"));
        Assert.Equal("draft", draft.Str("status"));
        Assert.Equal(1, draft.Int("published_version"));
        var exam = await users.Candidate.GetFromJsonAsync<JsonElement>($"/api/v1/exams/{paper.Id()}");
        Assert.Equal(1, exam.Int("version"));
        Assert.Equal("Version one", exam.Str("title"));
        var listed = await ExamsAsync();
        Assert.Equal(("Version one", 1), listed[paper.Id()]);
        var frozen = await Author.GetFromJsonAsync<JsonElement>($"/api/v1/papers/{paper.Id()}?version=1");
        Assert.Equal("Version one", frozen.Str("title"));
        Assert.Equal(1, frozen.Int("version"));
    }

    [Fact]
    public async Task EditingVersionTwoAgainKeepsItAtVersionTwo()
    {
        var paper = await Author.PublishAsync(await Author.CreatePaperAsync());
        await Author.UpdatePaperAsync(paper, PaperSamples.Valid("Two"));

        var again = await Author.UpdatePaperAsync(paper, PaperSamples.Valid("Two, again"));

        Assert.Equal(2, again.Int("version"));
        Assert.Equal("Two, again", again.Str("title"));
    }

    [Fact]
    public async Task PublishingVersionTwoShowsItToCandidatesAndKeepsVersionOne()
    {
        var paper = await Author.PublishAsync(await Author.CreatePaperAsync(PaperSamples.Valid("Version one")));
        await Author.UpdatePaperAsync(paper, PaperSamples.Valid("Version two").With("questions/4", null));

        var published = await Author.PublishAsync(paper);

        Assert.Equal(2, published.Int("version"));
        Assert.Equal(2, published.Int("published_version"));
        Assert.Equal("published", published.Str("status"));
        var exam = await users.Candidate.GetFromJsonAsync<JsonElement>($"/api/v1/exams/{paper.Id()}");
        Assert.Equal((2, "Version two", 4), (exam.Int("version"), exam.Str("title"), exam.Int("question_count")));
        Assert.Equal(("Version two", 2), (await ExamsAsync())[paper.Id()]);
        var one = await Author.GetFromJsonAsync<JsonElement>($"/api/v1/papers/{paper.Id()}?version=1");
        Assert.Equal(("Version one", 5), (one.Str("title"), one.GetProperty("questions").GetArrayLength()));
        Assert.Equal("1,2", await VersionRowsAsync(paper.Id()));
    }

    [Fact]
    public async Task UnpublishedVersionIsNotFound()
    {
        var paper = await Author.CreatePaperAsync();

        using var response = await Author.GetAsync($"/api/v1/papers/{paper.Id()}?version=1");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task PublishingAnUnchangedPublishedPaperAgainChangesNothing()
    {
        var first = await Author.PublishAsync(await Author.CreatePaperAsync());

        var second = await Author.PublishAsync(first);

        Assert.Equal(first.ToString(), second.ToString());
        Assert.Equal("1", await VersionRowsAsync(first.Id()));
    }

    [Fact]
    public async Task SavingAPublishedPaperUnchangedDoesNotStartANewVersion()
    {
        var sent = PaperSamples.Valid();
        var paper = await Author.PublishAsync(await Author.CreatePaperAsync(sent));

        var saved = await Author.UpdatePaperAsync(paper, sent);

        Assert.Equal((1, "published"), (saved.Int("version"), saved.Str("status")));
    }

    [Fact]
    public async Task IfMatchWithAStaleVersionIsPreconditionFailed()
    {
        var paper = await Author.PublishAsync(await Author.CreatePaperAsync());
        await Author.UpdatePaperAsync(paper, PaperSamples.Valid("Someone else's edit"));

        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/papers/{paper.Id()}") { Content = JsonContent.Create(PaperSamples.Valid("Mine")) };
        request.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
        using var response = await Author.SendAsync(request);

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var current = await Author.GetFromJsonAsync<JsonElement>($"/api/v1/papers/{paper.Id()}");
        Assert.Equal("Someone else's edit", current.Str("title"));
    }

    [Theory]
    [InlineData("\"1\"")]
    [InlineData("*")]
    [InlineData("\"7\", \"1\"")]
    public async Task IfMatchWithTheCurrentVersionIsAccepted(string ifMatch)
    {
        var paper = await Author.CreatePaperAsync();

        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/papers/{paper.Id()}") { Content = JsonContent.Create(PaperSamples.Valid("Mine")) };
        request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        using var response = await Author.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("\"1\"", response.Headers.ETag?.ToString());
    }

    [Theory]
    [InlineData("W/\"1\"")]
    [InlineData("1")]
    [InlineData("\"2\"")]
    public async Task IfMatchThatIsNotTheCurrentStrongVersionIsPreconditionFailed(string ifMatch)
    {
        var paper = await Author.CreatePaperAsync();

        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/papers/{paper.Id()}") { Content = JsonContent.Create(PaperSamples.Valid("Mine")) };
        request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        using var response = await Author.SendAsync(request);

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
    }

    [Fact]
    public async Task CreateUpdateAndPublishAreAuditedWithTheVersionAndTheClientAddress()
    {
        var paper = await Author.CreatePaperAsync();
        await Author.UpdatePaperAsync(paper, PaperSamples.Valid("Edited"));
        await Author.PublishAsync(paper);
        await Author.UpdatePaperAsync(paper, PaperSamples.Valid("Edited again"));

        await using var connection = new NpgsqlConnection(App.Database.SuperuserConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT action, details::text, tenant_id, client_ip FROM audit_events WHERE resource = @r ORDER BY occurred_at, id", connection);
        command.Parameters.AddWithValue("r", $"paper/{paper.Id()}");
        var events = new List<(string, string, Guid, string?)>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                events.Add((reader.GetString(0), reader.GetString(1), reader.GetGuid(2), reader.IsDBNull(3) ? null : reader.GetString(3)));
            }
        }

        Assert.Equal(
            [("paper.create", "{\"version\": 1}"), ("paper.update", "{\"version\": 1}"), ("paper.publish", "{\"version\": 1}"), ("paper.update", "{\"version\": 2}")],
            events.Select(e => (e.Item1, e.Item2)));
        Assert.All(events, e => Assert.Equal(users.TenantId, e.Item3));
        // Every feature records where the call came from (Audit:ClientIp, truncated by default); paper events too.
        Assert.All(events, e => Assert.Equal("127.0.0.0/24", e.Item4));
    }

    [Fact]
    public async Task ListShowsSummariesNewestFirstFilteredAndPaged()
    {
        var a = await Author.CreatePaperAsync(PaperSamples.Valid("A"));
        var b = await Author.PublishAsync(await Author.CreatePaperAsync(PaperSamples.Valid("B").WithQuestions(3)));
        var c = await Author.CreatePaperAsync(PaperSamples.Valid("C"));

        var all = (await Author.GetFromJsonAsync<JsonElement>("/api/v1/papers")).GetProperty("items");
        Assert.Equal([c.Id(), b.Id(), a.Id()], all.EnumerateArray().Select(p => p.Id()));
        var summary = all[1];
        Assert.Equal(
            ["id", "version", "status", "published_version", "title", "question_count", "updated_at"],
            summary.EnumerateObject().Select(p => p.Name));
        Assert.Equal(("B", 3, "published", 1), (summary.Str("title"), summary.Int("question_count"), summary.Str("status"), summary.Int("published_version")));

        var drafts = (await Author.GetFromJsonAsync<JsonElement>("/api/v1/papers?status=draft")).GetProperty("items");
        Assert.Equal([c.Id(), a.Id()], drafts.EnumerateArray().Select(p => p.Id()));
        var published = (await Author.GetFromJsonAsync<JsonElement>("/api/v1/papers?status=published")).GetProperty("items");
        Assert.Equal([b.Id()], published.EnumerateArray().Select(p => p.Id()));

        var page1 = (await Author.GetFromJsonAsync<JsonElement>("/api/v1/papers?limit=2")).GetProperty("items");
        Assert.Equal([c.Id(), b.Id()], page1.EnumerateArray().Select(p => p.Id()));
        var page2 = (await Author.GetFromJsonAsync<JsonElement>($"/api/v1/papers?limit=2&after={b.Id()}")).GetProperty("items");
        Assert.Equal([a.Id()], page2.EnumerateArray().Select(p => p.Id()));
        var page3 = (await Author.GetFromJsonAsync<JsonElement>($"/api/v1/papers?limit=2&after={a.Id()}")).GetProperty("items");
        Assert.Equal(0, page3.GetArrayLength());
    }

    private async Task<Dictionary<Guid, (string?, int)>> ExamsAsync() =>
        (await users.Candidate.GetFromJsonAsync<JsonElement>("/api/v1/exams")).GetProperty("items").EnumerateArray()
            .ToDictionary(e => e.Id(), e => (e.Str("title"), e.Int("version")));

    /// <summary>The paper's version rows, as "1,2".</summary>
    private async Task<string> VersionRowsAsync(Guid paperId)
    {
        await using var connection = new NpgsqlConnection(App.Database.SuperuserConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT string_agg(version::text, ',' ORDER BY version) FROM paper_versions WHERE paper_id = @p", connection);
        command.Parameters.AddWithValue("p", paperId);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Every field the author sent comes back with the same value (defaults may be added).</summary>
    private static void AssertSameContent(JsonNode? sent, JsonElement read, string path = "")
    {
        switch (sent)
        {
            case JsonObject obj:
                foreach (var (name, value) in obj)
                {
                    Assert.True(read.TryGetProperty(name, out var field), $"{path}.{name} is missing");
                    AssertSameContent(value, field, $"{path}.{name}");
                }
                break;
            case JsonArray array:
                Assert.Equal(array.Count, read.GetArrayLength());
                for (var i = 0; i < array.Count; i++)
                {
                    AssertSameContent(array[i], read[i], $"{path}[{i}]");
                }
                break;
            default:
                Assert.True(JsonNode.DeepEquals(sent, JsonNode.Parse(read.GetRawText())), $"{path}: sent {sent?.ToJsonString()}, read {read}");
                break;
        }
    }
}
