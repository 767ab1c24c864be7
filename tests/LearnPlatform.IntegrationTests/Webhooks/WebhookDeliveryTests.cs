using LearnPlatform.Core.Data;
using LearnPlatform.IntegrationTests.Privacy;

namespace LearnPlatform.IntegrationTests.Webhooks;

/// <summary>Events reach the receiver signed, are retried after failures and timeouts with the same id, and never follow redirects.</summary>
public sealed class WebhookDeliveryTests(WebhookFixture fixture) : IClassFixture<WebhookFixture>
{
    private TestApp App => fixture.App;
    private WebhookReceiver Receiver => fixture.Receiver;

    private Task<ReceivedWebhook> WaitForAsync(string endpoint, string type, int count = 1) =>
        Eventually.ValueAsync(
            () => Task.FromResult(Receiver.For(endpoint).Where(r => r.Body.GetProperty("type").GetString() == type).Skip(count - 1).FirstOrDefault()),
            TimeSpan.FromSeconds(30), $"delivery {count} of {type} to {endpoint}");

    private Task<List<JsonElement>> WaitForDeliveriesAsync(Guid webhook, int count) =>
        Eventually.ValueAsync(async () =>
        {
            var deliveries = await fixture.Admin.DeliveriesAsync(webhook);
            return deliveries.Count >= count ? deliveries : null;
        }, TimeSpan.FromSeconds(30), $"{count} delivery attempts");

    [Fact]
    public async Task SubmittingAndGradingDeliverSignedEventsWithTheSessionsData()
    {
        var webhook = await fixture.Admin.RegisterAsync(Receiver, "signed");

        var session = await App.SubmitSessionAsync(fixture.Tenant);

        var submitted = await WaitForAsync("signed", "session.submitted");
        var graded = await WaitForAsync("signed", "session.graded");
        Assert.True(submitted.Verified);
        Assert.True(graded.Verified);
        Assert.StartsWith("msg_", submitted.Id, StringComparison.Ordinal);
        Assert.NotEqual(submitted.Id, graded.Id);
        Assert.Equal("application/json", submitted.ContentType);
        var data = graded.Body.GetProperty("data");
        Assert.Equal(session, data.GetProperty("session_id").GetGuid());
        Assert.Equal(await App.PaperOfAsync(session), data.GetProperty("paper_id").GetGuid());
        Assert.Equal(1, data.GetProperty("paper_version").GetInt32());
        Assert.StartsWith("u", data.GetProperty("candidate_id").GetString(), StringComparison.Ordinal);
        Assert.Equal("graded", data.GetProperty("status").GetString());
        Assert.Equal(1m, data.GetProperty("score").GetDecimal());
        Assert.Equal(2m, data.GetProperty("max_score").GetDecimal());
        Assert.Equal("submitted", submitted.Body.GetProperty("data").GetProperty("status").GetString());
        Assert.False(submitted.Body.GetProperty("data").TryGetProperty("score", out _));
        Assert.True(graded.Body.GetProperty("timestamp").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-5));
        var deliveries = await WaitForDeliveriesAsync(webhook.Id(), 2);
        Assert.All(deliveries, d => Assert.True(d.GetProperty("succeeded").GetBoolean()));
        Assert.All(deliveries, d => Assert.Equal(200, d.GetProperty("status_code").GetInt32()));
    }

    [Fact]
    public async Task AnEndpointGetsOnlyTheEventsItSubscribedTo()
    {
        await fixture.Admin.RegisterAsync(Receiver, "graded-only", "session.graded");

        await App.SubmitSessionAsync(fixture.Tenant);

        await WaitForAsync("graded-only", "session.graded");
        Assert.DoesNotContain(Receiver.For("graded-only"), r => r.Body.GetProperty("type").GetString() != "session.graded");
    }

    [Fact]
    public async Task AnEssayLeftForAHumanSendsNeedsReviewWithTheScoreSoFar()
    {
        await fixture.Admin.RegisterAsync(Receiver, "review", "session.needs_review");
        var paper = await App.PublishAsync(fixture.Tenant, Lti.LtiPapers.WithEssay());
        var candidate = App.ClientWithBearer((await App.SignUpAsync(fixture.Tenant)).IdToken);
        var session = (await candidate.StartSessionAsync(paper)).Id();
        await candidate.SaveAsync(session, "q1", new[] { "4" });
        await candidate.SaveAsync(session, "q4", "Lists change, tuples do not.");

        await candidate.SubmitAsync(session);

        var review = await WaitForAsync("review", "session.needs_review");
        Assert.True(review.Verified);
        var data = review.Body.GetProperty("data");
        Assert.Equal(session, data.GetProperty("session_id").GetGuid());
        Assert.Equal("needs_review", data.GetProperty("status").GetString());
        Assert.Equal(1m, data.GetProperty("score").GetDecimal());
        Assert.Equal(6m, data.GetProperty("max_score").GetDecimal());
    }

    [Fact]
    public async Task A500IsRetriedWithTheSameWebhookIdUntilItSucceeds()
    {
        var webhook = await fixture.Admin.RegisterAsync(Receiver, "flaky", "session.submitted");
        Receiver.Script("flaky", new Reply(500), new Reply(503));

        await App.SubmitSessionAsync(fixture.Tenant);

        await WaitForAsync("flaky", "session.submitted", count: 3);
        var received = Receiver.For("flaky");
        Assert.Single(received.Select(r => r.Id).Distinct());
        Assert.All(received, r => Assert.True(r.Verified));
        var deliveries = (await WaitForDeliveriesAsync(webhook.Id(), 3)).OrderBy(d => d.GetProperty("attempt").GetInt32()).ToList();
        Assert.Equal([500, 503, 200], deliveries.Select(d => d.GetProperty("status_code").GetInt32()));
        Assert.Equal([1, 2, 3], deliveries.Select(d => d.GetProperty("attempt").GetInt32()));
        Assert.Single(deliveries.Select(d => d.GetProperty("message_id").GetString()).Distinct());
        Assert.Equal([false, false, true], deliveries.Select(d => d.GetProperty("succeeded").GetBoolean()));
    }

    [Fact]
    public async Task ATimeoutIsRecordedAndRetried()
    {
        var webhook = await fixture.Admin.RegisterAsync(Receiver, "slow", "session.submitted");
        Receiver.Script("slow", new Reply(200, Delay: TimeSpan.FromSeconds(3)));

        await App.SubmitSessionAsync(fixture.Tenant);

        var deliveries = (await WaitForDeliveriesAsync(webhook.Id(), 2)).OrderBy(d => d.GetProperty("attempt").GetInt32()).ToList();
        Assert.False(deliveries[0].GetProperty("succeeded").GetBoolean());
        Assert.Equal("timed out after 1 s", deliveries[0].GetProperty("error").GetString());
        Assert.False(deliveries[0].TryGetProperty("status_code", out _));
        Assert.InRange(deliveries[0].GetProperty("duration_ms").GetInt32(), 900, 2900);
        Assert.True(deliveries[1].GetProperty("succeeded").GetBoolean());
    }

    [Fact]
    public async Task ARedirectIsAFailureAndIsNotFollowed()
    {
        var webhook = await fixture.Admin.RegisterAsync(Receiver, "moved", "session.submitted");
        Receiver.Script("moved", new Reply(307, Location: new Uri(Receiver.BaseUri, "elsewhere").ToString()));

        await App.SubmitSessionAsync(fixture.Tenant);

        var deliveries = (await WaitForDeliveriesAsync(webhook.Id(), 2)).OrderBy(d => d.GetProperty("attempt").GetInt32()).ToList();
        Assert.Equal(307, deliveries[0].GetProperty("status_code").GetInt32());
        Assert.False(deliveries[0].GetProperty("succeeded").GetBoolean());
        Assert.Contains("redirects are not followed", deliveries[0].GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.True(deliveries[1].GetProperty("succeeded").GetBoolean());
        Assert.DoesNotContain("/elsewhere", Receiver.Strays);
    }

    [Fact]
    public async Task AnAnswerOfAMegabyteIsReadNoFurtherThan64KiBAndCounts()
    {
        var webhook = await fixture.Admin.RegisterAsync(Receiver, "chatty", "session.submitted");
        Receiver.Script("chatty", new Reply(200, BodyBytes: 1024 * 1024));

        await App.SubmitSessionAsync(fixture.Tenant);

        var delivery = Assert.Single(await WaitForDeliveriesAsync(webhook.Id(), 1));
        Assert.True(delivery.GetProperty("succeeded").GetBoolean());
    }

    [Fact]
    public async Task AnotherTenantsEventsAreNotDeliveredToAnEndpoint()
    {
        var webhook = await fixture.Admin.RegisterAsync(Receiver, "own-tenant", "session.submitted");
        var otherTenant = await App.CreateTenantAsync();
        var otherAdmin = App.ClientWithBearer((await App.SignUpAsync(otherTenant, Roles.Admin)).IdToken);
        var otherWebhook = await otherAdmin.RegisterAsync(Receiver, "other-tenant", "session.submitted");

        var theirs = await App.SubmitSessionAsync(otherTenant);
        var ours = await App.SubmitSessionAsync(fixture.Tenant);

        var delivered = await WaitForAsync("own-tenant", "session.submitted");
        Assert.Equal(ours, delivered.Body.GetProperty("data").GetProperty("session_id").GetGuid());
        Assert.Equal(theirs, (await WaitForAsync("other-tenant", "session.submitted")).Body.GetProperty("data").GetProperty("session_id").GetGuid());
        Assert.Single(Receiver.For("own-tenant"));
        Assert.Single(Receiver.For("other-tenant"));
        // The receiver answers before the engine records the attempt, so wait for the record rather than read it once.
        Assert.Single(await WaitForDeliveriesAsync(webhook.Id(), 1));
        await (await fixture.Admin.GetAsync($"/api/v1/webhooks/{otherWebhook.Id()}/deliveries")).AssertProblemAsync(HttpStatusCode.NotFound);
    }
}
