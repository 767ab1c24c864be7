using FluentValidation;
using LearnPlatform.Api.Ai.Generation;
using LearnPlatform.Api.Ai.Hints;
using LearnPlatform.Api.Ai.Usage;
using LearnPlatform.Api.Http;
using LearnPlatform.Core.Ai;

namespace LearnPlatform.Api.Ai;

/// <summary>AI for learners and authors: hints, question generation, bring-your-own-key, and the monthly usage.</summary>
public static class AiFeature
{
    public static IServiceCollection AddAi(this IServiceCollection services, IConfiguration configuration)
    {
        // The same call path as grading: one Gemini client, one call guard, the same caps and spend.
        services.AddAiCalls(configuration);
        services.AddSingleton<AiGateway>();
        services.AddSingleton<IValidator<HintRequest>, HintRequestValidator>();
        services.AddSingleton<IValidator<GenerateQuestionsRequest>, GenerateQuestionsRequestValidator>();
        return services;
    }

    /// <summary>Routes that call Gemini count against the per-principal "ai" rate limit; reading usage does not.</summary>
    public static void MapAi(this ApiRoutes routes)
    {
        routes.MapHints().RequireRateLimiting(RateLimitPolicies.Ai);
        routes.MapQuestionGeneration().RequireRateLimiting(RateLimitPolicies.Ai);
        routes.MapAiUsage();
    }
}
