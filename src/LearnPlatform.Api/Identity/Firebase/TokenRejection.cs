namespace LearnPlatform.Api.Identity.Firebase;

// Reason classes for the audit log; clients only ever see a plain 401.
public enum TokenRejection
{
    Oversize = 1,
    Malformed,
    UnsupportedAlgorithm,
    UnknownKey,
    BadSignature,
    Expired,
    IssuedInFuture,
    AuthTimeInFuture,
    WrongAudience,
    WrongIssuer,
    InvalidSubject,
    EmulatorTokenNotAllowed,
}
