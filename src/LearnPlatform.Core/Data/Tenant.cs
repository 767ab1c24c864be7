namespace LearnPlatform.Core.Data;

public sealed class Tenant
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public required string Name { get; set; }
    public string? FirebaseTenantId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
