using LearnPlatform.Api.Audit;
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
        var now = TimeProvider.System.Now();
        var platform = new LtiPlatform
        {
            TenantId = tenantId,
            Issuer = request.Issuer!,
            ClientId = request.ClientId!,
            AuthLoginUrl = request.AuthLoginUrl!,
            TokenUrl = request.TokenUrl!,
            JwksUrl = request.JwksUrl!,
            CreatedAt = now,
            UpdatedAt = now,
        };
        var deployments = request.DeploymentIds!.Select(d => d!).ToList();
        db.LtiPlatforms.Add(platform);
        db.LtiDeployments.AddRange(deployments.Select(d => new LtiDeployment
        {
            Issuer = platform.Issuer, ClientId = platform.ClientId, DeploymentId = d, TenantId = tenantId, PlatformId = platform.Id,
        }));
        db.AuditEvents.Add(new AuditEvent
        {
            TenantId = tenantId,
            OccurredAt = now,
            Actor = AuditActions.OperatorActor,
            Action = "lti_platform.create",
            Resource = $"lti_platform/{platform.Id}",
            Outcome = AuditOutcomes.Success,
            Details = AuditTrail.Serialize(new { platform.Issuer, client_id = platform.ClientId, deployment_ids = deployments, via = "cli" }),
        });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } unique)
        {
            throw new CliException(unique.ConstraintName == "lti_deployments_pkey"
                ? "a deployment id is already registered for this issuer and client id"
                : "the tenant already has a platform with this issuer and client id");
        }
        await output.WriteLineAsync(platform.Id.ToString());
        return 0;
    }

    private static string Option(Dictionary<string, string> options, string name) =>
        options.TryGetValue(name, out var value) ? value : throw new CliUsageException($"--{name} is required");
}
