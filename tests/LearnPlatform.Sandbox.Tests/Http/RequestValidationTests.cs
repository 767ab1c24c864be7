using System.Net;
using System.Text.Json;
using LearnPlatform.Sandbox.Tests.Infrastructure;

namespace LearnPlatform.Sandbox.Tests.Http;

/// <summary>A bad body is a 400 problem naming the fields; nothing runs.</summary>
[Collection(SandboxHostsDefinition.Name)]
public sealed class RequestValidationTests(SandboxHosts hosts)
{
    private SandboxHost Host => hosts[SandboxHosts.Bubblewrap];

    [Theory]
    [InlineData("""{"language": "cobol", "code": "x", "tests": []}""", "language")]
    [InlineData("""{"code": "x", "tests": []}""", "language")]
    [InlineData("""{"language": "python", "tests": []}""", "code")]
    [InlineData("""{"language": "python", "code": "x"}""", "tests")]
    [InlineData("""{"language": "python", "code": "x", "tests": [{"expected": "1"}]}""", "tests[0]")]
    [InlineData("""{"language": "python", "code": "x", "tests": [{"call": "x"}]}""", "tests[0]")]
    [InlineData("""{"language": "python", "code": "x", "tests": [null]}""", "tests[0]")]
    [InlineData("""{"language": "python", "code": "x", "tests": [], "limits": {"time_ms": 10001}}""", "limits.time_ms")]
    [InlineData("""{"language": "python", "code": "x", "tests": [], "limits": {"time_ms": 0}}""", "limits.time_ms")]
    [InlineData("""{"language": "python", "code": "x", "tests": [], "limits": {"memory_mb": 4096}}""", "limits.memory_mb")]
    [InlineData("""{"language": "python", "code": "x", "tests": [], "limits": {"memory_mb": 8}}""", "limits.memory_mb")]
    public async Task InvalidFieldsAreNamed(string body, string field)
    {
        using var response = await Host.Http.SendAsync(Host.RunRequest(body));

        var errors = await ErrorsAsync(response);
        Assert.True(errors.TryGetProperty(field, out _), $"no error for {field} in {errors}");
    }

    [Fact]
    public async Task TooManyTestsAndTooLongCodeAreRefused()
    {
        var tests = string.Join(',', Enumerable.Repeat("""{"call": "1", "expected": "1"}""", 101));
        using var many = await Host.Http.SendAsync(Host.RunRequest($$"""{"language": "python", "code": "x", "tests": [{{tests}}]}"""));
        using var longCode = await Host.Http.SendAsync(Host.RunRequest($$"""{"language": "python", "code": "{{new string('#', 128 * 1024 + 1)}}", "tests": []}"""));

        Assert.True((await ErrorsAsync(many)).TryGetProperty("tests", out _));
        Assert.True((await ErrorsAsync(longCode)).TryGetProperty("code", out _));
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("""{"language": "python", "code": 5, "tests": []}""")]
    [InlineData("""{"language": "python", "code": "x", "tests": [], "limits": {"time_ms": "soon"}}""")]
    [InlineData("")]
    public async Task MalformedJsonIs400WithErrors(string body)
    {
        using var response = await Host.Http.SendAsync(Host.RunRequest(body));

        var errors = await ErrorsAsync(response);
        Assert.NotEmpty(errors.EnumerateObject());
    }

    [Fact]
    public async Task ABodyOverTheLimitIs413()
    {
        var body = $$"""{"language": "python", "code": "{{new string('#', 2 * 1024 * 1024)}}", "tests": []}""";

        using var response = await Host.Http.SendAsync(Host.RunRequest(body));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task ABodyThatIsNotJsonIs415()
    {
        using var request = Host.RunRequest("x = 1");
        request.Content = new StringContent("x = 1", System.Text.Encoding.UTF8, "text/plain");

        using var response = await Host.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private static async Task<JsonElement> ErrorsAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(text).RootElement.GetProperty("errors").Clone();
    }
}
