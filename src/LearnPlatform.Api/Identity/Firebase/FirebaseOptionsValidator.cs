using Microsoft.Extensions.Options;

namespace LearnPlatform.Api.Identity.Firebase;

// Runs FirebaseOptions.Validate at startup, so emulator mode in Production stops the app even if no caller checks.
internal sealed class FirebaseOptionsValidator(IHostEnvironment? environment = null) : IValidateOptions<FirebaseOptions>
{
    public ValidateOptionsResult Validate(string? name, FirebaseOptions options)
    {
        // Without a known environment, assume the strictest one.
        var isProduction = environment?.IsProduction() ?? true;
        return FirebaseOptions.Validate(options, isProduction) is { } error
            ? ValidateOptionsResult.Fail(error)
            : ValidateOptionsResult.Success;
    }
}
