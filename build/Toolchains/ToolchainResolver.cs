using Crossboard.FastPath;
using Crossboard.Machine;
using Crossboard.Recipes;
using Crossboard.Sdk;

namespace Crossboard.Toolchains;

/// <summary>
/// The SDK stage's single exit: whatever the toolchain's kind (<see cref="IToolchainKind"/>), one
/// <see cref="ResolvedToolchain"/>: openwrt-source builds (or reuses) the seeded tree's toolchain,
/// openwrt-prebuilt downloads and verifies the release's SDK, debian locates Debian's cross gcc.
/// </summary>
public sealed class ToolchainResolver(ICommandRunner runner, IBuildLog log, Consent consent)
{
    public HttpClient? Http { get; init; }

    /// <summary>make's -j for an openwrt-source build.</summary>
    public int Jobs { get; init; } = Environment.ProcessorCount;

    /// <param name="workspace">The locked SDK tree (openwrt-source only); opened here when null.</param>
    public ToolchainResult Resolve(Board board, ToolchainDefinition definition, string workDir, SdkWorkspace? workspace = null,
        CancellationToken cancellation = default) =>
        ToolchainKinds.Of(definition).Resolve(new ToolchainRequest(board, definition, workDir, runner, log, consent, workspace, Http, Jobs, cancellation));
}
