using System.Collections.Concurrent;
using LearnPlatform.Core.Lti;
using Microsoft.IdentityModel.Tokens;

namespace LearnPlatform.Api.Lti;

/// <summary>
/// Platforms' signing keys, fetched from their JWKS URLs and cached like the Firebase keys: for the answer's
/// Cache-Control max-age (5 minutes without one, a day at most), and fetched again when a token names a key id the
/// cache does not know, at most once per <see cref="MinRefreshInterval"/> per URL so unknown kids cannot hammer a platform.
/// </summary>
public sealed partial class PlatformKeys(IHttpClientFactory httpClients, TimeProvider time, ILogger<PlatformKeys> logger) : IDisposable
{
    internal static readonly TimeSpan MinRefreshInterval = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan DefaultCacheDuration = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan MaxCacheDuration = TimeSpan.FromDays(1);

    private readonly ConcurrentDictionary<string, KeySet> cache = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim fetchLock = new(1, 1);

    /// <summary>The keys to try for a token signed with <paramref name="kid"/> (all of them when the token names none).</summary>
    public async Task<IReadOnlyList<SecurityKey>> GetAsync(string jwksUrl, string? kid, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var keys = cache.GetValueOrDefault(jwksUrl);
        if (keys is not null && now < keys.FreshUntil && (kid is null || keys.Has(kid)))
        {
            return keys.Keys;
        }
        if (keys is not null && now - keys.FetchedAt < MinRefreshInterval)
        {
            return now < keys.FreshUntil ? keys.Keys : [];
        }
        await fetchLock.WaitAsync(ct);
        try
        {
            // A fetch that finished while this caller waited answers it too.
            var current = cache.GetValueOrDefault(jwksUrl);
            if (current is not null && !ReferenceEquals(current, keys))
            {
                return current.Keys;
            }
            var fetched = await FetchAsync(jwksUrl, keys, ct);
            cache[jwksUrl] = fetched;
            return fetched.Keys;
        }
        finally
        {
            fetchLock.Release();
        }
    }

    public void Dispose() => fetchLock.Dispose();

    private async Task<KeySet> FetchAsync(string jwksUrl, KeySet? previous, CancellationToken ct)
    {
        var startedAt = time.GetUtcNow();
        try
        {
            using var response = await httpClients.CreateClient(AgsClient.HttpClientName).GetAsync(jwksUrl, ct);
            response.EnsureSuccessStatusCode();
            var set = new JsonWebKeySet(await response.Content.ReadAsStringAsync(ct)) { SkipUnresolvedJsonWebKeys = true };
            var maxAge = response.Headers.CacheControl?.MaxAge ?? DefaultCacheDuration;
            return new KeySet(set.GetSigningKeys().ToList(), startedAt, startedAt + (maxAge > MaxCacheDuration ? MaxCacheDuration : maxAge));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or ArgumentException or InvalidOperationException && !ct.IsCancellationRequested)
        {
            LogFetchFailed(logger, e, jwksUrl);
            // Keys still fresh stay usable; stale ones are dropped, so a launch is refused rather than trusted.
            var kept = previous is not null && startedAt < previous.FreshUntil ? previous.Keys : [];
            return new KeySet(kept, startedAt, previous?.FreshUntil ?? startedAt);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Fetching an LTI platform's keys from {Url} failed")]
    private static partial void LogFetchFailed(ILogger logger, Exception exception, string url);

    private sealed record KeySet(IReadOnlyList<SecurityKey> Keys, DateTimeOffset FetchedAt, DateTimeOffset FreshUntil)
    {
        public bool Has(string kid) => Keys.Any(k => k.KeyId == kid);
    }
}
