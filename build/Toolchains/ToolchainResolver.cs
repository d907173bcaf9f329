using Crossboard.FastPath;
using Crossboard.Machine;
using Crossboard.Recipes;
using Crossboard.Sdk;

namespace Crossboard.Toolchains;

/// <summary>
/// The SDK stage's single exit: whatever the toolchain's kind, one <see cref="ResolvedToolchain"/>.
/// openwrt-source builds (or reuses) the seeded tree's toolchain, openwrt-prebuilt downloads and
/// verifies the release's SDK, debian installs (with consent) and locates Debian's cross gcc.
/// </summary>
public sealed class ToolchainResolver(ICommandRunner runner, IBuildLog log, Consent consent)
{
    public HttpClient? Http { get; init; }

    /// <summary>make's -j for an openwrt-source build.</summary>
    public int Jobs { get; init; } = Environment.ProcessorCount;

    /// <param name="workspace">The locked SDK tree (openwrt-source only); opened here when null.</param>
    public ToolchainResult Resolve(Board board, ToolchainDefinition definition, string workDir, SdkWorkspace? workspace = null,
        CancellationToken cancellation = default)
    {
        switch (definition.Kind)
        {
            case ToolchainDefinition.OpenWrtSource:
                var owned = workspace is null ? SdkWorkspace.Open(new SdkLayout(workDir, definition.Name), log) : null;
                try
                {
                    return new OpenWrtSourceToolchain(runner, log) { Jobs = Jobs }.Resolve(workspace ?? owned!, definition, cancellation);
                }
                finally
                {
                    owned?.Dispose();
                }

            case ToolchainDefinition.OpenWrtPrebuilt:
                return new OpenWrtPrebuiltToolchain(runner, log, Http).Resolve(workDir, board, definition, cancellation);

            case ToolchainDefinition.Debian:
                // Probe answers are kept in the work dir for this machine's look-ups only.
                var probes = ProbeCache.For(runner, workDir);
                var packages = new DebianPackages(consent, log.Information) { Probes = probes };
                var missing = DebianPackages.IsAvailable ? packages.Missing(definition.DebianCross?.Packages ?? []) : [];
                var resolved = new DebianToolchain(packages, log, runner) { Probes = probes }.Resolve(definition);
                log.Information($"Toolchain {definition.Name}: {resolved.CC}");
                return new ToolchainResult(resolved, Reused: missing.Count == 0);

            default:
                throw new CrossboardException($"{definition.SourceFile}: toolchain kind '{definition.Kind}' is not one crossboard knows ({string.Join(", ", ToolchainDefinition.Kinds)}).");
        }
    }
}
