namespace LearnPlatform.Api.Identity;

public sealed class GuestTokenOptions
{
    /// <summary>How long after the session's deadline the token keeps working (to read the result).</summary>
    public TimeSpan Grace { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>No guest token lives longer than this, whatever the session's deadline.</summary>
    public TimeSpan MaxLifetime { get; set; } = TimeSpan.FromHours(4);
}
