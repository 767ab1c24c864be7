using FluentValidation;
using LearnPlatform.Api.Http;

namespace LearnPlatform.Api.Grading;

public static class GradingFeature
{
    public static IServiceCollection AddGrading(this IServiceCollection services) =>
        services.AddSingleton<IValidator<GradeOverrideRequest>, GradeOverrideRequestValidator>();

    public static void MapGrading(this ApiRoutes routes)
    {
        routes.MapResults();
        routes.MapGradeOverrides();
        routes.MapRegrades();
        routes.MapGradingSummary();
    }
}
