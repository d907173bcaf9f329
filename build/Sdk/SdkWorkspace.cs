using Crossboard.Machine;

namespace Crossboard.Sdk;

/// <summary>
/// One toolchain definition's tree, locked for this run: CloneSdk opens it, SeedConfig and
/// BuildToolchain reuse it, and BuildToolchain closes it. Holding the lock across the three keeps
/// a parallel run from re-seeding the tree between our defconfig and our build.
/// </summary>
public sealed class SdkWorkspace : IDisposable
{
    /// <summary>How long a run waits for another one that holds the tree (e.g. building its toolchain).</summary>
    public static readonly TimeSpan DefaultLockWait = TimeSpan.FromMinutes(15);

    private readonly WorkDirLock _lock;

    private SdkWorkspace(SdkLayout layout, WorkDirLock held)
    {
        Layout = layout;
        _lock = held;
    }

    public SdkLayout Layout { get; }

    public static SdkWorkspace Open(SdkLayout layout, IBuildLog log, TimeSpan? wait = null) =>
        new(layout, WorkDirLock.Acquire(layout.LockDir, $"sdk:{layout.ToolchainName}", wait ?? DefaultLockWait, log.Information));

    public void Dispose() => _lock.Dispose();
}
