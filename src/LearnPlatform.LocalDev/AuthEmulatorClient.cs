using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace LearnPlatform.LocalDev;

/// <summary>The Auth Emulator's REST API, as the Admin SDK and a web client would call it.</summary>
public sealed class AuthEmulatorClient(HttpClient http, string projectId)
{
    private string Admin(string path) => $"identitytoolkit.googleapis.com/v1/projects/{projectId}/{path}";

    public async Task CreateUserAsync(string uid, string email, string password, CancellationToken ct = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Admin("accounts"))
        {
            Content = JsonContent.Create(new { localId = uid, email, password }),
        };
        // The emulator accepts "owner" as the bearer of an admin (service account) call.
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "owner");
        using var response = await http.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode && !(await response.Content.ReadAsStringAsync(ct)).Contains("DUPLICATE", StringComparison.Ordinal))
        {
            response.EnsureSuccessStatusCode();
        }
    }

    public async Task SetCustomClaimsAsync(string uid, object claims, CancellationToken ct = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Admin("accounts:update"))
        {
            Content = JsonContent.Create(new { localId = uid, customAttributes = JsonSerializer.Serialize(claims) }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "owner");
        using var response = await http.SendAsync(request, ct);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Deletes the account, as an operator does after an erasure (docs/operations.md).</summary>
    public async Task DeleteUserAsync(string uid, CancellationToken ct = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Admin("accounts:delete"))
        {
            Content = JsonContent.Create(new { localId = uid }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "owner");
        using var response = await http.SendAsync(request, ct);
        response.EnsureSuccessStatusCode();
    }

    public async Task<string> SignInAsync(string email, string password, CancellationToken ct = default)
    {
        using var response = await http.PostAsJsonAsync(
            "identitytoolkit.googleapis.com/v1/accounts:signInWithPassword?key=emulator",
            new { email, password, returnSecureToken = true }, ct);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        return body.GetProperty("idToken").GetString()!;
    }
}
