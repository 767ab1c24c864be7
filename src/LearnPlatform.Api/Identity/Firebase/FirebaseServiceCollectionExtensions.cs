using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace LearnPlatform.Api.Identity.Firebase;

public static class FirebaseServiceCollectionExtensions
{
    public static IServiceCollection AddFirebaseTokenVerification(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<FirebaseOptions>()
            .Bind(configuration.GetSection(FirebaseOptions.SectionName))
            .Configure(options =>
            {
                if (configuration[FirebaseOptions.EmulatorHostKey] is { Length: > 0 } emulatorHost)
                    options.EmulatorHost = emulatorHost;
            })
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FirebaseOptions>, FirebaseOptionsValidator>());

        services.TryAddSingleton(TimeProvider.System);

        // The client lives as long as the singleton that holds it, so the connection pool itself is recycled
        // to pick up DNS changes instead of relying on the factory's handler rotation.
        services.AddHttpClient(FirebaseSigningKeys.HttpClientName, client =>
            {
                client.Timeout = TimeSpan.FromSeconds(10);
                client.MaxResponseContentBufferSize = 1024 * 1024;
            })
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(15) })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);

        services.TryAddSingleton(provider => new FirebaseSigningKeys(
            provider.GetRequiredService<IHttpClientFactory>().CreateClient(FirebaseSigningKeys.HttpClientName),
            provider.GetRequiredService<IOptions<FirebaseOptions>>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<FirebaseSigningKeys>>()));
        services.TryAddSingleton<FirebaseTokenVerifier>();

        return services;
    }
}
