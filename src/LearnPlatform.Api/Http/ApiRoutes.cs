using LearnPlatform.Api.Identity;

namespace LearnPlatform.Api.Http;

/// <summary>
/// The one <c>/api/v1</c> route group and its audiences. A feature maps each route into the audience allowed to call
/// it, so a route's policy is set once, by its group, and never forgotten: the group itself is the fallback (any
/// authenticated caller of a tenant, user or guest); <see cref="Users"/> are signed-in users (no guests),
/// <see cref="Authors"/> authors and admins, <see cref="Admins"/> admins; <see cref="Anonymous"/> needs no credential.
/// Request validation runs in the group's one filter (<see cref="ValidationFilter"/>).
/// </summary>
public sealed record ApiRoutes(
    RouteGroupBuilder Callers,
    RouteGroupBuilder Users,
    RouteGroupBuilder Authors,
    RouteGroupBuilder Admins,
    RouteGroupBuilder Anonymous)
{
    public const string Prefix = "/api/v1";

    public static ApiRoutes Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup(Prefix)
            .RequireAuthorization(Policies.TenantCaller)
            .AddEndpointFilterFactory(ValidationFilter.Create);
        return new ApiRoutes(
            api,
            api.MapGroup("").RequireAuthorization(Policies.TenantUser),
            api.MapGroup("").RequireAuthorization(Policies.Author),
            api.MapGroup("").RequireAuthorization(Policies.Admin),
            api.MapGroup("").AllowAnonymous());
    }

    /// <summary>The address of a resource, for a 201's Location: <c>Location("sessions", id)</c> is /api/v1/sessions/{id}.</summary>
    public static string Location(params object[] segments) => $"{Prefix}/{string.Join('/', segments)}";
}
