using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using LearnPlatform.Api.Identity;
using Microsoft.AspNetCore.RateLimiting;

namespace LearnPlatform.Api.Http;

/// <summary>The rate-limit policies, by the names routes use in <c>RequireRateLimiting</c>.</summary>
public static class RateLimitPolicies
{
    /// <summary>AI calls (hints, generation, regrades that may grade with Gemini again): per principal.</summary>
    public const string Ai = "ai";

    /// <summary>GET /api/v1/exams and /api/v1/exams/{id}: per principal.</summary>
    public const string ExamListing = "exam-listing";

    /// <summary>POST /api/v1/guest-sessions: per client address.</summary>
    public const string GuestSessions = "guest-sessions";

    /// <summary>Code runs in the sandbox (a candidate's run, an author's check): per principal.</summary>
    public const string CodeRuns = "code_runs";

    /// <summary>A user's data export and erasure, together: per principal (the caller, not the subject).</summary>
    public const string Privacy = "privacy";

    internal static readonly IReadOnlyDictionary<string, (RateLimitPolicyOptions Defaults, bool PerPrincipal)> All =
        new Dictionary<string, (RateLimitPolicyOptions, bool)>(StringComparer.Ordinal)
        {
            [Ai] = (new RateLimitPolicyOptions { PermitLimit = 20, WindowSeconds = 60 }, true),
            [ExamListing] = (new RateLimitPolicyOptions { PermitLimit = 100, WindowSeconds = 60 }, true),
            [GuestSessions] = (new RateLimitPolicyOptions { PermitLimit = 10, WindowSeconds = 60 }, false),
            [CodeRuns] = (new RateLimitPolicyOptions { PermitLimit = 20, WindowSeconds = 60 }, true),
            [Privacy] = (new RateLimitPolicyOptions { PermitLimit = 5, WindowSeconds = 3600 }, true),
        };
}

public sealed class RateLimitPolicyOptions
{
    public int? PermitLimit { get; set; }
    public int? WindowSeconds { get; set; }
}

/// <summary>Configuration section <c>RateLimits</c>.</summary>
public sealed class RateLimitOptions
{
    /// <summary><c>RateLimits:Policies:&lt;policy&gt;:PermitLimit</c> and <c>:WindowSeconds</c>.</summary>
    public Dictionary<string, RateLimitPolicyOptions> Policies { get; } = new(StringComparer.Ordinal);

    /// <summary><c>RateLimits:Tenants:&lt;tenant id&gt;:&lt;policy&gt;:PermitLimit</c>: a tenant's own limits for per-principal policies.</summary>
    public Dictionary<string, Dictionary<string, RateLimitPolicyOptions>> Tenants { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>How long a check may wait for the database before the replica counts the request locally.</summary>
    public TimeSpan CheckTimeout { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How often each replica deletes expired counters.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Guest sessions one paper may get per hour, from all addresses together (<see cref="GuestSessionsPerPaper"/>).</summary>
    public int GuestSessionsPerPaperPerHour { get; set; } = 200;

    public (int PermitLimit, int WindowSeconds) For(string policy, Guid? tenantId)
    {
        var defaults = RateLimitPolicies.All[policy].Defaults;
        Policies.TryGetValue(policy, out var configured);
        RateLimitPolicyOptions? tenant = null;
        if (tenantId is { } id && Tenants.TryGetValue(id.ToString(), out var tenantPolicies))
        {
            tenantPolicies.TryGetValue(policy, out tenant);
        }
        return (
            tenant?.PermitLimit ?? configured?.PermitLimit ?? defaults.PermitLimit!.Value,
            tenant?.WindowSeconds ?? configured?.WindowSeconds ?? defaults.WindowSeconds!.Value);
    }

    internal void Validate()
    {
        var all = Policies.Select(p => ($"RateLimits:Policies:{p.Key}", p.Key, p.Value))
            .Concat(Tenants.SelectMany(t => t.Value.Select(p => ($"RateLimits:Tenants:{t.Key}:{p.Key}", p.Key, p.Value))));
        foreach (var (path, policy, limits) in all)
        {
            if (!RateLimitPolicies.All.ContainsKey(policy))
            {
                throw new StartupException($"{path}: there is no rate-limit policy '{policy}' (known: {string.Join(", ", RateLimitPolicies.All.Keys)}).");
            }
            if (limits.PermitLimit is < 1 || limits.WindowSeconds is < 1 or > 86400)
            {
                throw new StartupException($"{path}: PermitLimit must be at least 1 and WindowSeconds between 1 and 86400.");
            }
        }
        foreach (var tenant in Tenants)
        {
            if (!Guid.TryParse(tenant.Key, out _))
            {
                throw new StartupException($"RateLimits:Tenants:{tenant.Key}: a tenant is named by its id (a UUID).");
            }
            if (tenant.Value.Keys.FirstOrDefault(p => RateLimitPolicies.All.TryGetValue(p, out var known) && !known.PerPrincipal) is { } perAddress)
            {
                throw new StartupException($"RateLimits:Tenants:{tenant.Key}:{perAddress}: '{perAddress}' counts per client address, before any tenant is known; it has no per-tenant limits.");
            }
        }
        if (CheckTimeout <= TimeSpan.Zero || SweepInterval <= TimeSpan.Zero)
        {
            throw new StartupException("RateLimits:CheckTimeout and RateLimits:SweepInterval must be positive.");
        }
        if (GuestSessionsPerPaperPerHour < 1)
        {
            throw new StartupException("RateLimits:GuestSessionsPerPaperPerHour must be at least 1.");
        }
    }
}

/// <summary>What a partition counts: the policy, its limits (so a changed limit starts afresh) and whose requests.</summary>
public readonly record struct RateLimitPartitionKey(string Policy, int PermitLimit, int WindowSeconds, string Partition)
{
    /// <summary>The counter's key: a hash, so the shared table holds no address, uid or tenant.</summary>
    public byte[] Hash() => SHA256.HashData(Encoding.UTF8.GetBytes(
        string.Create(CultureInfo.InvariantCulture, $"learnplatform-rate-limit/v1\n{Policy}\n{WindowSeconds}\n{Partition}")));
}

public static class RateLimits
{
    public static IServiceCollection AddLearnPlatformRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var options = new RateLimitOptions();
        configuration.GetSection("RateLimits").Bind(options);
        options.Validate();
        services.AddSingleton(options);
        services.AddSingleton<RateLimitCounters>();
        services.AddSingleton<GuestSessionsPerPaper>();
        return services.AddRateLimiter(limiter =>
        {
            foreach (var (name, (_, perPrincipal)) in RateLimitPolicies.All)
            {
                limiter.AddPolicy(name, context => Partition(context, name, perPrincipal, options));
            }
            limiter.OnRejected = async (context, ct) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 60;
                var http = context.HttpContext;
                http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                http.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = http,
                    ProblemDetails = { Status = 429, Title = "Too Many Requests", Detail = $"Rate limit reached, please wait {retryAfter} seconds." },
                });
            };
        });
    }

    private static RateLimitPartition<RateLimitPartitionKey> Partition(HttpContext context, string policy, bool perPrincipal, RateLimitOptions options)
    {
        // Per-principal routes run after authorization; a request without a principal counts against its address.
        var caller = perPrincipal && context.User.FindFirst(Caller.UidClaim) is not null && context.User.FindFirst(Caller.TenantClaim) is not null ? Caller.From(context.User) : null;
        var (permitLimit, windowSeconds) = options.For(policy, caller?.TenantId);
        var partition = caller switch
        {
            null => "ip:" + ClientAddress.PartitionOf(context),
            { IsGuest: true, SessionId: var session } => $"guest:{caller.TenantId}:{session}",
            _ => $"user:{caller.TenantId}:{caller.Uid}",
        };
        var key = new RateLimitPartitionKey(policy, permitLimit, windowSeconds, partition);
        return RateLimitPartition.Get(key, k =>
            new PostgresRateLimiter(context.RequestServices.GetRequiredService<RateLimitCounters>(), k.Hash(), k.PermitLimit, k.WindowSeconds));
    }
}
