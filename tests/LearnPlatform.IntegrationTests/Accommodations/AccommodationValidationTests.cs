using LearnPlatform.Core.Data;

namespace LearnPlatform.IntegrationTests.Accommodations;

public sealed class AccommodationValidationTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;

    [Theory]
    [InlineData("{\"time_multiplier\": 0.5}", "time_multiplier")]
    [InlineData("{\"time_multiplier\": 4.5}", "time_multiplier")]
    [InlineData("{\"time_multiplier\": 1.255}", "time_multiplier")]
    [InlineData("{\"extra_minutes\": -1}", "extra_minutes")]
    [InlineData("{\"extra_minutes\": 1441}", "extra_minutes")]
    [InlineData("{}", "extra_minutes")]
    [InlineData("{\"time_multiplier\": 1, \"extra_minutes\": 0}", "time_multiplier")]
    public async Task OutOfRangeOrNoExtraTimeIsAValidationProblemNamingTheField(string body, string field)
    {
        var (_, admin, _) = await App.TenantWithAdminAsync();

        var response = await admin.PutRawAccommodationAsync("candidate-1", body);

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task NeitherMultiplierNorMinutesSaysToUseDelete()
    {
        var (_, admin, _) = await App.TenantWithAdminAsync();

        var response = await admin.PutRawAccommodationAsync("candidate-1", "{\"paper_id\": null}");

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("DELETE", problem.GetProperty("errors").GetProperty("extra_minutes")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryInvalidFieldIsReportedInOneProblem()
    {
        var (_, admin, _) = await App.TenantWithAdminAsync();

        var response = await admin.PutRawAccommodationAsync(new string('u', 129), "{\"time_multiplier\": 9, \"extra_minutes\": 5000}");

        var errors = (await response.AssertProblemAsync(HttpStatusCode.BadRequest)).GetProperty("errors");
        Assert.Equal(["candidate_uid", "extra_minutes", "time_multiplier"], errors.EnumerateObject().Select(e => e.Name).Order());
    }

    [Fact]
    public async Task CandidateUidOfOneHundredTwentyEightCharactersIsAcceptedAndOneMoreIsNot()
    {
        var (_, admin, _) = await App.TenantWithAdminAsync();

        var atLimit = await admin.PutAccommodationAsync(new string('u', 128), new { extra_minutes = 5 });
        var over = await admin.DeleteAccommodationAsync(new string('u', 129));

        Assert.Equal(HttpStatusCode.OK, atLimit.StatusCode);
        var problem = await over.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("candidate_uid", out _));
    }

    [Theory]
    [InlineData("{\"paper_id\": \"not-a-uuid\", \"extra_minutes\": 5}")]
    [InlineData("{\"time_multiplier\": \"1.5\"}")]
    [InlineData("{\"extra_minutes\": 1.5}")]
    [InlineData("{\"extra_minutes\": 5")]
    [InlineData("[]")]
    [InlineData("")]
    public async Task MalformedJsonOrWrongTypesAreBadRequest(string body)
    {
        var (_, admin, _) = await App.TenantWithAdminAsync();

        var response = await admin.PutRawAccommodationAsync("candidate-1", body);

        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task MalformedPaperIdInTheQueryIsBadRequest()
    {
        var (_, admin, _) = await App.TenantWithAdminAsync();

        await (await admin.DeleteAsync("/api/v1/accommodations/candidate-1?paper_id=nope")).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await admin.GetAsync("/api/v1/accommodations?paper_id=nope")).AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1441)]
    public async Task ExtendingByMinutesOutsideOneToOneDayIsBadRequest(int minutes)
    {
        var (_, admin, _) = await App.TenantWithAdminAsync();

        var response = await admin.ExtendAsync(Guid.CreateVersion7(), minutes);

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("extra_minutes", out _));
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"extra_minutes\": \"10\"}")]
    public async Task ExtendingWithoutWholeMinutesIsBadRequest(string body)
    {
        var (_, admin, _) = await App.TenantWithAdminAsync();

        var response = await admin.PostAsync($"/api/v1/sessions/{Guid.CreateVersion7()}/extend", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData(Roles.Candidate)]
    [InlineData(Roles.Author)]
    public async Task OnlyAdminsManageExtraTime(string role)
    {
        var tenant = await App.CreateTenantAsync();
        var user = await App.SignUpAsync(tenant, role);
        var client = App.ClientWithBearer(user.IdToken);

        await (await client.PutAccommodationAsync(user.Uid, new { extra_minutes = 30 })).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await client.GetAsync("/api/v1/accommodations")).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await client.DeleteAccommodationAsync(user.Uid)).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await client.ExtendAsync(Guid.CreateVersion7(), 10)).AssertProblemAsync(HttpStatusCode.Forbidden);
        Assert.Equal(0, await App.CountAsync("SELECT count(*) FROM accommodations WHERE tenant_id = @t", ("t", tenant)));
    }

    [Fact]
    public async Task WithoutCredentialsEveryRouteIsUnauthorized()
    {
        var responses = new[]
        {
            await App.Client.PutAccommodationAsync("candidate-1", new { extra_minutes = 30 }),
            await App.Client.GetAsync("/api/v1/accommodations"),
            await App.Client.DeleteAccommodationAsync("candidate-1"),
            await App.Client.ExtendAsync(Guid.CreateVersion7(), 10),
        };

        Assert.All(responses, r =>
        {
            Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
            Assert.NotEmpty(r.Headers.WwwAuthenticate);
        });
    }
}
