using LearnPlatform.Core.Data;
using System.Security.Cryptography;

namespace LearnPlatform.IntegrationTests.Webhooks;

/// <summary>An app with webhooks configured (short retries and timeout), a receiver, and a tenant with an admin and a candidate.</summary>
public class WebhookFixture : IAsyncLifetime
{
    public static readonly string SecretKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public TestApp App { get; private set; } = null!;
    public WebhookReceiver Receiver { get; private set; } = null!;
    public Guid Tenant { get; private set; }
    public HttpClient Admin { get; private set; } = null!;

    public static void Configure(Dictionary<string, string?> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings["Webhooks:SecretKey"] = SecretKey;
        settings["Webhooks:Timeout"] = "00:00:01";
        settings["Webhooks:RetryInitialInterval"] = "00:00:00.100";
        settings["Webhooks:RetryMaximumInterval"] = "00:00:00.200";
    }

    public virtual async Task InitializeAsync()
    {
        Receiver = await WebhookReceiver.StartAsync();
        App = await TestApp.StartAsync(Configure);
        Tenant = await App.CreateTenantAsync();
        Admin = App.ClientWithBearer((await App.SignUpAsync(Tenant, Roles.Admin)).IdToken);
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Receiver.DisposeAsync();
    }
}

public static class WebhookCalls
{
    /// <summary>Registers the receiver's endpoint <paramref name="name"/> and tells the receiver its secret.</summary>
    public static async Task<JsonElement> RegisterAsync(this HttpClient admin, WebhookReceiver receiver, string name, params string[] events)
    {
        var response = await admin.PostAsJsonAsync("/api/v1/webhooks", new
        {
            url = receiver.Url(name),
            events = events.Length > 0 ? events : ["session.submitted", "session.graded", "session.needs_review"],
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        receiver.Expect(name, created.GetProperty("secret").GetString()!);
        return created;
    }

    public static async Task<List<JsonElement>> DeliveriesAsync(this HttpClient admin, Guid webhook)
    {
        var list = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/webhooks/{webhook}/deliveries");
        return [.. list.GetProperty("items").EnumerateArray()];
    }

    /// <summary>A candidate of the tenant takes an automatically graded paper and submits it; returns the session id.</summary>
    public static async Task<Guid> SubmitSessionAsync(this TestApp app, Guid tenant)
    {
        var paper = await app.PublishAsync(tenant, Lti.LtiPapers.AutoGraded());
        var candidate = app.ClientWithBearer((await app.SignUpAsync(tenant)).IdToken);
        var session = (await candidate.StartSessionAsync(paper)).Id();
        Assert.Equal(HttpStatusCode.OK, (await candidate.SaveAsync(session, "q1", new[] { "4" })).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await candidate.SubmitAsync(session)).StatusCode);
        return session;
    }
}
