using Crossboard.Machine;
using Crossboard.Recipes;
using Crossboard.Sdk;

namespace Crossboard.Toolchains;

/// <summary>
/// openwrt-source: the seed's way. The OpenWrt tree cloned at a pinned ref, seeded with the
/// board's .config, and `make toolchain/install` (<see cref="OpenWrtSourceToolchain"/>). Its
/// table: [openwrt-source] git, ref, optional config lines.
/// </summary>
public sealed class OpenWrtSourceKind : IToolchainKind
{
    public string Name => ToolchainDefinition.OpenWrtSource;

    public object? TableOf(ToolchainDefinition definition) => definition.Source;

    public IEnumerable<(string Key, string Message)> Check(ToolchainDefinition definition) =>
        definition.Source is { } source
            ? source.Config.Where(l => !RecipeCatalog.IsSeedLine(l))
                .Select(l => ("openwrt-source.config", $"'{l}' is not a seed line: write CONFIG_NAME=value or '# CONFIG_NAME is not set'."))
            : [];

    public IEnumerable<string> CheckBoard(Board board, ToolchainDefinition definition) => OpenWrtBoards.Check(board, definition);

    public bool BuildsSdkTree => true;

    public bool IsDebian => false;

    /// <summary>git to clone the tree; then what OpenWrt 24.10's own prerequisite check asks for, before make runs in it.</summary>
    public IEnumerable<Prerequisite> HostNeeds(ToolchainDefinition definition)
    {
        yield return new Prerequisite("git", "clone the OpenWrt tree", HostPrerequisites.CloneSdk, () => HostPrerequisites.OnPath("git"), ["git"], "git");
        foreach (var need in OpenWrtPrerequisites.For(HostPrerequisites.SeedConfig).Where(p => p.Name != "git"))
        {
            yield return need with { Tasks = [HostPrerequisites.SeedConfig, HostPrerequisites.BuildToolchain] };
        }
    }

    public ToolchainResult Resolve(ToolchainRequest request)
    {
        var owned = request.Workspace is null ? SdkWorkspace.Open(new SdkLayout(request.WorkDir, request.Definition.Name), request.Log) : null;
        try
        {
            return new OpenWrtSourceToolchain(request.Runner, request.Log) { Jobs = request.Jobs }
                .Resolve(request.Workspace ?? owned!, request.Definition, request.Cancellation);
        }
        finally
        {
            owned?.Dispose();
        }
    }

    /// <summary>
    /// OpenWrt's way, in the tree BuildToolchain built the toolchain in: feeds, .config, `make
    /// package/&lt;pkg&gt;/compile` into its staging_dir (<see cref="OpenWrtTargetLibraries"/>).
    /// </summary>
    public TargetLibraries ProvideCLibraries(CLibrariesRequest request)
    {
        var layout = new SdkLayout(request.WorkDir, request.Definition.Name);
        var runner = request.Runner ?? LocalCommandRunner.Instance;
        var commit = File.Exists(layout.DotConfig) ? new Cake.Git.GitClient(runner).Head(layout.TreeDir) : null;
        if (commit is null)
        {
            throw new CrossboardException(
                $"{request.Libraries[0].Where}: the app's target C libraries are built in the OpenWrt tree {layout.TreeDir}, which is not cloned and seeded. Run without --exclusive, so that CloneSdk, SeedConfig and BuildToolchain run first.");
        }

        var tree = new OpenWrtBuildTree(layout.TreeDir, $"the OpenWrt tree {layout.TreeDir}", commit, Path.Combine(layout.StampDir, "packages"), layout.LockDir, layout,
            (before, after) => ConfigSeeder.CarryVerification(layout, before, after));
        return new OpenWrtTargetLibraries(runner, request.Log).Provide(request, tree);
    }
}

/// <summary>What both OpenWrt kinds ask of a board: its [openwrt] symbols.</summary>
internal static class OpenWrtBoards
{
    public static IEnumerable<string> Check(Board board, ToolchainDefinition definition)
    {
        if (board.Openwrt is null)
        {
            yield return $"toolchain '{definition.Name}' is an OpenWrt SDK, so the board needs an [openwrt] table (target, subtarget, device).";
        }
    }
}
