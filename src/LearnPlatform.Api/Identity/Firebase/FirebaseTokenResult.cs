using System.Diagnostics.CodeAnalysis;

namespace LearnPlatform.Api.Identity.Firebase;

public sealed class FirebaseTokenResult
{
    private FirebaseTokenResult(FirebaseUser? user, TokenRejection? rejection)
    {
        User = user;
        Rejection = rejection;
    }

    public FirebaseUser? User { get; }

    public TokenRejection? Rejection { get; }

    [MemberNotNullWhen(true, nameof(User))]
    [MemberNotNullWhen(false, nameof(Rejection))]
    public bool IsValid => User is not null;

    public static FirebaseTokenResult Accepted(FirebaseUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return new(user, null);
    }

    public static FirebaseTokenResult Rejected(TokenRejection rejection) => new(null, rejection);

    public override string ToString() => IsValid ? "Accepted" : $"Rejected: {Rejection}";
}
