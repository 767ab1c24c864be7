using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace LearnPlatform.Core.Telemetry;

/// <summary>The application's own spans and metrics (the workflow engine has its own: WorkflowTelemetry).</summary>
public static class AppTelemetry
{
    public const string Name = "LearnPlatform";

    private static readonly Meter Meter = new(Name);

    private static readonly Counter<double> AiSpend = Meter.CreateCounter<double>(
        "learnplatform.ai.spend.usd", "{USD}", "What Gemini calls cost at the configured prices, in US dollars (the tenant is not a label)");
    private static readonly Counter<long> AiTokens = Meter.CreateCounter<long>(
        "learnplatform.ai.tokens", "{token}", "Gemini tokens billed, by gen_ai.token.type (input, output)");

    public static void RecordAiSpend(decimal usd, long inputTokens, long outputTokens)
    {
        AiSpend.Add((double)usd);
        AiTokens.Add(inputTokens, new KeyValuePair<string, object?>("gen_ai.token.type", "input"));
        AiTokens.Add(outputTokens, new KeyValuePair<string, object?>("gen_ai.token.type", "output"));
    }

    /// <summary>Model and token counts on the current span (an AI grading step, or an AI route's request).</summary>
    public static void TagAiCall(string model, int inputTokens, int outputTokens)
    {
        if (Activity.Current is { } span)
        {
            span.SetTag("gen_ai.system", "gemini");
            span.SetTag("gen_ai.request.model", model);
            span.SetTag("gen_ai.usage.input_tokens", inputTokens);
            span.SetTag("gen_ai.usage.output_tokens", outputTokens);
        }
    }

    /// <summary>
    /// Language and test counts on the current span (a code grading step). The code, the calls and the values are
    /// never attributes: only counts.
    /// </summary>
    public static void TagCodeGrading(string language, int tests, int passed)
    {
        if (Activity.Current is { } span)
        {
            span.SetTag("learnplatform.code.language", language);
            span.SetTag("learnplatform.code.tests", tests);
            span.SetTag("learnplatform.code.tests_passed", passed);
        }
    }
}
