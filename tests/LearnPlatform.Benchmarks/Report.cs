using System.Globalization;

namespace LearnPlatform.Benchmarks;

/// <summary>One line per figure: the target it belongs to, what was measured, the value, and its ratio to the yardstick.</summary>
internal static class Report
{
    public static void Machine(bool durable) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"# PostgreSQL private cluster ({(durable ? "fsync on, synchronous_commit on" : "fsync off")}), {Environment.ProcessorCount} cores, .NET {Environment.Version}, {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC"));

    public static void Line(string goal, string measure, string value, double ratio, double atLeast, string yardstick) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{goal} | {measure} | {value} | {ratio:0.000} x {yardstick} | target at least {atLeast:0.0###} x: {(ratio >= atLeast ? "met" : "NOT met")}"));

    public static void Line(string goal, string measure, string value, string bound, bool met) =>
        Console.WriteLine($"{goal} | {measure} | {value} | - | target {bound}: {(met ? "met" : "NOT met")}");

    public static void Line(string goal, string measure, string value) =>
        Console.WriteLine($"{goal} | {measure} | {value} | 1 | -");

    public static double Percentile(List<double> sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}
