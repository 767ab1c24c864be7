using LearnPlatform.Api.Identity.Firebase;
using Microsoft.Extensions.Options;

namespace LearnPlatform.UnitTests.Identity.Firebase;

// A verifier wired to one test key endpoint and a clock the test controls.
internal sealed class VerifierHarness : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };

    public VerifierHarness(Uri publicKeysUrl, Action<FirebaseOptions>? configure = null)
    {
        Options = new FirebaseOptions { ProjectId = TestTokens.ProjectId, PublicKeysUrl = publicKeysUrl };
        configure?.Invoke(Options);
        Keys = new FirebaseSigningKeys(_http, Microsoft.Extensions.Options.Options.Create(Options), Time, Logs.LoggerFor<FirebaseSigningKeys>());
        Verifier = new FirebaseTokenVerifier(Microsoft.Extensions.Options.Options.Create(Options), Keys, Time, Logs.LoggerFor<FirebaseTokenVerifier>());
    }

    public ManualClock Time { get; } = new(new DateTimeOffset(2030, 3, 14, 9, 0, 0, TimeSpan.Zero));

    public FirebaseOptions Options { get; }

    public FirebaseSigningKeys Keys { get; }

    public FirebaseTokenVerifier Verifier { get; }

    /// <summary>The key cache's and the verifier's log lines ("Warning FirebaseSigningKeys: ...").</summary>
    public CapturedLogs Logs { get; } = new();

    public Dictionary<string, object?> ValidClaims() => TestTokens.ValidClaims(Time.GetUtcNow());

    public string ValidToken(TestSigningKey? key = null) => TestTokens.SignedRs256(key ?? TestSigningKey.Primary, ValidClaims());

    public async Task<FirebaseTokenResult> VerifyAsync(string token) => await Verifier.VerifyAsync(token, CancellationToken.None);

    public async Task<TokenRejection?> RejectionOfAsync(string token) => (await VerifyAsync(token)).Rejection;

    public void Dispose()
    {
        Keys.Dispose();
        _http.Dispose();
    }
}
