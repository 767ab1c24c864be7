using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace LearnPlatform.Api.ApiDocument;

/// <summary>
/// What every operation refers to: the two credentials and the problem+json shapes. The servers list is left empty
/// (clients resolve paths against the address they fetched the document from), so the document is the same whatever
/// host serves it, and the committed copy can be compared byte for byte.
/// </summary>
internal sealed class DocumentDescription : IOpenApiDocumentTransformer
{
    public const string Firebase = "firebase";
    public const string Guest = "guest";
    public const string Problem = "ProblemDetails";
    public const string ValidationProblem = "ValidationProblemDetails";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "LearnPlatform API",
            Version = "v1",
            Description = "Multi-tenant exams: papers, sessions, grading, privacy and integrations. Errors are "
                + "application/problem+json (RFC 9457); a 400 names each field at fault in `errors`. See docs/api.md.",
        };
        document.Servers = [];
        // The tags the operations carry (their feature folders), not the defaults named after handler classes and the host.
        document.Tags = document.Paths.Values
            .SelectMany(path => path.Operations?.Values.AsEnumerable() ?? [])
            .SelectMany(operation => operation.Tags ?? new HashSet<OpenApiTagReference>())
            .Select(tag => tag.Name)
            .OfType<string>()
            .Distinct()
            .Order(StringComparer.Ordinal)
            .Select(name => new OpenApiTag { Name = name })
            .ToHashSet();
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
        {
            [Firebase] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "A Firebase ID token of a user who belongs to a tenant: `Authorization: Bearer <token>`.",
            },
            [Guest] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = Identity.CredentialAuthenticationHandler.GuestTokenHeader,
                Description = "A guest or LTI session token, scoped to one session (POST /api/v1/guest-sessions, POST /api/v1/lti/exchange).",
            },
        };
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas[Problem] = ProblemSchema(withErrors: false);
        document.Components.Schemas[ValidationProblem] = ProblemSchema(withErrors: true);
        return Task.CompletedTask;
    }

    private static OpenApiSchema ProblemSchema(bool withErrors)
    {
        var schema = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["type"] = new OpenApiSchema { Type = JsonSchemaType.String },
                ["title"] = new OpenApiSchema { Type = JsonSchemaType.String },
                ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32" },
                ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String },
                ["instance"] = new OpenApiSchema { Type = JsonSchemaType.String },
            },
        };
        if (withErrors)
        {
            schema.Properties["errors"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Description = "What is wrong, per field, as the client sent it (snake_case paths such as questions[2].options).",
                AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
            };
            schema.Required = new HashSet<string> { "errors" };
        }
        return schema;
    }
}
