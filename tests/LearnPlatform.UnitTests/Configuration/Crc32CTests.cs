using LearnPlatform.Core.Configuration;

namespace LearnPlatform.UnitTests.Configuration;

public sealed class Crc32CTests
{
    [Fact]
    public void CheckValueOfTheStandardTestString() =>
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));

    // The iSCSI test patterns of RFC 3720, appendix B.4.
    [Fact]
    public void Rfc3720Patterns()
    {
        Assert.Equal(0x8A9136AAu, Crc32C.Compute(new byte[32]));
        Assert.Equal(0x62A8AB43u, Crc32C.Compute(Enumerable.Repeat((byte)0xFF, 32).ToArray()));
        Assert.Equal(0x46DD794Eu, Crc32C.Compute(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray()));
        Assert.Equal(0x113FDB5Cu, Crc32C.Compute(Enumerable.Range(0, 32).Select(i => (byte)(31 - i)).ToArray()));
    }

    [Fact]
    public void EmptyInputIsZero() => Assert.Equal(0u, Crc32C.Compute([]));
}
