namespace LearnPlatform.Sandbox;

/// <summary>problem+json answers written outside an endpoint (middleware, exception handler).</summary>
internal static class Problems
{
    public static async Task WriteAsync(HttpContext context, int status, string title, string detail, IDictionary<string, object?>? extensions = null)
    {
        context.Response.StatusCode = status;
        var problem = new ProblemDetailsContext { HttpContext = context, ProblemDetails = { Status = status, Title = title, Detail = detail } };
        foreach (var (key, value) in extensions ?? new Dictionary<string, object?>())
        {
            problem.ProblemDetails.Extensions[key] = value;
        }
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(problem);
    }
}
