using System.Collections.Frozen;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

namespace LearnPlatform.Api.Identity.Firebase;

// Google's token-signing certificates, cached as long as the response's Cache-Control max-age allows.
public sealed partial class FirebaseSigningKeys : IDisposable
{
    public const string HttpClientName = "FirebaseSigningKeys";

    // Used when the response carries no max-age: short, so a missing header cannot pin keys for long.
    internal static readonly TimeSpan DefaultCacheDuration = TimeSpan.FromMinutes(5);

    // Caps a max-age far beyond Google's usual few hours, so one bad response cannot pin keys for long.
    internal static readonly TimeSpan MaxCacheDuration = TimeSpan.FromDays(1);

    // After a failed fetch with no fresh keys, requests are rejected without refetching for this long,
    // so an outage of the key endpoint does not turn every request into another slow attempt.
    internal static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(5);

    private readonly HttpClient _http;
    private readonly FirebaseOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<FirebaseSigningKeys> _logger;
    private readonly Lock _refreshGate = new();
    private readonly CancellationTokenSource _disposed = new();
    private volatile KeySet _keys = KeySet.Empty;
    private Task<KeySet>? _refresh;

    public FirebaseSigningKeys(
        HttpClient http, IOptions<FirebaseOptions> options, TimeProvider time, ILogger<FirebaseSigningKeys> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _http = http;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    public async ValueTask<RSA?> GetKeyAsync(string kid, CancellationToken ct = default)
    {
        var keys = _keys;
        var now = _time.GetUtcNow();
        if (keys.IsFreshAt(now) && keys.Keys.TryGetValue(kid, out var cached))
            return cached;
        if (RefreshFor(keys, now) is not { } refresh)
            return null;

        // The caller may stop waiting; the refresh itself runs on, on a token of its own.
        var refreshed = await refresh.WaitAsync(ct);
        return refreshed.Keys.GetValueOrDefault(kid);
    }

    public void Dispose()
    {
        _disposed.Cancel();
        _disposed.Dispose();
    }

    // One refresh at a time, shared by every caller that misses meanwhile.
    private Task<KeySet>? RefreshFor(KeySet seen, DateTimeOffset now)
    {
        lock (_refreshGate)
        {
            if (_refresh is { IsCompleted: false } running)
                return running;
            // A refresh finished since this caller read the keys: its result answers this caller too.
            if (!ReferenceEquals(seen, _keys))
                return Task.FromResult(_keys);
            if (!MayFetch(seen, now))
                return null;

            // Stamped before fetching, so a refresh that fails, hangs or is abandoned still counts against the limit.
            _keys = seen with { LastAttemptAt = now };
            return _refresh = RefreshAsync(seen);
        }
    }

    private async Task<KeySet> RefreshAsync(KeySet previous)
    {
        var next = await FetchAsync(previous, _disposed.Token);
        _keys = next;
        return next;
    }

    private bool MayFetch(KeySet keys, DateTimeOffset now)
    {
        if (keys.IsFreshAt(now))
            return now - keys.LastAttemptAt >= _options.MinKeyRefreshInterval;
        return !keys.LastAttemptFailed || now - keys.LastAttemptAt >= RetryAfterFailure;
    }

    private async Task<KeySet> FetchAsync(KeySet previous, CancellationToken ct)
    {
        var startedAt = _time.GetUtcNow();
        try
        {
            using var response = await _http.GetAsync(_options.PublicKeysUrl, ct);
            response.EnsureSuccessStatusCode();
            var certificates = await response.Content.ReadFromJsonAsync<Dictionary<string, string>>(ct)
                ?? throw new InvalidDataException("The key endpoint returned null.");
            var keys = certificates.ToFrozenDictionary(entry => entry.Key, entry => ReadPublicKey(entry.Value), StringComparer.Ordinal);
            var maxAge = response.Headers.CacheControl?.MaxAge ?? DefaultCacheDuration;
            if (maxAge > MaxCacheDuration)
                maxAge = MaxCacheDuration;

            LogFetched(_logger, keys.Count, maxAge);
            return new KeySet(keys, startedAt + maxAge, startedAt, LastAttemptFailed: false);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            LogFetchFailed(_logger, ex, _options.PublicKeysUrl);
            // Keys that are still fresh stay usable; stale ones are dropped, so callers reject rather than trust them.
            var kept = previous.IsFreshAt(startedAt) ? previous.Keys : KeySet.Empty.Keys;
            return previous with { Keys = kept, LastAttemptAt = startedAt, LastAttemptFailed = true };
        }
    }

    private static RSA ReadPublicKey(string pem)
    {
        using var certificate = X509Certificate2.CreateFromPem(pem);
        return certificate.GetRSAPublicKey() ?? throw new InvalidDataException("A Firebase signing certificate has no RSA key.");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Fetched {KeyCount} Firebase signing keys, cached for {MaxAge}.")]
    private static partial void LogFetched(ILogger logger, int keyCount, TimeSpan maxAge);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Fetching Firebase signing keys from {Url} failed.")]
    private static partial void LogFetchFailed(ILogger logger, Exception exception, Uri url);

    // Immutable so readers need no lock. Replaced RSA keys are not disposed: a verification on another
    // thread may still be using one, and the finalizer releases it.
    private sealed record KeySet(
        FrozenDictionary<string, RSA> Keys, DateTimeOffset FreshUntil, DateTimeOffset LastAttemptAt, bool LastAttemptFailed)
    {
        public static readonly KeySet Empty = new(
            FrozenDictionary<string, RSA>.Empty, DateTimeOffset.MinValue, DateTimeOffset.MinValue, LastAttemptFailed: false);

        public bool IsFreshAt(DateTimeOffset now) => now < FreshUntil;
    }
}
