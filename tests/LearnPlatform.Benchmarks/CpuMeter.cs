using System.Globalization;

namespace LearnPlatform.Benchmarks;

/// <summary>
/// CPU time spent by this process (and the children it waited for, such as pgbench) and by a PostgreSQL cluster (its
/// postmaster and every backend), read from Linux's /proc. Rates move with whatever else the machine runs; CPU per unit
/// of work moves much less, so it shows what a change saved even on a busy machine.
/// </summary>
internal sealed class CpuMeter(string dataDirectory)
{
    private static readonly double TicksPerSecond = 100; // USER_HZ, 100 on every Linux build .NET supports

    /// <param name="Children">Child processes this one waited for (pgbench).</param>
    public readonly record struct Sample(TimeSpan Process, TimeSpan Children, TimeSpan Postgres)
    {
        public static Sample operator -(Sample after, Sample before) =>
            new(after.Process - before.Process, after.Children - before.Children, after.Postgres - before.Postgres);

        /// <summary>Microseconds of CPU per unit of work: the client's (this process and its children), PostgreSQL's, and both.</summary>
        public string Per(long units, string client, string unit)
        {
            string Micros(TimeSpan total) => (total.TotalMicroseconds / Math.Max(units, 1)).ToString("0", CultureInfo.InvariantCulture);
            return $"{Micros(Process + Children)} µs {client} + {Micros(Postgres)} µs PostgreSQL = {Micros(Process + Children + Postgres)} µs CPU per {unit}";
        }
    }

    public static bool Available => OperatingSystem.IsLinux();

    public Sample Read()
    {
        var self = Stat("self");
        var postgres = TimeSpan.Zero;
        var postmaster = File.ReadLines(Path.Combine(dataDirectory, "postmaster.pid")).First().Trim();
        if (Stat(postmaster) is { } main)
        {
            postgres = main.Own + main.Children;
            foreach (var directory in Directory.EnumerateDirectories("/proc"))
            {
                var pid = Path.GetFileName(directory);
                if (pid.All(char.IsAsciiDigit) && Stat(pid) is { } backend && backend.Parent == postmaster)
                {
                    postgres += backend.Own;
                }
            }
        }
        return new Sample(self?.Own ?? TimeSpan.Zero, self?.Children ?? TimeSpan.Zero, postgres);
    }

    /// <summary>utime + stime, and cutime + cstime (children waited for), from /proc/PID/stat; null if the process is gone.</summary>
    private static (string Parent, TimeSpan Own, TimeSpan Children)? Stat(string pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
        // The command name may hold spaces and parentheses: the fields start after the last ')'.
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        long Ticks(int field) => long.Parse(fields[field - 3], CultureInfo.InvariantCulture);
        return (fields[1], Seconds(Ticks(14) + Ticks(15)), Seconds(Ticks(16) + Ticks(17)));
    }

    private static TimeSpan Seconds(long ticks) => TimeSpan.FromSeconds(ticks / TicksPerSecond);
}
