using Microsoft.AspNetCore.Http.HttpResults;

namespace LearnPlatform.Api.Http;

/// <summary>
/// Caps the guest sessions one paper gets per hour (<c>RateLimits:GuestSessionsPerPaperPerHour</c>, 200), whatever
/// addresses they come from: each guest session brings fresh per-session AI caps, so the per-address limit alone would
/// let a botnet open them without end. Counted in the shared rate-limit counters, keyed by a hash of the paper.
/// </summary>
public sealed class GuestSessionsPerPaper(RateLimitCounters counters, RateLimitOptions options)
{
    private const string Policy = "guest-sessions-per-paper";
    private const int WindowSeconds = 3600;

    /// <summary>Counts one guest session of the paper; a 429 problem (with Retry-After) when the hour's cap is already used.</summary>
    public async Task<ProblemHttpResult?> RefuseAsync(Guid paperId, HttpResponse response, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(response);
        var limit = options.GuestSessionsPerPaperPerHour;
        var key = new RateLimitPartitionKey(Policy, limit, WindowSeconds, $"paper:{paperId}").Hash();
        // No answer in time: fail open, like every limit here; the per-address limit still holds.
        if (await counters.HitAsync(key, WindowSeconds, ct) is not { } hit || hit.Count <= limit)
            return null;
        var seconds = Math.Max(1, (long)Math.Ceiling(hit.ResetsIn.TotalSeconds));
        return Problems.TooManyRequests(response, seconds,
            $"This paper has had as many guest sessions as it may this hour ({limit}); try again in {seconds} seconds.");
    }
}
