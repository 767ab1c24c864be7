using LearnPlatform.Core.Data;

namespace LearnPlatform.IntegrationTests.Webhooks;

/// <summary>With the SSRF checks on (Production's default): refusals at registration, and again at delivery.</summary>
public sealed class WebhookSsrfTests : IAsyncLifetime
{
    private WebhookReceiver receiver = null!;
    private TestApp app = null!;
    private Guid tenant;
    private HttpClient admin = null!;

    public async Task InitializeAsync()
    {
        receiver = await WebhookReceiver.StartAsync();
        app = await TestApp.StartAsync(settings =>
        {
            WebhookFixture.Configure(settings);
            settings["Webhooks:AllowPrivateNetworks"] = "false";
        });
        tenant = await app.CreateTenantAsync();
        admin = app.ClientWithBearer((await app.SignUpAsync(tenant, Roles.Admin)).IdToken);
    }

    public async Task DisposeAsync()
    {
        await app.DisposeAsync();
        await receiver.DisposeAsync();
    }

    [Theory]
    [InlineData("http://203.0.113.10/hook", "https")]
    [InlineData("https://127.0.0.1/hook", "loopback")]
    [InlineData("https://localhost/hook", "loopback")]
    [InlineData("https://[::1]/hook", "loopback")]
    [InlineData("https://10.1.2.3/hook", "private")]
    [InlineData("https://172.20.0.1/hook", "private")]
    [InlineData("https://192.168.1.1/hook", "private")]
    [InlineData("https://[fd12::1]/hook", "private")]
    [InlineData("https://169.254.10.10/hook", "link-local")]
    [InlineData("https://[fe80::1]/hook", "link-local")]
    [InlineData("https://100.64.1.1/hook", "CGNAT")]
    [InlineData("https://169.254.169.254/latest/meta-data", "metadata")]
    [InlineData("https://metadata.google.internal/computeMetadata/v1", "metadata")]
    [InlineData("https://[::ffff:10.0.0.1]/hook", "private")]
    [InlineData("https://0.0.0.0/hook", "unspecified")]
    public async Task RegistrationRefusesDestinationsOutsideThePublicInternet(string url, string reason)
    {
        var response = await admin.PostAsJsonAsync("/api/v1/webhooks", new { url, events = new[] { "session.graded" } });

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        var message = problem.GetProperty("errors").GetProperty("url")[0].GetString();
        Assert.Contains(reason, message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APublicHttpsDestinationIsAccepted()
    {
        var response = await admin.PostAsJsonAsync("/api/v1/webhooks", new { url = "https://203.0.113.10/hook", events = new[] { "session.graded" } });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    /// <summary>
    /// A name that resolved to a public address at registration and resolves to loopback now (DNS rebinding), or an
    /// endpoint registered before the checks were turned on: the delivery's own check refuses to connect.
    /// </summary>
    [Fact]
    public async Task EveryDeliveryChecksTheDestinationAgain()
    {
        var webhook = Guid.NewGuid();
        await using (var permissive = await TestApp.StartAsync(WebhookFixture.Configure, database: app.Database))
        {
            var permissiveAdmin = permissive.ClientWithBearer((await permissive.SignUpAsync(tenant, Roles.Admin)).IdToken);
            var response = await permissiveAdmin.PostAsJsonAsync("/api/v1/webhooks", new
            {
                url = receiver.Url("rebound").Replace("http://127.0.0.1", "https://localhost", StringComparison.Ordinal),
                events = new[] { "session.submitted" },
            });
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            webhook = (await response.Content.ReadFromJsonAsync<JsonElement>()).Id();
        }

        await app.SubmitSessionAsync(tenant);

        var delivery = await Eventually.ValueAsync(async () => (await admin.DeliveriesAsync(webhook)).Select(d => (JsonElement?)d).FirstOrDefault(),
            TimeSpan.FromSeconds(30), "the refused attempt");
        Assert.False(delivery.GetProperty("succeeded").GetBoolean());
        Assert.StartsWith("refused: localhost resolves to a loopback address", delivery.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Empty(receiver.Received);
    }
}
