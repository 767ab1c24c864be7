using LearnPlatform.Api.Audit;
using LearnPlatform.Api.Identity;
using LearnPlatform.Api.Lti;
using LearnPlatform.Core.Data;
using LearnPlatform.Core.Lti;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Options;
using Npgsql;

namespace LearnPlatform.Api.Cli;

/// <summary>lti platforms add: registers a platform for a tenant, with the same rules as the admin API.</summary>
public static class LtiCommands
{
    public static async Task<int> AddPlatformAsync(IConfiguration configuration, string ownerConnection, Dictionary<string, string> options, TextWriter output, CancellationToken ct)
    {
        if (!Guid.TryParse(Option(options, "tenant"), out var tenantId))
        {
            throw new CliUsageException("--tenant must be a tenant id (UUID)");
        }
        var request = new LtiPlatformRequest(
            Option(options, "issuer"),
            Option(options, "client-id"),
            Option(options, "deployment-ids").Split(',', StringSplitOptions.TrimEntries),
            Option(options, "auth-login-url"),
            Option(options, "token-url"),
            Option(options, "jwks-url"));
        var lti = configuration.GetSection(LtiOptions.SectionName).Get<LtiOptions>() ?? new LtiOptions();
        var environment = new HostingEnvironment { EnvironmentName = configuration["ASPNETCORE_ENVIRONMENT"] ?? configuration["DOTNET_ENVIRONMENT"] ?? Environments.Production };
        var validation = await new LtiPlatformRequestValidator(Options.Create(lti), environment).ValidateAsync(request, ct);
        if (!validation.IsValid)
        {
            throw new CliUsageException(string.Join("; ", validation.Errors.Select(e => $"{e.PropertyName}: {e.ErrorMessage}")));
        }

        await using var dataSource = NpgsqlDataSource.Create(ownerConnection);
        await using var db = DataServiceCollectionExtensions.CreateContext(dataSource, tenantId);
        if (!await db.Tenants.AnyAsync(t => t.Id == tenantId, ct))
        {
            throw new CliException($"tenant {tenantId} not found");
        }
        var operatorCaller = new Caller(AuditActions.OperatorActor, tenantId, Roles.Admin, CallerKind.User, SessionId: null);
        var (platform, _) = LtiPlatformsApi.Add(db, operatorCaller, request, TimeProvider.System.Now());
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (LtiPlatformsApi.ConflictReason(e) is { } reason)
        {
            throw new CliException(reason);
        }
        await output.WriteLineAsync(platform.Id.ToString());
        return 0;
    }

    private static string Option(Dictionary<string, string> options, string name) =>
        options.TryGetValue(name, out var value) ? value : throw new CliUsageException($"--{name} is required");
}
