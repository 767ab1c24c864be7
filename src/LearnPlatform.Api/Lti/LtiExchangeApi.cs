using FluentValidation;
using LearnPlatform.Api.Audit;
using LearnPlatform.Api.Http;
using LearnPlatform.Api.Identity;
using LearnPlatform.Api.Papers;
using LearnPlatform.Api.Sessions;
using LearnPlatform.Core.Data;
using LearnPlatform.Core.Lti;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LearnPlatform.Api.Lti;

public sealed record LtiExchangeRequest(string? Code);

public sealed class LtiExchangeRequestValidator : AbstractValidator<LtiExchangeRequest>
{
    public LtiExchangeRequestValidator() =>
        RuleFor(r => r.Code).Must(LtiExchangeApi.IsSecret).WithMessage("code is required.");
}

/// <summary>A resource link launch: the LTI user's session at the paper and a token for that session alone (X-Guest-Token).</summary>
public sealed record ResourceLinkExchange(string Kind, string Uid, string Role, SessionView Session, string SessionToken, DateTimeOffset ExpiresAt);

/// <summary>A deep linking launch: the published papers to pick from and a single-use token to return the pick with.</summary>
public sealed record DeepLinkingExchange(string Kind, string Uid, string Role, string DeepLinkingToken, DateTimeOffset ExpiresAt, IReadOnlyList<LtiPaperChoice> Papers);

public sealed record LtiPaperChoice(Guid Id, string Title, int QuestionCount, decimal TotalPoints);

public sealed record LtiDeepLinkingRequest(string? DeepLinkingToken, Guid? PaperId);

public sealed class LtiDeepLinkingRequestValidator : AbstractValidator<LtiDeepLinkingRequest>
{
    public LtiDeepLinkingRequestValidator()
    {
        RuleFor(r => r.DeepLinkingToken).Must(LtiExchangeApi.IsSecret).WithMessage("deep_linking_token is required.");
        RuleFor(r => r.PaperId).NotNull().WithMessage("paper_id is required.");
    }
}

/// <summary>The signed LtiDeepLinkingResponse, for the frontend to form-post (field JWT) to the platform's return URL.</summary>
public sealed record LtiDeepLinkingResult(string ReturnUrl, string Jwt);

/// <summary>The frontend's side of a launch: it exchanges the launch's one-time code, and for deep linking returns the pick.</summary>
public static class LtiExchangeApi
{
    public static readonly TimeSpan DeepLinkingTokenLifetime = TimeSpan.FromHours(1);

    private const int MaxPaperChoices = 500;

    /// <summary>Codes and deep-linking tokens are 43 characters; anything much longer is not one.</summary>
    public static bool IsSecret(string? value) => value is { Length: > 0 and <= 100 };

    internal static async Task<Results<Ok<ResourceLinkExchange>, Ok<DeepLinkingExchange>, ProblemHttpResult>> ExchangeAsync(
        LtiExchangeRequest request, HttpContext http, LearnPlatformDbContext db, CredentialLookups lookups, SessionStarter starter, PaperVersionCache papers,
        GuestTokens guestTokens, IOptions<LtiOptions> options, TimeProvider time, CancellationToken ct)
    {
        if (!options.Value.IsEnabled)
        {
            return LtiToolApi.NotConfigured();
        }
        var hash = LtiToolApi.SecretHash(request.Code!);
        if (await lookups.LtiLaunchOfSecretAsync(hash, ct) is not { } found)
        {
            return InvalidSecret("code");
        }
        db.Tenant.TenantId = found.TenantId;
        var now = time.Now();
        var launches = db.LtiLaunches.Where(l => l.Id == found.LaunchId && l.TenantId == found.TenantId && l.SecretHash == hash
            && l.SecretKind == LtiSecretKinds.Code && l.SecretExpiresAt > now);
        var launch = await launches.SingleOrDefaultAsync(ct);
        if (launch is null)
        {
            return InvalidSecret("code");
        }
        if (launch.MessageType == LtiMessageTypes.DeepLinking)
        {
            var token = LtiToolApi.RandomToken();
            var expiresAt = now + DeepLinkingTokenLifetime;
            if (await launches.ExecuteUpdateAsync(s => s
                    .SetProperty(l => l.SecretHash, LtiToolApi.SecretHash(token))
                    .SetProperty(l => l.SecretKind, LtiSecretKinds.DeepLinking)
                    .SetProperty(l => l.SecretExpiresAt, expiresAt), ct) == 0)
            {
                return InvalidSecret("code");
            }
            var published = await db.PublishedVersions(launch.TenantId).OrderByDescending(v => v.PaperId).Take(MaxPaperChoices).ToListAsync(ct);
            var choices = published.Select(v => new LtiPaperChoice(v.PaperId, v.Content.Title, v.Content.Questions.Count, v.Content.Questions.Sum(q => q.Points))).ToList();
            return TypedResults.Ok(new DeepLinkingExchange("deep_linking", launch.Uid, launch.Role, token, expiresAt, choices));
        }

        if (await launches.ExecuteUpdateAsync(s => s
                .SetProperty(l => l.SecretHash, (byte[]?)null)
                .SetProperty(l => l.SecretKind, (string?)null)
                .SetProperty(l => l.SecretExpiresAt, (DateTimeOffset?)null), ct) == 0)
        {
            return InvalidSecret("code");
        }
        // The session is the LTI user's own, as a candidate, whatever their role on the platform.
        var caller = new Caller(launch.Uid, launch.TenantId, Roles.Candidate, CallerKind.User, null) { ClientIp = http.AuditClientIp() };
        var outcome = await starter.StartAsync(caller, launch.PaperId!.Value, ct);
        var (session, paper) = outcome switch
        {
            StartOutcome.Started s => (s.Session, s.Paper),
            StartOutcome.Resumed r => (r.Session, r.Paper),
            // Every attempt is used: the latest one, to read its result.
            StartOutcome.AttemptsUsedUp => await LatestAsync(db, papers, caller, launch.PaperId!.Value, ct),
            _ => (null, null),
        };
        if (session is null || paper is null)
        {
            return Problems.NotFound("The paper");
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO lti_session_links (session_id, tenant_id, platform_id, lti_user_id, resource_link_id, lineitem_url, updated_at)
            SELECT {session.Id}, u.tenant_id, {launch.PlatformId}, u.id, {launch.ResourceLinkId}, {launch.LineitemUrl}, {now}
            FROM lti_users u WHERE u.tenant_id = {launch.TenantId} AND u.uid = {launch.Uid}
            ON CONFLICT (session_id) DO UPDATE SET resource_link_id = excluded.resource_link_id,
                lineitem_url = coalesce(excluded.lineitem_url, lti_session_links.lineitem_url), updated_at = excluded.updated_at
            """, ct);
        // A closed session's token still lets its candidate read the result for a while.
        var issued = await guestTokens.IssueAsync(db, session.Id, session.Deadline > now ? session.Deadline : now, ct);
        await transaction.CommitAsync(ct);
        var responses = await db.Responses.Where(r => r.SessionId == session.Id).ToListAsync(ct);
        return TypedResults.Ok(new ResourceLinkExchange("resource_link", launch.Uid, launch.Role, session.ToView(paper, responses, now), issued.Token, issued.ExpiresAt));
    }

    internal static async Task<Results<Ok<LtiDeepLinkingResult>, ProblemHttpResult>> DeepLinkingResponseAsync(
        LtiDeepLinkingRequest request, HttpContext http, LearnPlatformDbContext db, CredentialLookups lookups, LtiToolKey toolKey,
        IOptions<LtiOptions> options, TimeProvider time, CancellationToken ct)
    {
        if (!options.Value.IsEnabled)
        {
            return LtiToolApi.NotConfigured();
        }
        var hash = LtiToolApi.SecretHash(request.DeepLinkingToken!);
        if (await lookups.LtiLaunchOfSecretAsync(hash, ct) is not { } found)
        {
            return InvalidSecret("deep_linking_token");
        }
        db.Tenant.TenantId = found.TenantId;
        var now = time.Now();
        var launches = db.LtiLaunches.Where(l => l.Id == found.LaunchId && l.TenantId == found.TenantId && l.SecretHash == hash
            && l.SecretKind == LtiSecretKinds.DeepLinking && l.SecretExpiresAt > now);
        var launch = await launches.SingleOrDefaultAsync(ct);
        if (launch is null)
        {
            return InvalidSecret("deep_linking_token");
        }
        // Checked before the token is spent, so a wrong pick can be corrected.
        var paper = await db.PublishedVersions(launch.TenantId).SingleOrDefaultAsync(v => v.PaperId == request.PaperId, ct);
        if (paper is null)
        {
            return Problems.NotFound("The published paper");
        }
        if (await launches.ExecuteUpdateAsync(s => s
                .SetProperty(l => l.SecretHash, (byte[]?)null)
                .SetProperty(l => l.SecretKind, (string?)null)
                .SetProperty(l => l.SecretExpiresAt, (DateTimeOffset?)null), ct) == 0)
        {
            return InvalidSecret("deep_linking_token");
        }
        var platform = await db.LtiPlatforms.SingleAsync(p => p.Id == launch.PlatformId && p.TenantId == launch.TenantId, ct);
        var jwt = DeepLinkingResponse.Create(toolKey, platform, launch, paper, LtiUrls.LaunchUrl(options.Value, http.Request), now);
        var caller = new Caller(launch.Uid, launch.TenantId, launch.Role, CallerKind.User, null) { ClientIp = http.AuditClientIp() };
        AuditTrail.Record(db, caller, now, "lti.deep_link", $"paper/{paper.PaperId}", new { platform_id = platform.Id, paper_version = paper.Version });
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(new LtiDeepLinkingResult(launch.ReturnUrl!, jwt));
    }

    private static async Task<(ExamSession?, PaperSettings?)> LatestAsync(LearnPlatformDbContext db, PaperVersionCache papers, Caller caller, Guid paperId, CancellationToken ct)
    {
        var latest = await db.Sessions
            .Where(s => s.TenantId == caller.TenantId && s.PaperId == paperId && s.CandidateUid == caller.Uid)
            .OrderByDescending(s => s.Attempt)
            .FirstOrDefaultAsync(ct);
        return latest is null ? (null, null) : (latest, await papers.PaperOfAsync(db, latest, ct));
    }

    private static ProblemHttpResult InvalidSecret(string field) =>
        Problems.Invalid(field, $"The {field} is unknown, expired or already used; launch again from the platform.");
}
