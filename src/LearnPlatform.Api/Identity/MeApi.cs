using Microsoft.AspNetCore.Http.HttpResults;
using LearnPlatform.Api.Http;

namespace LearnPlatform.Api.Identity;

public static class MeApi
{
    public static void MapMe(this ApiRoutes routes) =>
        routes.Callers.MapGet("/me", Get);

    private static Ok<MeResponse> Get(Caller caller) => TypedResults.Ok(MeResponse.From(caller));
}

public sealed record MeResponse(string Uid, Guid TenantId, string Role, string Kind, Guid? SessionId)
{
    public static MeResponse From(Caller caller) =>
        new(caller.Uid, caller.TenantId, caller.Role, caller.IsGuest ? "guest" : "user", caller.SessionId);
}
