using LearnPlatform.Core.Grading.Gemini;
using Microsoft.Extensions.Options;

namespace LearnPlatform.Api.Ai;

public static class GeminiServiceCollectionExtensions
{
    /// <summary>
    /// The one Gemini client, as a typed client of IHttpClientFactory, with options from the "Gemini" section. Each
    /// client built takes the options' current value, so a rotated platform key (a mounted secret) needs no restart.
    /// </summary>
    public static IServiceCollection AddGemini(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<GeminiOptions>().Bind(configuration.GetSection(GeminiOptions.SectionName));
        services.AddHttpClient(nameof(GeminiClient)).AddTypedClient((http, provider) => new GeminiClient(
            http,
            provider.GetRequiredService<IOptionsMonitor<GeminiOptions>>().CurrentValue,
            provider.GetRequiredService<ILogger<GeminiClient>>(),
            provider.GetService<TimeProvider>()));
        return services;
    }
}
