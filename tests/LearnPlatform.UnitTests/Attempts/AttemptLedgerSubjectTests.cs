using LearnPlatform.Core.Attempts;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace LearnPlatform.UnitTests.Attempts;

public sealed class AttemptLedgerSubjectTests
{
    private static readonly Guid Tenant = Guid.CreateVersion7();
    private static readonly Guid Paper = Guid.CreateVersion7();

    private static AttemptLedger Ledger(string? key) => new(
        Options.Create(new AttemptLedgerOptions { AttemptLedgerKey = key }),
        new HostingEnvironment { EnvironmentName = Environments.Production },
        NullLogger<AttemptLedger>.Instance);

    [Fact]
    public void TheSubjectIsThirtyTwoBytesAndTheSameForTheSameCandidateAndPaper()
    {
        var ledger = Ledger(new string('k', 32));

        Assert.Equal(32, ledger.SubjectOf(Tenant, "uid-1", Paper).Length);
        Assert.Equal(ledger.SubjectOf(Tenant, "uid-1", Paper), ledger.SubjectOf(Tenant, "uid-1", Paper));
    }

    [Fact]
    public void AnotherTenantUidPaperOrKeyGivesAnotherSubject()
    {
        var ledger = Ledger(new string('k', 32));
        var subject = ledger.SubjectOf(Tenant, "uid-1", Paper);

        Assert.NotEqual(subject, ledger.SubjectOf(Guid.CreateVersion7(), "uid-1", Paper));
        Assert.NotEqual(subject, ledger.SubjectOf(Tenant, "uid-2", Paper));
        Assert.NotEqual(subject, ledger.SubjectOf(Tenant, "uid-1", Guid.CreateVersion7()));
        Assert.NotEqual(subject, Ledger(new string('j', 32)).SubjectOf(Tenant, "uid-1", Paper));
        Assert.NotEqual(subject, Ledger(null).SubjectOf(Tenant, "uid-1", Paper));
    }
}
