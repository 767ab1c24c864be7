using Scalar.AspNetCore;

namespace LearnPlatform.Api.ApiDocument;

/// <summary>
/// The OpenAPI 3.1 document, generated from the endpoints at <c>/openapi/v1.json</c> (a copy is committed as
/// docs/openapi.json, and a test fails when the two differ), and in Development a reference UI at <c>/scalar</c>.
/// </summary>
public static class ApiDocumentFeature
{
    public const string DocumentName = "v1";
    private const string ReferencePath = "/scalar";
    private const string ReferencePagePolicy =
        "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        + "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";

    public static IServiceCollection AddApiDocument(this IServiceCollection services) =>
        services.AddOpenApi(DocumentName, options =>
        {
            options.AddDocumentTransformer<DocumentDescription>();
            options.AddOperationTransformer<OperationSecurityAndProblems>();
        });

    public static void MapApiDocument(this WebApplication app)
    {
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous().CacheOutput();
        if (app.Environment.IsDevelopment())
        {
            // The reference page runs its bundled script and styles from this origin; everything else stays 'none'.
            app.UseWhen(context => context.Request.Path.StartsWithSegments(ReferencePath), page => page.Use((context, next) =>
            {
                context.Response.OnStarting(() =>
                {
                    context.Response.Headers.ContentSecurityPolicy = ReferencePagePolicy;
                    return Task.CompletedTask;
                });
                return next(context);
            }));
            app.MapScalarApiReference(ReferencePath, scalar => scalar.WithOpenApiRoutePattern("/openapi/{documentName}.json"))
                .AllowAnonymous();
        }
    }
}
