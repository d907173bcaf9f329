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

    /// <summary>Not yet: OpenWrt's way (feeds, make package/&lt;pkg&gt;/compile into staging_dir) is to come.</summary>
    public TargetLibraries ProvideCLibraries(CLibrariesRequest request) =>
        throw CLibrariesNotProvided.For(this, request,
            $"build them into the SDK's staging_dir yourself ((cd <sdk> && ./scripts/feeds update -a && ./scripts/feeds install <package> && make package/<package>/compile), the packages being {string.Join(", ", request.Libraries.Select(l => l.Library.OpenWrtPackage))}) and remove them from c-libraries.");
}
