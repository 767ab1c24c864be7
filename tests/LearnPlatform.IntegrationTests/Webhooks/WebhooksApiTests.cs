using LearnPlatform.Core.Data;
using LearnPlatform.IntegrationTests.Privacy;

namespace LearnPlatform.IntegrationTests.Webhooks;

/// <summary>Admins register, list and delete endpoints; the secret is shown once; everything else is refused clearly.</summary>
public sealed class WebhooksApiTests(WebhookFixture fixture) : IClassFixture<WebhookFixture>
{
    private TestApp App => fixture.App;

    [Fact]
    public async Task CreatingAnEndpointShowsItsSecretOnceAndStoresItOnlyAsCiphertext()
    {
        var created = await fixture.Admin.RegisterAsync(fixture.Receiver, "api-create", "session.graded");

        var secret = created.GetProperty("secret").GetString()!;
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        Assert.Equal(32, Convert.FromBase64String(secret["whsec_".Length..]).Length);
        Assert.Equal(fixture.Receiver.Url("api-create"), created.GetProperty("url").GetString());
        Assert.Equal(["session.graded"], created.GetProperty("events").EnumerateArray().Select(e => e.GetString()));
        var listed = (await fixture.Admin.GetFromJsonAsync<JsonElement>("/api/v1/webhooks")).GetProperty("items").EnumerateArray()
            .Single(e => e.Id() == created.Id());
        Assert.False(listed.TryGetProperty("secret", out _));
        Assert.Empty(await App.RowsContainingAsync(secret["whsec_".Length..]));
        Assert.Equal(1, await App.CountAsync("SELECT count(*) FROM audit_events WHERE action = 'webhook.create' AND resource = @r", ("r", $"webhook/{created.Id()}")));
    }

    [Fact]
    public async Task DeletingAnEndpointRemovesItAndIsAudited()
    {
        var created = await fixture.Admin.RegisterAsync(fixture.Receiver, "api-delete");

        var deleted = await fixture.Admin.DeleteAsync($"/api/v1/webhooks/{created.Id()}");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await (await fixture.Admin.DeleteAsync($"/api/v1/webhooks/{created.Id()}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await fixture.Admin.GetAsync($"/api/v1/webhooks/{created.Id()}/deliveries")).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(1, await App.CountAsync("SELECT count(*) FROM audit_events WHERE action = 'webhook.delete' AND resource = @r", ("r", $"webhook/{created.Id()}")));
    }

    [Theory]
    [InlineData("""{"events":["session.graded"]}""", "url")]
    [InlineData("""{"url":"","events":["session.graded"]}""", "url")]
    [InlineData("""{"url":"not a url","events":["session.graded"]}""", "url")]
    [InlineData("""{"url":"ftp://example.test/hook","events":["session.graded"]}""", "url")]
    [InlineData("""{"url":"https://user:pw@example.test/hook","events":["session.graded"]}""", "url")]
    [InlineData("""{"url":"https://example.test/hook"}""", "events")]
    [InlineData("""{"url":"https://example.test/hook","events":[]}""", "events")]
    [InlineData("""{"url":"https://example.test/hook","events":["session.graded","session.graded"]}""", "events")]
    [InlineData("""{"url":"https://example.test/hook","events":["session.started"]}""", "events[0]")]
    public async Task AnInvalidEndpointIsA400NamingTheField(string body, string field)
    {
        var response = await fixture.Admin.PostAsync("/api/v1/webhooks", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.GetRawText());
    }

    [Fact]
    public async Task AnUnknownEndpointIsA404()
    {
        await (await fixture.Admin.DeleteAsync($"/api/v1/webhooks/{Guid.NewGuid()}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await fixture.Admin.GetAsync($"/api/v1/webhooks/{Guid.NewGuid()}/deliveries")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData(Roles.Author)]
    [InlineData(Roles.Candidate)]
    public async Task OnlyAdminsManageWebhooks(string role)
    {
        var created = await fixture.Admin.RegisterAsync(fixture.Receiver, $"api-forbidden-{role}");
        var client = App.ClientWithBearer((await App.SignUpAsync(fixture.Tenant, role)).IdToken);

        await (await client.PostAsJsonAsync("/api/v1/webhooks", new { url = fixture.Receiver.Url("x"), events = new[] { "session.graded" } })).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await client.GetAsync("/api/v1/webhooks")).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await client.DeleteAsync($"/api/v1/webhooks/{created.Id()}")).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await client.GetAsync($"/api/v1/webhooks/{created.Id()}/deliveries")).AssertProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task WithoutCredentialsItIsA401()
    {
        await (await App.Client.GetAsync("/api/v1/webhooks")).AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task AnotherTenantsAdminCannotSeeDeleteOrReadTheDeliveriesOfAnEndpoint()
    {
        var created = await fixture.Admin.RegisterAsync(fixture.Receiver, "api-isolated");
        var otherTenant = await App.CreateTenantAsync();
        var other = App.ClientWithBearer((await App.SignUpAsync(otherTenant, Roles.Admin)).IdToken);

        var list = await other.GetFromJsonAsync<JsonElement>("/api/v1/webhooks");

        Assert.Empty(list.GetProperty("items").EnumerateArray());
        await (await other.DeleteAsync($"/api/v1/webhooks/{created.Id()}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await other.GetAsync($"/api/v1/webhooks/{created.Id()}/deliveries")).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Contains((await fixture.Admin.GetFromJsonAsync<JsonElement>("/api/v1/webhooks")).GetProperty("items").EnumerateArray(), e => e.Id() == created.Id());
    }
}
