using System.Security.Cryptography;
using LearnPlatform.Core.Data;

namespace LearnPlatform.IntegrationTests.Lti;

/// <summary>An app with LTI configured (a tool key generated for the run), a platform stand-in, and a tenant that registered it.</summary>
public class LtiFixture : IAsyncLifetime
{
    public const string FrontendUrl = "https://frontend.example.test/lti";

    /// <summary>Generated once per run: RSA key generation is slow, and nothing depends on the key's value.</summary>
    public static readonly string ToolKeyPem = CreateKeyPem();

    public TestApp App { get; private set; } = null!;
    public PlatformStandIn Platform { get; private set; } = null!;
    public Guid Tenant { get; private set; }
    public HttpClient Admin { get; private set; } = null!;
    public Guid PlatformId { get; private set; }

    public static void Configure(Dictionary<string, string?> settings)
    {
        settings["Lti:ToolPrivateKey"] = ToolKeyPem;
        settings["Lti:FrontendUrl"] = FrontendUrl;
        settings["Lti:PassbackRetryInitialInterval"] = "00:00:00.100";
        settings["Lti:PassbackRetryMaximumInterval"] = "00:00:00.500";
    }

    public async Task InitializeAsync()
    {
        Platform = await PlatformStandIn.StartAsync();
        App = await TestApp.StartAsync(Configure);
        Platform.ToolJwksUrl = new Uri(App.BaseAddress, "/lti/jwks");
        Tenant = await App.CreateTenantAsync();
        Admin = App.ClientWithBearer((await App.SignUpAsync(Tenant, Roles.Admin)).IdToken);
        PlatformId = await Admin.RegisterPlatformAsync(Platform);
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Platform.DisposeAsync();
    }

    private static string CreateKeyPem()
    {
        using var rsa = RSA.Create(2048);
        return rsa.ExportPkcs8PrivateKeyPem();
    }
}
