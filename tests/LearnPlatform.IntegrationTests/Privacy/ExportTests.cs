using LearnPlatform.Core.Data;

namespace LearnPlatform.IntegrationTests.Privacy;

public sealed class ExportTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;

    private async Task<(PrivacyTenant Tenant, Guid Session)> AnsweredAsync()
    {
        var t = await App.PrivacyTenantAsync();
        var paper = await App.PublishAsync(t.Id);
        var session = (await t.CandidateClient.StartSessionAsync(paper)).Id();
        await t.CandidateClient.SaveAsync(session, "q4", "Lists change, tuples do not.");
        await t.OtherClient.SaveAsync((await t.OtherClient.StartSessionAsync(paper)).Id(), "q4", "OTHER-CANDIDATE-ANSWER");
        await t.CandidateClient.SubmitAsync(session);
        await t.Admin.WaitForResultAsync(session);
        await t.Admin.PutAsJsonAsync($"/api/v1/sessions/{session}/responses/q4/grade", new { score = 4, reason = "Clear contrast" });
        await t.Admin.PutAsJsonAsync($"/api/v1/accommodations/{t.Candidate.Uid}", new { extra_minutes = 15 });
        await t.CandidateClient.GrantMetricsConsentAsync();
        return (t, session);
    }

    [Fact]
    public async Task CandidateExportsTheirSessionsAnswersGradesAccommodationsConsentsAndAuditEvents()
    {
        var (t, session) = await AnsweredAsync();

        using var response = await t.CandidateClient.ExportAsync(t.Candidate.Uid);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.CacheControl?.NoStore);
        var export = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(t.Candidate.Uid, export.GetProperty("uid").GetString());
        Assert.Equal(t.Id, export.GetProperty("tenant_id").GetGuid());
        var sections = export.GetProperty("sections");
        Assert.Equal(session, Assert.Single(sections.GetProperty("exam_sessions").EnumerateArray()).Id());
        var answer = Assert.Single(sections.GetProperty("session_responses").EnumerateArray());
        Assert.Equal("Lists change, tuples do not.", answer.GetProperty("answer").GetString());
        var grades = sections.GetProperty("question_grades").EnumerateArray().ToList();
        Assert.Equal(["q1", "q2", "q3", "q4", "q5"], grades.Select(g => g.GetProperty("question_id").GetString()));
        var grade = grades.Single(g => g.GetProperty("question_id").GetString() == "q4");
        Assert.Equal(4m, grade.GetProperty("override_score").GetDecimal());
        Assert.Equal("Clear contrast", grade.GetProperty("override_reason").GetString());
        Assert.Contains(sections.GetProperty("workflow_runs").EnumerateArray(), r => r.GetProperty("workflow_type").GetString() == "grade-session");
        Assert.Equal(15, Assert.Single(sections.GetProperty("accommodations").EnumerateArray()).GetProperty("extra_minutes").GetInt32());
        var consent = Assert.Single(sections.GetProperty("consents").EnumerateArray());
        Assert.Equal("biometric_metrics", consent.GetProperty("flag").GetString());
        Assert.True(consent.GetProperty("granted").GetBoolean());
        var actions = sections.GetProperty("audit_events").EnumerateArray().Select(a => a.GetProperty("action").GetString()).ToList();
        Assert.Equal(["session.start", "session.submit", "grade.override", "accommodation.set", "consent.grant"], actions);
        Assert.Empty(sections.GetProperty("memberships").EnumerateArray());
        Assert.DoesNotContain("OTHER-CANDIDATE-ANSWER", export.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain(t.Other.Uid, export.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdminExportsACandidateAndAMembershipShowsTheRole()
    {
        var (t, _) = await AnsweredAsync();

        var candidate = await t.Admin.ExportSectionsAsync(t.Candidate.Uid);
        var admin = await t.Admin.ExportSectionsAsync(t.AdminUser.Uid);

        Assert.Single(candidate.GetProperty("session_responses").EnumerateArray());
        Assert.Equal(Roles.Admin, Assert.Single(admin.GetProperty("memberships").EnumerateArray()).GetProperty("role").GetString());
        // The admin's own overrides and accommodation changes are data about the admin too.
        Assert.Single(admin.GetProperty("question_grades").EnumerateArray());
        Assert.Single(admin.GetProperty("accommodations").EnumerateArray());
    }

    [Fact]
    public async Task ExportsLeaveOutOtherPeoplesUidsAddressesAndData()
    {
        var (t, _) = await AnsweredAsync();

        var candidate = await t.CandidateClient.ExportSectionsAsync(t.Candidate.Uid);
        var admin = await t.Admin.ExportSectionsAsync(t.AdminUser.Uid);

        // The candidate sees what staff did to their data, not who did it or from where.
        Assert.DoesNotContain(t.AdminUser.Uid, candidate.GetRawText(), StringComparison.Ordinal);
        var audit = candidate.GetProperty("audit_events").EnumerateArray().ToList();
        var byStaff = audit.Where(a => a.GetProperty("action").GetString() is "grade.override" or "accommodation.set").ToList();
        Assert.Equal(2, byStaff.Count);
        Assert.All(byStaff, a => Assert.False(a.TryGetProperty("actor", out _) || a.TryGetProperty("client_ip", out _)));
        Assert.Equal(t.Candidate.Uid, audit.Single(a => a.GetProperty("action").GetString() == "session.start").GetProperty("actor").GetString());
        var grade = candidate.GetProperty("question_grades").EnumerateArray().Single(g => g.GetProperty("question_id").GetString() == "q4");
        Assert.False(grade.TryGetProperty("overridden_by", out _));
        Assert.False(Assert.Single(candidate.GetProperty("accommodations").EnumerateArray()).TryGetProperty("updated_by", out _));
        // The admin sees what they did as staff, not the candidate's uid, grades or accommodation.
        Assert.DoesNotContain(t.Candidate.Uid, admin.GetRawText(), StringComparison.Ordinal);
        Assert.Equal(["overridden_at", "overridden_by", "override_score", "question_id", "session_id"],
            Assert.Single(admin.GetProperty("question_grades").EnumerateArray()).EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(["id", "paper_id", "updated_at", "updated_by"],
            Assert.Single(admin.GetProperty("accommodations").EnumerateArray()).EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task AdminExportingAUidWithNoDataGetsEverySectionEmpty()
    {
        var t = await App.PrivacyTenantAsync();

        var sections = await t.Admin.ExportSectionsAsync("nobody-here");

        Assert.Equal(UserExportSectionNames, sections.EnumerateObject().Select(s => s.Name).Order().ToList());
        Assert.All(sections.EnumerateObject(), s => Assert.Equal(0, s.Value.GetArrayLength()));
    }

    [Fact]
    public async Task AdminOfAnotherTenantSeesNothingOfTheUser()
    {
        var (t, _) = await AnsweredAsync();
        var foreign = await App.PrivacyTenantAsync();

        var sections = await foreign.Admin.ExportSectionsAsync(t.Candidate.Uid);

        Assert.All(sections.EnumerateObject(), s => Assert.Equal(0, s.Value.GetArrayLength()));
    }

    [Fact]
    public async Task AnotherCandidateAnAuthorAndAGuestMayNotExportSomeoneElse()
    {
        var t = await App.PrivacyTenantAsync();
        var author = App.ClientWithBearer((await App.SignUpAsync(t.Id, Roles.Author)).IdToken);
        var guest = await GuestAsync(t.Id);

        await (await t.OtherClient.ExportAsync(t.Candidate.Uid)).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await author.ExportAsync(t.Candidate.Uid)).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await guest.ExportAsync(t.Candidate.Uid)).AssertProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task ExportWithoutCredentialsIsUnauthorizedAndAnOverlongUidIsBadRequest()
    {
        var t = await App.PrivacyTenantAsync();

        var anonymous = await App.Client.ExportAsync(t.Candidate.Uid);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.NotEmpty(anonymous.Headers.WwwAuthenticate);
        await (await t.Admin.ExportAsync(new string('x', 129))).AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    private static readonly List<string> UserExportSectionNames =
        LearnPlatform.Api.Privacy.UserExport.SectionNames.Order().ToList();

    private async Task<HttpClient> GuestAsync(Guid tenant)
    {
        var paper = await App.PublishAsync(tenant, TestPapers.Sample(guestAccess: true));
        var response = await App.Client.PostAsJsonAsync("/api/v1/guest-sessions", new { paper_id = paper });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return App.ClientWithGuestToken(body.GetProperty("guest_token").GetString()!);
    }
}
