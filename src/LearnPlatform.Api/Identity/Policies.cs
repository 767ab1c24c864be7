using LearnPlatform.Core.Data;
using Microsoft.AspNetCore.Authorization;

namespace LearnPlatform.Api.Identity;

public static class Policies
{
    /// <summary>A signed-in user or a guest, either way inside a tenant.</summary>
    public const string TenantCaller = "tenant-caller";

    /// <summary>A signed-in user of the tenant (not a guest).</summary>
    public const string TenantUser = "tenant-user";

    public const string Author = "author";
    public const string Admin = "admin";

    public static AuthorizationBuilder AddLearnPlatformPolicies(this AuthorizationBuilder builder) =>
        builder
            .AddPolicy(TenantCaller, p => p.RequireClaim(Caller.TenantClaim))
            .AddPolicy(TenantUser, p => p.RequireClaim(Caller.TenantClaim).RequireClaim(Caller.KindClaim, "user"))
            .AddPolicy(Author, p => p.RequireClaim(Caller.TenantClaim).RequireClaim(Caller.KindClaim, "user").RequireClaim(Caller.RoleClaim, Roles.Author, Roles.Admin))
            .AddPolicy(Admin, p => p.RequireClaim(Caller.TenantClaim).RequireClaim(Caller.KindClaim, "user").RequireClaim(Caller.RoleClaim, Roles.Admin));
}
