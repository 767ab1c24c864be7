using System.Net;
using LearnPlatform.Core.Webhooks;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Options;

namespace LearnPlatform.UnitTests.Webhooks;

public sealed class WebhookDestinationsTests
{
    [Theory]
    [InlineData("127.0.0.1", "a loopback address")]
    [InlineData("127.255.0.9", "a loopback address")]
    [InlineData("::1", "a loopback address")]
    [InlineData("10.0.0.1", "a private address")]
    [InlineData("172.16.0.1", "a private address")]
    [InlineData("172.31.255.255", "a private address")]
    [InlineData("192.168.0.1", "a private address")]
    [InlineData("fd00::1", "a private address")]
    [InlineData("169.254.1.1", "a link-local address")]
    [InlineData("fe80::1", "a link-local address")]
    [InlineData("100.64.0.1", "a CGNAT (shared) address")]
    [InlineData("100.127.255.254", "a CGNAT (shared) address")]
    [InlineData("169.254.169.254", "a cloud metadata address")]
    [InlineData("fd00:ec2::254", "a cloud metadata address")]
    [InlineData("100.100.100.200", "a cloud metadata address")]
    [InlineData("::ffff:127.0.0.1", "a loopback address")]
    [InlineData("::ffff:192.168.1.1", "a private address")]
    [InlineData("0.0.0.0", "an unspecified address")]
    [InlineData("::", "an unspecified address")]
    [InlineData("224.0.0.1", "a multicast address")]
    [InlineData("255.255.255.255", "a reserved address")]
    public void AddressesOutsideThePublicInternetAreRefused(string address, string reason) =>
        Assert.Equal(reason, WebhookDestinations.Refusal(IPAddress.Parse(address)));

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("172.32.0.1")]
    [InlineData("100.128.0.1")]
    [InlineData("192.169.0.1")]
    [InlineData("2606:4700:4700::1111")]
    public void PublicAddressesAreAllowed(string address) =>
        Assert.Null(WebhookDestinations.Refusal(IPAddress.Parse(address)));

    [Theory]
    [InlineData("Production", null, true)]
    [InlineData("Production", false, true)]
    [InlineData("Production", true, false)]
    [InlineData("Development", null, false)]
    [InlineData("Testing", false, true)]
    public void ChecksAreOnInProductionUnlessLifted(string environment, bool? allowPrivateNetworks, bool enforced) =>
        Assert.Equal(enforced, new WebhookDestinations(Options.Create(new WebhookOptions { AllowPrivateNetworks = allowPrivateNetworks }),
            new HostingEnvironment { EnvironmentName = environment }).ChecksEnforced);

    [Fact]
    public async Task RegistrationRefusesANameThatResolvesToLoopbackAndAcceptsOneThatDoesNotResolveYet()
    {
        var destinations = new WebhookDestinations(Options.Create(new WebhookOptions()), new HostingEnvironment { EnvironmentName = "Production" });

        var refusal = await destinations.RefusalAsync(new Uri("https://localhost/hook"), CancellationToken.None);

        Assert.StartsWith("localhost resolves to a loopback address", refusal, StringComparison.Ordinal);
        Assert.Null(await destinations.RefusalAsync(new Uri("https://does-not-exist.invalid/hook"), CancellationToken.None));
        Assert.Equal("must be an https URL.", await destinations.RefusalAsync(new Uri("http://203.0.113.10/hook"), CancellationToken.None));
    }
}
