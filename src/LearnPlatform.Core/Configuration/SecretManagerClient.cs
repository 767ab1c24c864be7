using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace LearnPlatform.Core.Configuration;

/// <summary>
/// Reads secret versions through Secret Manager's REST API v1 (<c>GET v1/{name}:access</c>). Transient
/// failures (network errors, timeouts, 429, 5xx) are retried; anything else fails at once.
/// </summary>
public sealed class SecretManagerClient(HttpClient http, Uri baseUrl, Func<CancellationToken, Task<string>> accessToken, int maxAttempts = 3, TimeSpan? retryDelay = null)
{
    public static readonly Uri DefaultBaseUrl = new("https://secretmanager.googleapis.com/");

    private readonly TimeSpan delay = retryDelay ?? TimeSpan.FromMilliseconds(500);

    public async Task<string> AccessAsync(SecretReference reference, CancellationToken ct)
    {
        var url = new Uri(baseUrl, $"v1/{reference.ResourceName}:access");
        for (var attempt = 1; ; attempt++)
        {
            var (value, transientFailure) = await TryOnceAsync(url, ct);
            if (value is not null)
            {
                return value;
            }
            if (attempt >= maxAttempts)
            {
                throw new SecretManagerException($"{transientFailure}, after {attempt} attempts");
            }
            await Task.Delay(delay * attempt, ct);
        }
    }

    private async Task<(string? Value, string? TransientFailure)> TryOnceAsync(Uri url, CancellationToken ct)
    {
        string token;
        try
        {
            token = await accessToken(ct);
        }
        catch (HttpRequestException e)
        {
            return (null, $"no access token: the token endpoint is unreachable ({e.HttpRequestError})");
        }
        catch (Google.Apis.Auth.OAuth2.Responses.TokenResponseException e)
        {
            throw new SecretManagerException($"no access token: the token endpoint refused the credentials ({e.Error?.Error ?? e.StatusCode.ToString()})");
        }
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await http.SendAsync(request, ct);
            if (response.IsSuccessStatusCode)
            {
                return (Decode(await response.Content.ReadAsStreamAsync(ct)), null);
            }
            var status = (int)response.StatusCode;
            var failure = response.StatusCode switch
            {
                HttpStatusCode.NotFound => "not found (404): check the project, secret and version, and that the version is enabled",
                HttpStatusCode.Forbidden => "permission denied (403): grant roles/secretmanager.secretAccessor on the secret to the workload's Google service account",
                HttpStatusCode.Unauthorized => "unauthenticated (401): the access token was refused",
                _ => $"HTTP {status}",
            };
            return status is 429 or >= 500 ? (null, failure) : throw new SecretManagerException(failure);
        }
        catch (HttpRequestException e)
        {
            return (null, $"Secret Manager is unreachable ({e.HttpRequestError})");
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return (null, "Secret Manager timed out");
        }
    }

    private static string Decode(Stream body)
    {
        byte[] data;
        long? expected = null;
        try
        {
            using var json = JsonDocument.Parse(body);
            var payload = json.RootElement.GetProperty("payload");
            data = Convert.FromBase64String(payload.GetProperty("data").GetString() ?? "");
            if (payload.TryGetProperty("dataCrc32c", out var crc))
            {
                // int64 fields are JSON strings in the REST mapping; accept a number too.
                expected = crc.ValueKind == JsonValueKind.String ? long.Parse(crc.GetString()!, System.Globalization.CultureInfo.InvariantCulture) : crc.GetInt64();
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or OverflowException)
        {
            throw new SecretManagerException("the response is not a secret payload");
        }
        if (expected is { } value && value != Crc32C.Compute(data))
        {
            throw new SecretManagerException("the payload failed its CRC32C check");
        }
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(data);
        }
        catch (DecoderFallbackException)
        {
            throw new SecretManagerException("the payload is not UTF-8 text");
        }
    }
}

public sealed class SecretManagerException(string message) : Exception(message);
