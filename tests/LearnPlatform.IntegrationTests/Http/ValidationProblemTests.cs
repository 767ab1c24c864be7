using System.Text;
using LearnPlatform.Core.Data;

namespace LearnPlatform.IntegrationTests.Http;

/// <summary>Every 400 for bad input is the same shape: a validation problem whose errors name the field at fault.</summary>
public sealed class ValidationProblemTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;

    public static TheoryData<string, string, string, string> BadRequests => new()
    {
        { "user", "POST", "/api/v1/sessions", "paper_id" },
        { "anonymous", "POST", "/api/v1/guest-sessions", "paper_id" },
        { "user", "PUT", "/api/v1/me/consents/biometric_metrics", "granted" },
        { "user", "GET", $"/api/v1/users/{new string('u', 129)}/export", "uid" },
        { "author", "GET", "/api/v1/papers?limit=0&status=archived", "limit,status" },
        { "user", "GET", "/api/v1/exams?limit=101", "limit" },
        { "admin", "GET", "/api/v1/audit-events?limit=0&outcome=NOPE", "limit,outcome" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task BadInputIsAValidationProblemNamingEachFieldAtFault(string who, string method, string path, string fields)
    {
        var tenant = await App.CreateTenantAsync();
        var client = who switch
        {
            "anonymous" => App.Client,
            "author" => App.ClientWithBearer((await App.SignUpAsync(tenant, Roles.Author)).IdToken),
            "admin" => App.ClientWithBearer((await App.SignUpAsync(tenant, Roles.Admin)).IdToken),
            _ => App.ClientWithBearer((await App.SignUpAsync(tenant)).IdToken),
        };
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method != "GET")
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        }

        var problem = await (await client.SendAsync(request)).AssertProblemAsync(HttpStatusCode.BadRequest);

        Assert.Equal(fields.Split(','), problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal));
        Assert.All(problem.GetProperty("errors").EnumerateObject(), e => Assert.NotEmpty(e.Value.EnumerateArray()));
    }

    [Fact]
    public async Task AnswerMissingFromAnAutosaveIsNamed()
    {
        var tenant = await App.CreateTenantAsync();
        var candidate = App.ClientWithBearer((await App.SignUpAsync(tenant)).IdToken);
        var session = (await candidate.StartSessionAsync(await App.PublishAsync(tenant))).Id();

        var response = await candidate.PutAsync($"/api/v1/sessions/{session}/responses/q1", new StringContent("{}", Encoding.UTF8, "application/json"));

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal("answer is required.", problem.GetProperty("errors").GetProperty("answer")[0].GetString());
    }
}
