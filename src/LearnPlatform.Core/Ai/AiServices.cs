using LearnPlatform.Core.Ai.Gemini;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace LearnPlatform.Core.Ai;

public static class AiServices
{
    /// <summary>
    /// The one AI call path of every host: Gemini's options (read at every call), the one typed Gemini client, the
    /// caps, prices and per-kind call limits, and the call guard the AI routes and grading both go through. Safe to
    /// call from each feature that needs it: it registers once.
    /// </summary>
    public static IServiceCollection AddAiCalls(this IServiceCollection services, IConfiguration configuration)
    {
        if (services.Any(s => s.ServiceType == typeof(AiCallGuard)))
            return services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<GeminiOptions>().Bind(configuration.GetSection(GeminiOptions.SectionName));
        services.AddOptions<AiCapsOptions>().Bind(configuration.GetSection(AiCapsOptions.SectionName));
        services.AddOptions<AiPricesOptions>().Bind(configuration.GetSection(AiPricesOptions.SectionName));
        services.AddOptions<AiCallOptions>().Bind(configuration.GetSection(AiCallOptions.SectionName))
            .Validate(o => o.IsValid(), "Ai:Calls: each MaxOutputTokens must be positive, each ThinkingBudget from 0 to below its MaxOutputTokens, and ReservationGrace not negative.")
            .ValidateOnStart();
        // The guard is a singleton, so the client's handler is never rotated by the factory; the pooled connection
        // lifetime keeps DNS changes visible instead.
        services.AddHttpClient<GeminiClient>()
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);
        services.AddSingleton<AiCallGuard>();
        return services;
    }
}
