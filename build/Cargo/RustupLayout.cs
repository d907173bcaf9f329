namespace Crossboard.Cargo;

/// <summary>
/// What rustup has installed, read from its folders (no process): a channel's toolchain is
/// <c>&lt;home&gt;/toolchains/&lt;channel&gt;-&lt;host triple&gt;</c>; a dated one
/// (nightly-2024-01-01-...) is another toolchain, which "rustup run nightly" does not use.
/// </summary>
public static class RustupLayout
{
    public static string DefaultHome =>
        Environment.GetEnvironmentVariable("RUSTUP_HOME") is { Length: > 0 } home
            ? home
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".rustup");

    /// <summary>The channel's toolchain has the target's prebuilt std.</summary>
    public static bool HasStd(string home, string channel, string target) =>
        Toolchains(home, channel).Any(t =>
        {
            var lib = Path.Combine(t, "lib", "rustlib", target, "lib");
            return Directory.Exists(lib) && Directory.EnumerateFiles(lib, "libstd-*.rlib").Any();
        });

    /// <summary>The channel's toolchain has the rust-src component (what -Zbuild-std compiles std from).</summary>
    public static bool HasRustSrc(string home, string channel) =>
        Toolchains(home, channel).Any(t => Directory.Exists(Path.Combine(t, "lib", "rustlib", "src", "rust", "library")));

    private static IEnumerable<string> Toolchains(string home, string channel)
    {
        var dir = Path.Combine(home, "toolchains");
        if (!Directory.Exists(dir))
        {
            return [];
        }

        return Directory.EnumerateDirectories(dir, channel + "-*")
            .Where(t => Path.GetFileName(t)[(channel.Length + 1)..] is { Length: > 0 } rest && !char.IsDigit(rest[0]));
    }
}
