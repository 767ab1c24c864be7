using Microsoft.AspNetCore.Diagnostics;

namespace LearnPlatform.Api.Http;

/// <summary>
/// Turns a body the framework could not bind (malformed JSON, wrong types, wrong media type, too large) into a
/// problem+json answer that says which of those it was, without echoing anything the client sent.
/// </summary>
public sealed class BadRequestHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad)
        {
            return false;
        }
        var (title, detail) = bad.StatusCode switch
        {
            StatusCodes.Status413PayloadTooLarge => ("Payload Too Large", "The request body is larger than this endpoint accepts."),
            StatusCodes.Status415UnsupportedMediaType => ("Unsupported Media Type", "Send the body as application/json."),
            _ => ("Bad Request", "The request could not be read: the body must be valid JSON with the fields and types this endpoint expects, and route values must be well-formed."),
        };
        httpContext.Response.StatusCode = bad.StatusCode;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = { Status = bad.StatusCode, Title = title, Detail = detail },
        });
    }
}
