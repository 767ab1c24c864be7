using LearnPlatform.Api.Lti;
using LearnPlatform.Core.Lti;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Options;

namespace LearnPlatform.UnitTests.Lti;

public sealed class LtiPlatformRequestValidatorTests
{
    private static readonly LtiPlatformRequest Http = new(
        "http://lms.example", "client", ["d1"], "http://lms.example/auth", "http://lms.example/token", "http://lms.example/jwks");

    private static bool Valid(LtiPlatformRequest request, string environment, bool allowHttp = false) =>
        new LtiPlatformRequestValidator(Options.Create(new LtiOptions { AllowHttp = allowHttp }), new HostingEnvironment { EnvironmentName = environment })
            .Validate(request).IsValid;

    [Fact]
    public void ProductionRequiresHttpsUnlessAllowed()
    {
        var https = new LtiPlatformRequest("https://lms.example", "client", ["d1"], "https://lms.example/auth", "https://lms.example/token", "https://lms.example/jwks");

        Assert.False(Valid(Http, Environments.Production));
        Assert.True(Valid(Http, Environments.Production, allowHttp: true));
        Assert.True(Valid(Http, Environments.Development));
        Assert.True(Valid(https, Environments.Production));
    }

    [Fact]
    public void TooManyOrEmptyDeploymentsAreRefused()
    {
        Assert.False(Valid(Http with { DeploymentIds = [] }, Environments.Development));
        Assert.False(Valid(Http with { DeploymentIds = [""] }, Environments.Development));
        Assert.False(Valid(Http with { DeploymentIds = Enumerable.Range(0, LtiPlatformRequestValidator.MaxDeployments + 1).Select(i => $"d{i}").ToList() }, Environments.Development));
        Assert.False(Valid(Http with { DeploymentIds = [new string('d', 256)] }, Environments.Development));
    }
}
