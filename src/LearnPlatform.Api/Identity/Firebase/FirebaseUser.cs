namespace LearnPlatform.Api.Identity.Firebase;

public sealed record FirebaseUser(string Uid, string? FirebaseTenant, string? TenantIdClaim, string? Email);
