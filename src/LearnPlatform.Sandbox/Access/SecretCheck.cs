namespace LearnPlatform.Sandbox.Access;

/// <summary>
/// Every <c>/v1</c> request must carry <c>X-Sandbox-Secret</c>; checked before the body is read or a run slot taken.
/// A refusal is logged with the caller's address, never with what it sent.
/// </summary>
public static class SecretCheck
{
    public const string Header = Client.SandboxClient.SecretHeader;

    public static IApplicationBuilder UseSecretCheck(this IApplicationBuilder app) =>
        app.UseWhen(context => context.Request.Path.StartsWithSegments("/v1"), branch => branch.Use(async (context, next) =>
        {
            var secret = context.RequestServices.GetRequiredService<SharedSecret>();
            var presented = context.Request.Headers[Header];
            if (presented.Count == 1 && secret.Matches(presented[0]))
            {
                await next(context);
                return;
            }
            SandboxLog.Refused(context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SecretCheck)),
                context.Request.Method, context.Request.Path.Value, context.Connection.RemoteIpAddress?.ToString(),
                presented.Count == 0 ? "no X-Sandbox-Secret header" : "wrong X-Sandbox-Secret");
            context.Response.Headers.WWWAuthenticate = "X-Sandbox-Secret";
            await Problems.WriteAsync(context, StatusCodes.Status401Unauthorized, "Unauthorized", "Send the shared secret in the X-Sandbox-Secret header.");
        }));
}
