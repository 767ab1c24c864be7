using System.Net;
using LearnPlatform.Api.Audit;

namespace LearnPlatform.UnitTests.Audit;

public sealed class ClientIpAnonymizerTests
{
    private const string Key = "0123456789abcdef0123456789abcdef";

    [Theory]
    [InlineData("203.0.113.77", "203.0.113.0/24")]
    [InlineData("::ffff:203.0.113.77", "203.0.113.0/24")]
    [InlineData("2001:db8:abcd:12:34::1", "2001:db8:abcd::/48")]
    [InlineData("::1", "::/48")]
    public void TruncateKeepsOnlyTheNetwork(string address, string expected)
    {
        Assert.Equal(expected, new ClientIpAnonymizer(ClientIpMode.Truncate, null).Anonymize(IPAddress.Parse(address)));
    }

    [Fact]
    public void HashIsStableForOneAddressAndDiffersBetweenAddressesAndKeys()
    {
        var hasher = new ClientIpAnonymizer(ClientIpMode.Hash, Key);
        var other = new ClientIpAnonymizer(ClientIpMode.Hash, Key.ToUpperInvariant());

        var one = hasher.Anonymize(IPAddress.Parse("203.0.113.77"));

        Assert.Equal(one, hasher.Anonymize(IPAddress.Parse("::ffff:203.0.113.77")));
        Assert.NotEqual(one, hasher.Anonymize(IPAddress.Parse("203.0.113.78")));
        Assert.NotEqual(one, other.Anonymize(IPAddress.Parse("203.0.113.77")));
        Assert.Matches("^[0-9a-f]{64}$", one);
        Assert.DoesNotContain("203", one, StringComparison.Ordinal);
    }

    [Fact]
    public void NoneAndAnUnknownAddressStoreNothing()
    {
        Assert.Null(new ClientIpAnonymizer(ClientIpMode.None, null).Anonymize(IPAddress.Parse("203.0.113.77")));
        Assert.Null(new ClientIpAnonymizer(ClientIpMode.Truncate, null).Anonymize(null));
    }

    [Fact]
    public void HashWithAShortKeyIsRefused()
    {
        Assert.Throws<ArgumentException>(() => new ClientIpAnonymizer(ClientIpMode.Hash, "short"));
    }
}
