using Microsoft.Extensions.DependencyInjection;
using LearnPlatform.Core.Data;

namespace LearnPlatform.IntegrationTests.Webhooks;

/// <summary>An endpoint that has failed for five days is disabled, audited, and sent nothing more; a message gives up after 24 hours.</summary>
public sealed class WebhookDisableTests : IAsyncLifetime
{
    private readonly ManualClock clock = new();
    private WebhookReceiver receiver = null!;
    private TestApp app = null!;
    private Guid tenant;
    private HttpClient admin = null!;

    public async Task InitializeAsync()
    {
        receiver = await WebhookReceiver.StartAsync();
        app = await TestApp.StartAsync(WebhookFixture.Configure, builder => builder.Services.AddSingleton<TimeProvider>(clock));
        tenant = await app.CreateTenantAsync();
        admin = app.ClientWithBearer((await app.SignUpAsync(tenant, Roles.Admin)).IdToken);
    }

    public async Task DisposeAsync()
    {
        await app.DisposeAsync();
        await receiver.DisposeAsync();
    }

    private Task WaitForAsync(string sql, Guid webhook, long expected, string what) =>
        Eventually.TrueAsync(async () => await app.CountAsync(sql, ("e", webhook)) >= expected, TimeSpan.FromSeconds(30), what);

    private const string Attempts = "SELECT count(*) FROM webhook_deliveries WHERE endpoint_id = @e";
    private const string Disabled = "SELECT count(*) FROM webhook_endpoints WHERE id = @e AND disabled_at IS NOT NULL";

    /// <summary>
    /// ID tokens expire once the clock has moved days, so every call through HTTP happens first; later events come from
    /// deadlines (sessions left open, submitted by their timers), and what happened is read from the database.
    /// </summary>
    [Fact]
    public async Task AnEndpointFailingForFiveDaysIsDisabledAndAuditedAndSentNothingMore()
    {
        var webhook = (await admin.RegisterAsync(receiver, "down", "session.submitted")).Id();
        receiver.Script("down", [.. Enumerable.Repeat(new Reply(500), 100)]);
        await app.SubmitSessionAsync(tenant);
        await StartOpenSessionAsync(TimeSpan.FromDays(3));
        var afterDisabling = await StartOpenSessionAsync(TimeSpan.FromDays(6));
        await WaitForAsync(Attempts, webhook, 1, "the first attempt");

        // Four days on: the first message's next attempt fails and it gives up (past its 24 hours); the second
        // session's deadline submits it, and that message fails too. Not yet five days of failures.
        clock.Advance(TimeSpan.FromDays(4));
        await WaitForAsync(Attempts, webhook, 3, "three attempts");
        Assert.Equal(0, await app.CountAsync(Disabled, ("e", webhook)));
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM webhook_endpoints WHERE id = @e AND failing_since IS NOT NULL", ("e", webhook)));

        clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));
        await WaitForAsync(Disabled, webhook, 1, "the endpoint disabled");
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM audit_events WHERE action = 'webhook.disable' AND resource = @r AND actor = 'system'", ("r", $"webhook/{webhook}")));

        const string runs = "SELECT count(*) FROM workflow_runs WHERE workflow_type = 'webhook-delivery'";
        var runsBefore = await app.CountAsync(runs);
        var attemptsBefore = await app.CountAsync(Attempts, ("e", webhook));
        clock.Advance(TimeSpan.FromDays(1));
        await Eventually.TrueAsync(async () => await app.CountAsync("SELECT count(*) FROM exam_sessions WHERE id = @s AND status <> 'in_progress'", ("s", afterDisabling)) == 1,
            TimeSpan.FromSeconds(30), "the last session submitted by its deadline");
        Assert.Equal(runsBefore, await app.CountAsync(runs));
        Assert.Equal(attemptsBefore, await app.CountAsync(Attempts, ("e", webhook)));
    }

    private async Task<Guid> StartOpenSessionAsync(TimeSpan timeLimit)
    {
        var paper = await app.PublishAsync(tenant, Lti.LtiPapers.AutoGraded() with { TimeLimitSeconds = (int)timeLimit.TotalSeconds });
        var candidate = app.ClientWithBearer((await app.SignUpAsync(tenant)).IdToken);
        return (await candidate.StartSessionAsync(paper)).Id();
    }
}
