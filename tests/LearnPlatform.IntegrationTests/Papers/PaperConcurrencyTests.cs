using Npgsql;

namespace LearnPlatform.IntegrationTests.Papers;

public sealed class PaperConcurrencyTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;

    [Fact]
    public async Task TenConcurrentPublishesMakeExactlyOneVersion()
    {
        var users = await TenantUsers.CreateAsync(App);
        var paper = await users.Author.CreatePaperAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => users.Author.PostAsync($"/api/v1/papers/{paper.Id()}/publish", null)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(1L, await CountAsync("SELECT count(*) FROM paper_versions WHERE paper_id = @p::uuid", paper.Id()));
        Assert.Equal(1L, await CountAsync("SELECT count(*) FROM audit_events WHERE resource = 'paper/' || @p AND action = 'paper.publish'", paper.Id()));
        foreach (var response in responses)
        {
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal((1, "published", 1), (body.Int("version"), body.Str("status"), body.Int("published_version")));
        }
    }

    [Fact]
    public async Task ConcurrentEditsAndPublishesLeaveAConsistentPaper()
    {
        var users = await TenantUsers.CreateAsync(App);
        var paper = await users.Author.PublishAsync(await users.Author.CreatePaperAsync());

        var requests = Enumerable.Range(0, 12).Select(i => i % 3 == 0
            ? users.Author.PostAsync($"/api/v1/papers/{paper.Id()}/publish", null)
            : users.Author.PutAsJsonAsync($"/api/v1/papers/{paper.Id()}", PaperSamples.Valid($"Edit {i}")));
        var responses = await Task.WhenAll(requests);

        Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.OK or HttpStatusCode.Conflict, r.StatusCode.ToString()));
        var current = await users.Author.GetFromJsonAsync<JsonElement>($"/api/v1/papers/{paper.Id()}");
        var publishedVersion = current.Int("published_version");
        Assert.Equal(publishedVersion, await CountAsync("SELECT count(*) FROM paper_versions WHERE paper_id = @p::uuid", paper.Id()));
        if (current.Str("status") == "published")
        {
            // The working copy of a published paper is exactly its published version.
            var frozen = await users.Author.GetFromJsonAsync<JsonElement>($"/api/v1/papers/{paper.Id()}?version={publishedVersion}");
            Assert.Equal(current.GetProperty("questions").ToString(), frozen.GetProperty("questions").ToString());
            Assert.Equal(current.Str("title"), frozen.Str("title"));
        }
        else
        {
            Assert.Equal(publishedVersion + 1, current.Int("version"));
        }
    }

    [Fact]
    public async Task PublishingOverAnExistingVersionRowIsAConflictNotAServerError()
    {
        var users = await TenantUsers.CreateAsync(App);
        var paper = await users.Author.CreatePaperAsync();
        await using (var connection = new NpgsqlConnection(App.Database.SuperuserConnectionString))
        {
            await connection.OpenAsync();
            await using var insert = new NpgsqlCommand(
                "INSERT INTO paper_versions SELECT id, version, tenant_id, content, 'someone', now() FROM papers WHERE id = @p::uuid", connection);
            insert.Parameters.AddWithValue("p", paper.Id().ToString());
            await insert.ExecuteNonQueryAsync();
        }

        using var response = await users.Author.PostAsync($"/api/v1/papers/{paper.Id()}/publish", null);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var current = await users.Author.GetFromJsonAsync<JsonElement>($"/api/v1/papers/{paper.Id()}");
        Assert.Equal("draft", current.Str("status"));
        Assert.Equal(0L, await CountAsync("SELECT count(*) FROM audit_events WHERE resource = 'paper/' || @p AND action = 'paper.publish'", paper.Id()));
    }

    private async Task<long> CountAsync(string sql, Guid paperId)
    {
        await using var connection = new NpgsqlConnection(App.Database.SuperuserConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("p", paperId.ToString());
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
