using LearnPlatform.Core.Data;

namespace LearnPlatform.IntegrationTests.Accommodations;

/// <summary>The accommodation routes as an admin's client calls them, and a tenant with an admin to call them.</summary>
public static class AccommodationCalls
{
    public static Task<HttpResponseMessage> PutAccommodationAsync(this HttpClient client, string candidateUid, object body) =>
        client.PutAsJsonAsync($"/api/v1/accommodations/{Uri.EscapeDataString(candidateUid)}", body);

    public static Task<HttpResponseMessage> PutRawAccommodationAsync(this HttpClient client, string candidateUid, string json) =>
        client.PutAsync($"/api/v1/accommodations/{Uri.EscapeDataString(candidateUid)}", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

    public static async Task<JsonElement> SetAccommodationAsync(this HttpClient client, string candidateUid, object body)
    {
        var response = await client.PutAccommodationAsync(candidateUid, body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public static Task<HttpResponseMessage> DeleteAccommodationAsync(this HttpClient client, string candidateUid, Guid? paperId = null) =>
        client.DeleteAsync($"/api/v1/accommodations/{Uri.EscapeDataString(candidateUid)}" + (paperId is { } p ? $"?paper_id={p}" : ""));

    public static async Task<List<JsonElement>> ListAccommodationsAsync(this HttpClient client, string query = "")
    {
        var list = await client.GetFromJsonAsync<JsonElement>($"/api/v1/accommodations{query}");
        return list.GetProperty("items").EnumerateArray().ToList();
    }

    public static Task<HttpResponseMessage> ExtendAsync(this HttpClient client, Guid sessionId, int extraMinutes) =>
        client.PostAsJsonAsync($"/api/v1/sessions/{sessionId}/extend", new { extra_minutes = extraMinutes });

    public static async Task<(Guid Tenant, HttpClient Admin, TestUser AdminUser)> TenantWithAdminAsync(this TestApp app)
    {
        var tenant = await app.CreateTenantAsync();
        var admin = await app.SignUpAsync(tenant, Roles.Admin);
        return (tenant, app.ClientWithBearer(admin.IdToken), admin);
    }

    public static Task<long> AuditCountAsync(this TestApp app, Guid tenantId, string action, string resource) =>
        app.CountAsync("SELECT count(*) FROM audit_events WHERE tenant_id = @t AND action = @a AND resource = @r", ("t", tenantId), ("a", action), ("r", resource));
}
