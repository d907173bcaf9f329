using Xunit.v3;

namespace Crossboard.Tests.Support;

/// <summary>
/// What a test class needs to run, heaviest need first wins: the value of its "Tier" trait, which
/// the runner filters on (docs/testing.md: `dotnet test --project tests/Tests.csproj --filter "Tier=Unit"`).
/// Every test class carries exactly one <see cref="TierAttribute"/>; a test checks that.
/// </summary>
public enum TestTier
{
    /// <summary>
    /// No root, no servers, no namespaces, no emulator, cross build or container, and each test well
    /// under a second (in-process, or a short run of the built program or of a small tool): the
    /// whole tier runs in seconds.
    /// </summary>
    Unit,

    /// <summary>
    /// Real tools on miniature inputs, no root and no servers: git, make and Kconfig on the mini
    /// SDK (tests/Fixtures/MiniSdk), apt-get's dry runs; one to four seconds a test.
    /// </summary>
    Integration,

    /// <summary>Needs root (loop mounts, FUSE, owning files as another user), but starts no server and no namespace.</summary>
    NeedsRoot,

    /// <summary>
    /// Starts the deploy tests' devices: real sshd and dropbear, each in mount and pid namespaces of
    /// its own (unshare, as root), with busybox as the device's userland.
    /// </summary>
    NeedsNamespaces,

    /// <summary>End to end and slow: boots the emulator, cross-compiles with cargo, runs containers, or sets up a fresh machine; minutes.</summary>
    Slow,
}

/// <summary>The tier of a test class (<see cref="TestTier"/>): the trait "Tier" with the tier's name as its value.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class TierAttribute(TestTier tier) : Attribute, ITraitAttribute
{
    public const string TraitName = "Tier";

    public TestTier Tier { get; } = tier;

    public IReadOnlyCollection<KeyValuePair<string, string>> GetTraits() => [new(TraitName, Tier.ToString())];
}
