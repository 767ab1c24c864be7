using LearnPlatform.Api.Cli;
using LearnPlatform.IntegrationTests.Audit;
using Microsoft.Extensions.Configuration;

namespace LearnPlatform.IntegrationTests.Members;

public sealed class CliMembersAuditTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private TestApp App => fixture.App;

    private async Task<int> MembersAddAsync(Guid tenant, string uid, string role)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:PostgresMigrations"] = App.Database.OwnerConnectionString,
            ["ConnectionStrings:Postgres"] = App.Database.AppConnectionString,
        }).Build();
        return await OperatorCli.RunAsync(["members", "add", "--tenant", tenant.ToString(), "--uid", uid, "--role", role], configuration, TextWriter.Null, TextWriter.Null);
    }

    [Fact]
    public async Task MembersAddIsAuditedAsTheOperatorAndAdminsCanReadIt()
    {
        var tenant = await App.CreateTenantAsync();

        Assert.Equal(0, await MembersAddAsync(tenant, "boss", "admin"));
        Assert.Equal(0, await MembersAddAsync(tenant, "boss", "author"));
        Assert.Equal(0, await MembersAddAsync(tenant, "chief", "admin"));

        var rows = await App.TenantAuditAsync(tenant, "member.role_set");
        Assert.Equal(["member/boss", "member/boss", "member/chief"], rows.Select(r => r.Resource));
        Assert.All(rows, r => Assert.Equal(("operator", (string?)null), (r.Actor, r.ClientIp)));
        Assert.Equal("{\"via\": \"cli\", \"role\": \"author\", \"previous_role\": \"admin\"}", rows[1].Details);
    }

    [Theory]
    [InlineData("operator")]
    [InlineData("erased:00ff00ff00ff00ff00ff00ff00ff00ff")]
    public async Task MembersAddRefusesAReservedUid(string uid)
    {
        var tenant = await App.CreateTenantAsync();

        Assert.NotEqual(0, await MembersAddAsync(tenant, uid, "admin"));

        Assert.Equal(0, await App.CountAsync("SELECT count(*) FROM memberships WHERE tenant_id = @t AND uid = @u", ("t", tenant), ("u", uid)));
    }
}
