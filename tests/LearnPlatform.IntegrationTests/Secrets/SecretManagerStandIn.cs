using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LearnPlatform.Core.Configuration;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace LearnPlatform.IntegrationTests.Secrets;

/// <summary>
/// A real HTTP server on 127.0.0.1 speaking Secret Manager's REST API v1 (<c>GET v1/{name}:access</c>) and
/// Google's OAuth token endpoint (the JWT-bearer grant a service account key makes). Its service account key
/// is generated here; access tokens it did not issue are refused, as Google refuses them.
/// </summary>
public sealed class SecretManagerStandIn : IAsyncDisposable
{
    public const string ClientEmail = "learnplatform@test-project.iam.gserviceaccount.com";

    private readonly RSA key = RSA.Create(2048);
    private readonly ConcurrentDictionary<string, byte> issuedTokens = new();
    private readonly ConcurrentDictionary<string, string> secrets = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<Func<HttpContext, Task>>> scripted = new();
    private readonly ConcurrentQueue<string> accessed = new();
    private int tokenRequests;
    private WebApplication? app;

    public Uri BaseUrl { get; private set; } = null!;
    public Uri TokenUri => new(BaseUrl, "token");
    public int TokenRequests => Volatile.Read(ref tokenRequests);

    /// <summary>The resource names read, in order, one entry per request that carried a valid token.</summary>
    public IReadOnlyCollection<string> Accessed => accessed;

    /// <summary>With <paramref name="https"/>, a certificate made here for 127.0.0.1 whose PEM is at
    /// <see cref="CertificateFile"/>: child hosts trust it through SSL_CERT_FILE, as they would a private CA.</summary>
    public static async Task<SecretManagerStandIn> StartAsync(bool https = false)
    {
        var standIn = new SecretManagerStandIn();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (https)
        {
            var certificate = LoopbackCertificate(out var pem);
            standIn.CertificateFile = Path.Combine(Directory.CreateTempSubdirectory("learnplatform-sm-cert-").FullName, "ca.pem");
            await File.WriteAllTextAsync(standIn.CertificateFile, pem);
            builder.WebHost.UseKestrelHttpsConfiguration();
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, 0, listen => listen.UseHttps(certificate)));
        }
        else
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
        }
        standIn.app = builder.Build();
        standIn.app.MapPost("/token", (Delegate)standIn.IssueTokenAsync);
        standIn.app.MapGet("/v1/projects/{project}/secrets/{secret}/versions/{version}:access", standIn.AccessAsync);
        await standIn.app.StartAsync();
        standIn.BaseUrl = new Uri(standIn.app.Urls.Single() + "/");
        return standIn;
    }

    /// <summary>The https mode's certificate, PEM: the one root a child host started with SSL_CERT_FILE trusts.</summary>
    public string? CertificateFile { get; private set; }

    private static System.Security.Cryptography.X509Certificates.X509Certificate2 LoopbackCertificate(out string pem)
    {
        using var certificateKey = RSA.Create(2048);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest(
            "CN=127.0.0.1", certificateKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new System.Security.Cryptography.X509Certificates.SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509BasicConstraintsExtension(true, false, 0, true));
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        pem = created.ExportCertificatePem();
        // Kestrel needs the private key in a form it can use on Linux: round-trip through PKCS#12.
        return System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12(created.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pkcs12), null);
    }

    public void Add(string resourceName, string value) => secrets[resourceName] = value;

    /// <summary>The next requests for <paramref name="resourceName"/> get these statuses, then the stored secret (or 404).</summary>
    public void Script(string resourceName, params int[] statuses)
    {
        var queue = scripted.GetOrAdd(resourceName, _ => new ConcurrentQueue<Func<HttpContext, Task>>());
        foreach (var status in statuses)
        {
            queue.Enqueue(context => Error(context, status));
        }
    }

    /// <summary>The next request for <paramref name="resourceName"/> gets this 200 body as is.</summary>
    public void ScriptBody(string resourceName, string json) =>
        scripted.GetOrAdd(resourceName, _ => new ConcurrentQueue<Func<HttpContext, Task>>())
            .Enqueue(context => Results.Text(json, "application/json").ExecuteAsync(context));

    /// <summary>A service account key file, as the Cloud console hands them out, whose token_uri is this server.</summary>
    public string ServiceAccountJson() => JsonSerializer.Serialize(new Dictionary<string, string>
    {
        ["type"] = "service_account",
        ["project_id"] = "test-project",
        ["private_key_id"] = "test-key-1",
        ["private_key"] = key.ExportPkcs8PrivateKeyPem(),
        ["client_email"] = ClientEmail,
        ["client_id"] = "100000000000000000001",
        ["token_uri"] = TokenUri.ToString(),
    });

    public string WriteServiceAccountFile(string directory)
    {
        var path = Path.Combine(directory, "service-account.json");
        File.WriteAllText(path, ServiceAccountJson());
        return path;
    }

    public static string PayloadJson(string resourceName, string value, long? crc32c = null)
    {
        var data = Encoding.UTF8.GetBytes(value);
        return JsonSerializer.Serialize(new
        {
            name = resourceName,
            payload = new { data = Convert.ToBase64String(data), dataCrc32c = (crc32c ?? Crc32C.Compute(data)).ToString(System.Globalization.CultureInfo.InvariantCulture) },
        });
    }

    private async Task<IResult> IssueTokenAsync(HttpContext context)
    {
        Interlocked.Increment(ref tokenRequests);
        var form = await context.Request.ReadFormAsync();
        if (form["grant_type"] != "urn:ietf:params:oauth:grant-type:jwt-bearer")
        {
            return Results.Json(new { error = "unsupported_grant_type" }, statusCode: 400);
        }
        var validation = await new JsonWebTokenHandler().ValidateTokenAsync(form["assertion"].ToString(), new TokenValidationParameters
        {
            IssuerSigningKey = new RsaSecurityKey(key.ExportParameters(false)),
            ValidIssuer = ClientEmail,
            // Google.Apis.Auth posts to token_uri but always names Google's token endpoint as the audience, as Google expects.
            ValidAudience = "https://oauth2.googleapis.com/token",
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
        });
        if (!validation.IsValid || !validation.Claims.TryGetValue("scope", out var claim) || claim is not string scope
            || !scope.Split(' ').Contains(SecretReferenceResolver.CloudPlatformScope))
        {
            return Results.Json(new { error = "invalid_grant", error_description = "Invalid JWT Signature." }, statusCode: 400);
        }
        var token = "ya29.test-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        issuedTokens[token] = 0;
        return Results.Json(new Dictionary<string, object> { ["access_token"] = token, ["expires_in"] = 3599, ["token_type"] = "Bearer" });
    }

    private async Task AccessAsync(string project, string secret, string version, HttpContext context)
    {
        var authorization = context.Request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("Bearer ", StringComparison.Ordinal) || !issuedTokens.ContainsKey(authorization["Bearer ".Length..]))
        {
            await Error(context, 401);
            return;
        }
        var name = $"projects/{project}/secrets/{secret}/versions/{version}";
        accessed.Enqueue(name);
        if (scripted.TryGetValue(name, out var queue) && queue.TryDequeue(out var respond))
        {
            await respond(context);
            return;
        }
        if (!secrets.TryGetValue(name, out var value))
        {
            await Error(context, 404);
            return;
        }
        await Results.Text(PayloadJson(name, value), "application/json").ExecuteAsync(context);
    }

    private static Task Error(HttpContext context, int status) =>
        Results.Json(new { error = new { code = status, message = $"stand-in error {status}", status = "ERROR" } }, statusCode: status).ExecuteAsync(context);

    public async ValueTask DisposeAsync()
    {
        if (app is not null)
        {
            await app.DisposeAsync();
        }
        if (CertificateFile is not null)
        {
            Directory.Delete(Path.GetDirectoryName(CertificateFile)!, recursive: true);
        }
        key.Dispose();
    }
}
