using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;

namespace LearnPlatform.Sandbox;

/// <summary>
/// A body the framework could not bind (not JSON, wrong types, too large, wrong media type) as problem+json; a JSON
/// error names the field (its path), never the content.
/// </summary>
internal sealed class BadRequestHandler(SandboxOptions options) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad || httpContext.Response.HasStarted)
        {
            return false;
        }
        switch (bad.StatusCode)
        {
            case StatusCodes.Status413PayloadTooLarge:
                await Problems.WriteAsync(httpContext, bad.StatusCode, "Payload Too Large",
                    string.Create(CultureInfo.InvariantCulture, $"The request body is larger than {options.MaxRequestBodyBytes} bytes."));
                break;
            case StatusCodes.Status415UnsupportedMediaType:
                await Problems.WriteAsync(httpContext, bad.StatusCode, "Unsupported Media Type", "Send the body as application/json.");
                break;
            default:
                var field = (bad.InnerException as JsonException)?.Path is { Length: > 0 } path ? path : "$";
                await Problems.WriteAsync(httpContext, StatusCodes.Status400BadRequest, "Bad Request",
                    "The body must be JSON with the fields and types of a run request.",
                    new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [field] = ["This is not valid JSON of the expected type."] } });
                break;
        }
        return true;
    }
}
