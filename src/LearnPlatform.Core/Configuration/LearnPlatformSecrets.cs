using Google.Apis.Auth.OAuth2;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LearnPlatform.Core.Configuration;

/// <summary>
/// The three sources of secrets, in the order the hosts apply them before any service reads configuration:
/// environment variables (already in the builder), files mounted by Kubernetes (on top, reloaded on change),
/// then Secret Manager references in any of them, resolved once.
/// </summary>
public static class LearnPlatformSecrets
{
    /// <summary>For the hosts: also logs, once logging exists, which references were resolved.</summary>
    public static async Task AddLearnPlatformSecretsAsync(this IHostApplicationBuilder builder, CancellationToken ct = default)
    {
        var resolved = await builder.Configuration.AddLearnPlatformSecretsAsync(builder.Environment.IsDevelopment(), ct);
        builder.Services.AddHostedService(services => new ResolvedSecretsLog(resolved, services.GetRequiredService<ILogger<ResolvedSecretsLog>>()));
    }

    /// <summary>Without a host (the operator commands): the same sources, nothing logged; the environment from its variables.</summary>
    public static Task<IReadOnlyList<ResolvedReference>> AddLearnPlatformSecretsAsync(this IConfigurationManager configuration, CancellationToken ct = default)
    {
        var environment = configuration["ASPNETCORE_ENVIRONMENT"] ?? configuration["DOTNET_ENVIRONMENT"] ?? Environments.Production;
        return configuration.AddLearnPlatformSecretsAsync(string.Equals(environment, Environments.Development, StringComparison.OrdinalIgnoreCase), ct);
    }

    private static async Task<IReadOnlyList<ResolvedReference>> AddLearnPlatformSecretsAsync(this IConfigurationManager configuration, bool isDevelopment, CancellationToken ct)
    {
        configuration.AddMountedSecrets();
        return await SecretReferenceResolver.ResolveAsync(configuration, GoogleCredential.GetApplicationDefaultAsync, ct, allowPlainHttp: isDevelopment);
    }
}

/// <summary>Names what was resolved, once the host's logging exists; values never reach a log.</summary>
internal sealed partial class ResolvedSecretsLog(IReadOnlyList<ResolvedReference> resolved, ILogger<ResolvedSecretsLog> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (resolved.Count > 0)
        {
            var references = string.Join(", ", resolved.Select(r => $"{SecretReferenceResolver.EnvironmentName(r.Key)}={r.Reference}"));
            Resolved(logger, resolved.Count, references);
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Resolved {Count} Secret Manager references at start-up: {References}")]
    private static partial void Resolved(ILogger logger, int count, string references);
}
