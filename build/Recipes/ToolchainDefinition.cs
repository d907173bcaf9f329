using Tomlyn.Serialization;

namespace Crossboard.Recipes;

/// <summary>One way of getting a C cross toolchain, as <c>toolchains/&lt;name&gt;.toml</c> describes it.</summary>
public sealed class ToolchainDefinition
{
    public const string OpenWrtSource = "openwrt-source";
    public const string OpenWrtPrebuilt = "openwrt-prebuilt";
    public const string Debian = "debian";

    [TomlRequired] public string Name { get; init; } = "";
    [TomlRequired] public string Description { get; init; } = "";
    /// <summary>openwrt-source, openwrt-prebuilt or debian; names the section that must be present.</summary>
    [TomlRequired] public string Kind { get; init; } = "";
    /// <summary>musl or gnu: the C library the toolchain links against.</summary>
    [TomlRequired] public string Libc { get; init; } = "";

    [TomlPropertyName("openwrt-source")] public OpenWrtSourceSettings? Source { get; init; }
    [TomlPropertyName("openwrt-prebuilt")] public OpenWrtPrebuiltSettings? Prebuilt { get; init; }
    [TomlPropertyName("debian")] public DebianCrossSettings? DebianCross { get; init; }

    [TomlIgnore] public string SourceFile { get; set; } = "";
}

public sealed class OpenWrtSourceSettings
{
    [TomlRequired] public string Git { get; init; } = "";
    /// <summary>The pinned tag or commit, e.g. v24.10.8.</summary>
    [TomlRequired] public string Ref { get; init; } = "";
    /// <summary>Seed lines added to every board's, e.g. CONFIG_MAKE_TOOLCHAIN=y.</summary>
    public List<string> Config { get; init; } = new();
}

public sealed class OpenWrtPrebuiltSettings
{
    [TomlRequired] public string Release { get; init; } = "";
    [TomlRequired] public string Gcc { get; init; } = "";
    /// <summary>URL with {release}, {target}, {subtarget}, {gcc} placeholders.</summary>
    [TomlRequired] public string Url { get; init; } = "";
    /// <summary>The release's sha256sums file beside the archive ("&lt;sha256&gt; *&lt;file&gt;" lines).</summary>
    [TomlRequired] public string Checksums { get; init; } = "";
}

public sealed class DebianCrossSettings
{
    /// <summary>Debian's name for the architecture: mipsel, armhf, arm64.</summary>
    [TomlRequired] public string Arch { get; init; } = "";
    /// <summary>Host packages that give the compiler and the target's C library headers.</summary>
    [TomlRequired] public List<string> Packages { get; init; } = new();
    /// <summary>The tools' prefix, e.g. mipsel-linux-gnu- (gcc, ar, strip follow it).</summary>
    [TomlRequired] public string Prefix { get; init; } = "";
    /// <summary>The package whose multiarch copy holds Rust's std for this arch (libstd-rust-dev).</summary>
    public string RustStdPackage { get; init; } = "libstd-rust-dev";
    /// <summary>Compiler flags the board needs beyond the toolchain's defaults (e.g. -march).</summary>
    public List<string> Cflags { get; init; } = new();
}
