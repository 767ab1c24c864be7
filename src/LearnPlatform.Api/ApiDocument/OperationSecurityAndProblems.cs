using System.Reflection;
using LearnPlatform.Api.Identity;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.OpenApi;

namespace LearnPlatform.Api.ApiDocument;

/// <summary>
/// Each operation's credentials, read from its route group's policy (signed-in users only, or users and guests), and
/// the problem+json answers the pipeline can give it: 400 from the validation filter and model binding, 401 and 403
/// from authorization, 404 for an address naming a resource, 413 and 415 for bodies, 429 from its rate limit.
/// Answers a route declares itself (ProducesProblem) are kept. Operations are tagged by feature and named for clients.
/// </summary>
internal sealed class OperationSecurityAndProblems : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var description = context.Description;
        var metadata = description.ActionDescriptor.EndpointMetadata;
        var anonymous = metadata.OfType<IAllowAnonymous>().Any();
        var policies = metadata.OfType<IAuthorizeData>().Select(a => a.Policy).OfType<string>().ToHashSet();
        var secured = !anonymous && policies.Count > 0;
        var hasBody = operation.RequestBody is not null || description.ParameterDescriptions.Any(p => p.Source.Id is "Body" or "Form" or "FormFile");
        var hasInput = hasBody || description.ParameterDescriptions.Any(p => p.Source.Id is "Query" or "Path");

        if (metadata.OfType<MethodInfo>().FirstOrDefault() is { DeclaringType: { } handlers } method)
        {
            // Tagged by feature folder (Papers, Sessions, Lti ...); named for client generators (PapersCreate, SessionsSubmit).
            var feature = handlers.Namespace?.Split('.').ElementAtOrDefault(2) ?? handlers.Name;
            operation.Tags = new HashSet<OpenApiTagReference> { new(feature, context.Document) };
            if (description.RelativePath?.StartsWith("api/", StringComparison.Ordinal) == true)
            {
                operation.OperationId = OperationName(Trim(handlers.Name, "Api"), Trim(method.Name, "Async"));
            }
        }

        if (secured)
        {
            operation.Security = GuestsAllowed(policies)
                ? [Requirement(DocumentDescription.Firebase, context.Document), Requirement(DocumentDescription.Guest, context.Document)]
                : [Requirement(DocumentDescription.Firebase, context.Document)];
        }

        operation.Responses ??= new OpenApiResponses();
        if (hasInput)
        {
            Add(operation, context, "400", "The request is invalid; `errors` names each field at fault.", DocumentDescription.ValidationProblem);
        }
        if (secured)
        {
            Add(operation, context, "401", "No credential, or one that is invalid or expired.");
            Add(operation, context, "403", "The caller's role may not use this route, or the user belongs to no tenant.");
        }
        if (description.RelativePath?.Contains('{') == true)
        {
            Add(operation, context, "404", "Nothing at this address that the caller may see (another tenant's resources are 404 too).");
        }
        if (hasBody)
        {
            Add(operation, context, "413", "The body is larger than the limit for this route.");
            Add(operation, context, "415", "The body is not of a content type this route accepts.");
        }
        if (metadata.OfType<EnableRateLimitingAttribute>().Any())
        {
            Add(operation, context, "429", "Too many requests; wait for the Retry-After header's seconds.");
        }
        return Task.CompletedTask;
    }

    /// <summary>The handler class and method, without saying a word twice: GradeOverride.Override is GradeOverride, Regrade.RegradeSession is RegradeSession.</summary>
    private static string OperationName(string handlers, string method) =>
        handlers.EndsWith(method, StringComparison.Ordinal) || handlers.StartsWith(method, StringComparison.Ordinal) ? handlers
        : method.StartsWith(handlers, StringComparison.Ordinal) ? method
        : handlers + method;

    private static string Trim(string name, string suffix) =>
        name.EndsWith(suffix, StringComparison.Ordinal) ? name[..^suffix.Length] : name;

    /// <summary>Only the group that lets any tenant caller in (users and guests alike) accepts a guest token.</summary>
    private static bool GuestsAllowed(HashSet<string> policies) =>
        !policies.Contains(Policies.TenantUser) && !policies.Contains(Policies.Author) && !policies.Contains(Policies.Admin);

    private static OpenApiSecurityRequirement Requirement(string scheme, OpenApiDocument? document) =>
        new() { [new OpenApiSecuritySchemeReference(scheme, document)] = [] };

    private static void Add(OpenApiOperation operation, OpenApiOperationTransformerContext context, string status, string description, string schema = DocumentDescription.Problem)
    {
        if (operation.Responses!.TryGetValue(status, out var existing) && existing.Content?.Count > 0)
        {
            return;
        }
        operation.Responses[status] = new OpenApiResponse
        {
            Description = existing?.Description is { Length: > 0 } given ? given : description,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference(schema, context.Document) },
            },
        };
    }
}
