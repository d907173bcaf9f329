namespace Crossboard.Toolchains;

/// <summary>
/// The SDK stage's result, whatever the toolchain's kind: where the C cross tools are and the
/// environment they need. The cargo stage consumes only this.
/// </summary>
/// <param name="Definition">The toolchain definition's name (toolchains/&lt;name&gt;.toml).</param>
/// <param name="Libc">musl or gnu: what the tools link against.</param>
/// <param name="GnuTarget">The tools' own triple: mipsel-openwrt-linux-musl, mipsel-linux-gnu.</param>
/// <param name="BinDir">The folder holding the tools.</param>
/// <param name="CC">C compiler (also the linker cargo is given).</param>
/// <param name="AR">Archiver.</param>
/// <param name="Strip">Strip, for the size profile's fallback and artifact checks.</param>
/// <param name="Sysroot">The target's sysroot (headers, libs), when known.</param>
/// <param name="Environment">What the tools need set, e.g. STAGING_DIR for OpenWrt's.</param>
/// <param name="CFlags">Flags the board needs on every C compile (e.g. -march=armv6).</param>
public sealed record ResolvedToolchain(
    string Definition,
    string Libc,
    string GnuTarget,
    string BinDir,
    string CC,
    string AR,
    string Strip,
    string? Sysroot,
    IReadOnlyDictionary<string, string> Environment,
    IReadOnlyList<string> CFlags);
