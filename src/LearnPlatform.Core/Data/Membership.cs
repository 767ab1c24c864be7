namespace LearnPlatform.Core.Data;

public sealed class Membership
{
    public Guid TenantId { get; set; }
    public required string Uid { get; set; }
    public required string Role { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public static class Roles
{
    public const string Candidate = "candidate";
    public const string Author = "author";
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All = [Candidate, Author, Admin];

    public static bool IsValid(string? role) => role is not null && All.Contains(role);
}
