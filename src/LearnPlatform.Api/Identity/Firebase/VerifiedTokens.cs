using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Caching.Memory;

namespace LearnPlatform.Api.Identity.Firebase;

/// <summary>
/// ID tokens this replica has verified, by the SHA-256 of the token (the token itself is not kept), so a candidate's
/// requests pay the RS256 check and the claims' parse once per token rather than on every autosave. The verifier uses
/// an entry only while the token has not expired and while the key that signed it is still the one the key cache
/// verifies with: after a key refresh, or once Google withdraws the key, the token goes through the full check again.
/// Bounded: the least recently used go first.
/// </summary>
internal sealed class VerifiedTokens : IDisposable
{
    public const int MaxEntries = 50_000;

    /// <summary>An entry is kept at most this long, whatever the token's own expiry says.</summary>
    private static readonly TimeSpan MaxLifetime = TimeSpan.FromHours(1);

    private readonly MemoryCache cache = new(new MemoryCacheOptions { SizeLimit = MaxEntries });

    public sealed record Entry(FirebaseUser User, long ExpiresAtSeconds, string KeyId, RSA Key);

    public static string KeyOf(string token) => Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    public Entry? Find(string key) => cache.TryGetValue(key, out Entry? entry) ? entry : null;

    /// <param name="keptFor">How long the token stays acceptable from now; nothing is kept when it is not positive.</param>
    public void Add(string key, Entry entry, TimeSpan keptFor)
    {
        if (keptFor > TimeSpan.Zero)
        {
            cache.Set(key, entry, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = keptFor < MaxLifetime ? keptFor : MaxLifetime });
        }
    }

    public void Dispose() => cache.Dispose();
}
