using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace LearnPlatform.Sandbox.Client;

/// <summary>
/// Calls the sandbox service. A service that cannot be reached, answers 503 (busy) or does not answer within
/// <see cref="SandboxClientOptions.Timeout"/> throws <see cref="SandboxUnavailableException"/> (retry later); any
/// other refusal or an unreadable answer throws <see cref="SandboxRequestException"/> (retrying cannot help).
/// A program that fails, loops or floods is not an exception: it is a <see cref="RunResult"/> with its status.
/// </summary>
public sealed class SandboxClient(HttpClient http, IOptionsMonitor<SandboxClientOptions> options)
{
    public const string SecretHeader = "X-Sandbox-Secret";

    public bool IsConfigured => options.CurrentValue is { BaseUrl: not null, Secret.Length: > 0 };

    public async Task<RunResult> RunAsync(RunRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var settings = options.CurrentValue;
        if (settings.BaseUrl is null || string.IsNullOrEmpty(settings.Secret))
        {
            throw new InvalidOperationException("Sandbox__BaseUrl and Sandbox__Secret must both be set to run code.");
        }
        using var message = new HttpRequestMessage(HttpMethod.Post, RunsUri(settings.BaseUrl))
        {
            Content = JsonContent.Create(request, SandboxJson.Default.RunRequest),
        };
        message.Headers.Add(SecretHeader, settings.Secret);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(settings.Timeout);
        try
        {
            using var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                throw new SandboxUnavailableException("The sandbox service is busy (503).") { RetryAfter = response.Headers.RetryAfter?.Delta };
            }
            if (!response.IsSuccessStatusCode)
            {
                throw new SandboxRequestException($"The sandbox service refused the run with {(int)response.StatusCode} {response.ReasonPhrase}.", (int)response.StatusCode);
            }
            return await response.Content.ReadFromJsonAsync(SandboxJson.Default.RunResult, deadline.Token)
                ?? throw new SandboxRequestException("The sandbox service answered null.", (int)response.StatusCode);
        }
        catch (HttpRequestException e)
        {
            throw new SandboxUnavailableException("The sandbox service is unreachable.", e);
        }
        catch (IOException e)
        {
            throw new SandboxUnavailableException("The connection to the sandbox service broke.", e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SandboxUnavailableException($"The sandbox service did not answer within {settings.Timeout.TotalSeconds:0} s.", e);
        }
        catch (JsonException e)
        {
            throw new SandboxRequestException("The sandbox service's answer is not a run result.", inner: e);
        }
    }

    private static Uri RunsUri(Uri baseUrl) =>
        new(baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl : new Uri(baseUrl.AbsoluteUri + "/"), "v1/runs");
}
