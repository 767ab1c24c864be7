namespace LearnPlatform.LocalDev.LocalPostgres;

/// <summary>Finds initdb and pg_ctl: PG_BIN first, then PATH, then Debian's /usr/lib/postgresql/N/bin.</summary>
public static class PostgresBinaries
{
    public static string FindBinDirectory()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("PG_BIN");
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return HasTools(fromEnvironment)
                ? fromEnvironment
                : throw new LocalPostgresException($"PG_BIN={fromEnvironment} does not contain initdb and pg_ctl.");
        }

        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var initdb = Path.Combine(directory, "initdb");
            if (File.Exists(initdb))
            {
                // Debian links initdb into /usr/local/bin; pg_ctl must find postgres beside the real binary.
                var real = new FileInfo(initdb).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? initdb;
                var realDirectory = Path.GetDirectoryName(real)!;
                if (HasTools(realDirectory))
                {
                    return realDirectory;
                }
            }
        }

        const string debianRoot = "/usr/lib/postgresql";
        if (Directory.Exists(debianRoot))
        {
            var newest = Directory.GetDirectories(debianRoot)
                .Select(d => Path.Combine(d, "bin"))
                .Where(HasTools)
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
                .FirstOrDefault();
            if (newest is not null)
            {
                return newest;
            }
        }

        throw new LocalPostgresException(
            "PostgreSQL binaries not found: install PostgreSQL (initdb and pg_ctl on PATH, or PG_BIN=<bin dir>), or set ConnectionStrings__Postgres.");
    }

    private static bool HasTools(string directory) =>
        File.Exists(Path.Combine(directory, "initdb")) && File.Exists(Path.Combine(directory, "pg_ctl")) && File.Exists(Path.Combine(directory, "postgres"));
}

public sealed class LocalPostgresException(string message) : Exception(message);
