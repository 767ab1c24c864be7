namespace LearnPlatform.Core.Data;

/// <summary>The tenant the current unit of work (request, job, CLI command) acts for. Scoped.</summary>
public sealed class TenantScope
{
    public Guid? TenantId { get; set; }
}
