using LearnPlatform.Api.Telemetry;

namespace LearnPlatform.UnitTests.Telemetry;

public sealed class ClientTimeTests
{
    [Theory]
    [InlineData("2026-12-01T10:15:30Z", "2026-12-01T10:15:30.0000000+00:00")]
    [InlineData("2026-12-01t10:15:30z", "2026-12-01T10:15:30.0000000+00:00")]
    [InlineData("2026-12-01T10:15:30.25Z", "2026-12-01T10:15:30.2500000+00:00")]
    [InlineData("2026-12-01T10:15:30.1234567Z", "2026-12-01T10:15:30.1234567+00:00")]
    [InlineData("2026-12-01T10:15:30.250+02:00", "2026-12-01T08:15:30.2500000+00:00")]
    [InlineData("2026-12-01T00:15:00-05:30", "2026-12-01T05:45:00.0000000+00:00")]
    [InlineData("2028-02-29T23:59:59+14:00", "2028-02-29T09:59:59.0000000+00:00")]
    [InlineData("1999-12-31T23:00:00-05:00", "2000-01-01T04:00:00.0000000+00:00")]
    public void ReadsRfc3339AsUtc(string text, string utc)
    {
        Assert.True(ClientTime.TryParse(text, out var at));

        Assert.Equal(utc, at.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(TimeSpan.Zero, at.Offset);
    }

    [Theory]
    [InlineData("")]
    [InlineData("yesterday")]
    [InlineData("2026-12-01T10:00:00")]
    [InlineData("2026-12-01 10:00:00Z")]
    [InlineData("2026-12-01T10:00Z")]
    [InlineData("2026-12-01T10:00:00.Z")]
    [InlineData("2026-12-01T10:00:00.12345678Z")]
    [InlineData("2026-12-01T10:00:00+0200")]
    [InlineData("2026-12-01T10:00:00+14:01")]
    [InlineData("2026-12-01T10:00:00+02:60")]
    [InlineData("2026-12-01T10:00:00Z ")]
    [InlineData("2026-12-01T10:00:00Zz")]
    [InlineData("2026-13-01T10:00:00Z")]
    [InlineData("2026-00-01T10:00:00Z")]
    [InlineData("2026-02-29T10:00:00Z")]
    [InlineData("2026-04-31T10:00:00Z")]
    [InlineData("2026-12-00T10:00:00Z")]
    [InlineData("2026-12-01T24:00:00Z")]
    [InlineData("2026-12-01T10:60:00Z")]
    [InlineData("2026-12-01T10:00:60Z")]
    [InlineData("1999-12-31T23:59:59Z")]
    [InlineData("2000-01-01T01:00:00+02:00")]
    [InlineData("9999-01-01T00:00:00Z")]
    [InlineData("+2026-12-01T10:00:00Z")]
    [InlineData("2026-1a-01T10:00:00Z")]
    [InlineData("２０２６-12-01T10:00:00Z")]
    public void RefusesAnythingElse(string text) => Assert.False(ClientTime.TryParse(text, out _));
}
