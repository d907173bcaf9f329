using Crossboard.Machine;
using Crossboard.Recipes;

namespace Crossboard.Toolchains;

/// <summary>
/// openwrt-prebuilt: the release's prebuilt SDK for the board's target, downloaded and checked
/// against its sha256sums (<see cref="OpenWrtPrebuiltToolchain"/>). Its table: [openwrt-prebuilt]
/// release, gcc, url and checksums with {release}, {target}, {subtarget}, {gcc} placeholders.
/// </summary>
public sealed class OpenWrtPrebuiltKind : IToolchainKind
{
    public string Name => ToolchainDefinition.OpenWrtPrebuilt;

    public object? TableOf(ToolchainDefinition definition) => definition.Prebuilt;

    public IEnumerable<(string Key, string Message)> Check(ToolchainDefinition definition)
    {
        if (definition.Prebuilt is not { } prebuilt)
        {
            yield break;
        }

        foreach (var (key, url) in new[] { ("url", prebuilt.Url), ("checksums", prebuilt.Checksums) })
        {
            if (!Uri.TryCreate(url.Replace("{", "").Replace("}", ""), UriKind.Absolute, out _))
            {
                yield return ($"openwrt-prebuilt.{key}", $"'{url}' is not an absolute URL.");
            }
        }
    }

    public IEnumerable<string> CheckBoard(Board board, ToolchainDefinition definition) => OpenWrtBoards.Check(board, definition);

    public bool BuildsSdkTree => false;

    public bool IsDebian => false;

    /// <summary>tar, and the decompressor of the archive's format.</summary>
    public IEnumerable<Prerequisite> HostNeeds(ToolchainDefinition definition)
    {
        const string task = HostPrerequisites.BuildToolchain;
        yield return new Prerequisite("tar", "unpack the prebuilt SDK", task, () => HostPrerequisites.OnPath("tar"), ["tar"], "gnu-tar");
        var url = definition.Prebuilt?.Url ?? "";
        if (url.EndsWith(".zst", StringComparison.Ordinal))
        {
            yield return new Prerequisite("zstd", "the SDK archive is .tar.zst", task, () => HostPrerequisites.OnPath("zstd"), ["zstd"], "zstd");
        }
        else if (url.EndsWith(".xz", StringComparison.Ordinal))
        {
            yield return new Prerequisite("xz", "the SDK archive is .tar.xz", task, () => HostPrerequisites.OnPath("xz"), ["xz-utils"], "xz");
        }
    }

    public ToolchainResult Resolve(ToolchainRequest request) =>
        new OpenWrtPrebuiltToolchain(request.Runner, request.Log, request.Http).Resolve(request.WorkDir, request.Board, request.Definition, request.Cancellation);

    /// <summary>
    /// OpenWrt's way, in the unpacked SDK the toolchain came with: feeds (the SDK's
    /// feeds.conf.default names base, packages, ...), .config, `make package/&lt;pkg&gt;/compile` into
    /// its staging_dir (<see cref="OpenWrtTargetLibraries"/>).
    /// </summary>
    public TargetLibraries ProvideCLibraries(CLibrariesRequest request)
    {
        // The toolchain is <sdk>/staging_dir/toolchain-*: the SDK is two folders up.
        var sdk = request.Toolchain.Sysroot is { } toolchainDir ? Path.GetDirectoryName(Path.GetDirectoryName(toolchainDir.TrimEnd('/'))) : null;
        if (sdk is null || !File.Exists(Path.Combine(sdk, "scripts", "feeds")) || !File.Exists(Path.Combine(sdk, "Makefile")))
        {
            throw new CrossboardException(
                $"{request.Libraries[0].Where}: the app's target C libraries are built in the prebuilt SDK, but {sdk ?? request.Toolchain.BinDir} has no scripts/feeds and Makefile: is {request.Definition.SourceFile} pointing at an OpenWrt SDK archive? " +
                "Remove the unpacked SDK under the work dir's toolchains/prebuilt/ and run again.");
        }

        var layout = new Sdk.SdkLayout(request.WorkDir, request.Definition.Name);
        var tree = new OpenWrtBuildTree(sdk, $"the prebuilt SDK {sdk}", "sdk " + Path.GetFileName(sdk), Path.Combine(layout.StampDir, "packages"),
            Path.Combine(request.WorkDir, "locks", "packages-" + Path.GetFileName(sdk)), layout);
        return new OpenWrtTargetLibraries(request.Runner ?? LocalCommandRunner.Instance, request.Log).Provide(request, tree);
    }
}
