using Crossboard.Recipes;
using Crossboard.Toolchains;

namespace Crossboard.Cargo;

/// <summary>
/// The environment a cross build needs beyond cargo's own config, so that crates with C code
/// (cc-rs, pkg-config, *-sys crates: the seed's author hit this with Diesel/Postgres) compile for
/// the board too: the linker, <c>CC_&lt;triple&gt;</c>/<c>AR_&lt;triple&gt;</c>/<c>CFLAGS_&lt;triple&gt;</c>
/// in both spellings cc-rs reads, the toolchain's own variables (STAGING_DIR for OpenWrt's), and
/// pkg-config pointed at the target's libraries instead of the host's.
/// </summary>
public static class CargoEnvironment
{
    public static Dictionary<string, string?> For(string triple, ResolvedToolchain toolchain, bool debianMultiarch)
    {
        var env = new Dictionary<string, string?>(StringComparer.Ordinal);
        var upper = TargetTriple.EnvName(triple);
        var underscored = triple.Replace('-', '_');

        env[$"CARGO_TARGET_{upper}_LINKER"] = toolchain.CC;
        foreach (var spelling in new[] { triple, underscored })
        {
            env[$"CC_{spelling}"] = toolchain.CC;
            env[$"AR_{spelling}"] = toolchain.AR;
            if (CxxBeside(toolchain.CC) is { } cxx)
            {
                env[$"CXX_{spelling}"] = cxx;
            }
        }

        if (toolchain.CFlags.Count > 0)
        {
            var flags = string.Join(' ', toolchain.CFlags);
            env[$"CFLAGS_{underscored}"] = flags;
            env[$"CXXFLAGS_{underscored}"] = flags;
        }

        foreach (var (key, value) in toolchain.Environment)
        {
            env[key] = value;
        }

        // pkg-config refuses to answer for a cross target unless told it may, and must then look
        // at the target's .pc files: Debian's multiarch dirs, or the toolchain's sysroot.
        env["PKG_CONFIG_ALLOW_CROSS"] = "1";
        if (debianMultiarch)
        {
            env[$"PKG_CONFIG_LIBDIR_{underscored}"] = $"/usr/lib/{toolchain.GnuTarget}/pkgconfig:/usr/share/pkgconfig";
        }
        else if (!string.IsNullOrEmpty(toolchain.Sysroot))
        {
            env[$"PKG_CONFIG_SYSROOT_DIR_{underscored}"] = toolchain.Sysroot;
            env[$"PKG_CONFIG_LIBDIR_{underscored}"] = $"{toolchain.Sysroot}/usr/lib/pkgconfig:{toolchain.Sysroot}/usr/share/pkgconfig";
        }

        return env;
    }

    /// <summary>The C++ compiler next to the C one (mipsel-linux-gnu-gcc -> mipsel-linux-gnu-g++), if installed.</summary>
    private static string? CxxBeside(string cc)
    {
        if (!cc.EndsWith("gcc", StringComparison.Ordinal))
        {
            return null;
        }

        var cxx = cc[..^3] + "g++";
        return File.Exists(cxx) ? cxx : null;
    }
}

/// <summary>
/// The size profile for small-flash boards (the Omega2 has 16 MB; the seed's binary was 17 MB):
/// set through cargo's CARGO_PROFILE_RELEASE_* variables so that the user's Cargo.toml is never
/// edited; config values override the manifest's [profile.release] for this build only.
/// </summary>
public static class SizeProfile
{
    public static readonly IReadOnlyDictionary<string, string> Settings = new Dictionary<string, string>
    {
        ["CARGO_PROFILE_RELEASE_OPT_LEVEL"] = "z",
        ["CARGO_PROFILE_RELEASE_LTO"] = "true",
        ["CARGO_PROFILE_RELEASE_CODEGEN_UNITS"] = "1",
        ["CARGO_PROFILE_RELEASE_PANIC"] = "abort",
        ["CARGO_PROFILE_RELEASE_STRIP"] = "true",
        ["CARGO_PROFILE_RELEASE_DEBUG"] = "false",
    };

    public static string Describe => "opt-level=z, lto, codegen-units=1, panic=abort, strip";
}
