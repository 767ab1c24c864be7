using LearnPlatform.Core.Data;

namespace LearnPlatform.IntegrationTests.Telemetry;

/// <summary>A tenant with a published sample paper (q1..q5, q5 a code question), a candidate, and their session in progress.</summary>
public sealed record TelemetrySetup(Guid Tenant, Guid Paper, TestUser Candidate, HttpClient CandidateClient, Guid Session)
{
    public static async Task<TelemetrySetup> StartAsync(TestApp app, PaperSettings? paper = null)
    {
        var tenant = await app.CreateTenantAsync();
        var paperId = await app.PublishAsync(tenant, paper);
        var candidate = await app.SignUpAsync(tenant);
        var client = app.ClientWithBearer(candidate.IdToken);
        var session = (await client.StartSessionAsync(paperId)).Id();
        return new TelemetrySetup(tenant, paperId, candidate, client, session);
    }

    public async Task<HttpClient> SignUpAsync(TestApp app, string role) => app.ClientWithBearer((await app.SignUpAsync(Tenant, role)).IdToken);
}
