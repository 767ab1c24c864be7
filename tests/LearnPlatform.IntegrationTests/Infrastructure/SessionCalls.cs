namespace LearnPlatform.IntegrationTests.Infrastructure;

/// <summary>The session routes as a client calls them.</summary>
public static class SessionCalls
{
    public static async Task<JsonElement> StartSessionAsync(this HttpClient client, Guid paperId, HttpStatusCode expected = HttpStatusCode.Created)
    {
        var response = await client.PostAsJsonAsync("/api/v1/sessions", new { paper_id = paperId });
        Assert.Equal(expected, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public static Task<HttpResponseMessage> SaveAsync(this HttpClient client, Guid sessionId, string questionId, object answer, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/sessions/{sessionId}/responses/{questionId}")
        {
            Content = JsonContent.Create(new { answer }),
        };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }
        return client.SendAsync(request);
    }

    public static Task<HttpResponseMessage> SubmitAsync(this HttpClient client, Guid sessionId) =>
        client.PostAsync($"/api/v1/sessions/{sessionId}/submit", null);

    public static Guid Id(this JsonElement element) => element.GetProperty("id").GetGuid();

    public static async Task<JsonElement> AssertProblemAsync(this HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        return problem;
    }
}
