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

    /// <summary>
    /// What a build needs to find the target C libraries a toolchain kind provided, for this build
    /// only: pkg-config's per-target variables as the pkg-config crate reads them (its .pc files in
    /// the sysroot, nothing of the host's), the variables common -sys crates read (SQLITE3_LIB_DIR,
    /// PQ_LIB_DIR, &lt;TRIPLE&gt;_OPENSSL_DIR, ...; with static linking their *_STATIC), and the
    /// headers on every C compile of the target. With <see cref="LinkFlags"/>.
    /// </summary>
    public static Dictionary<string, string?> ForLibraries(string triple, ResolvedToolchain toolchain, TargetLibraries libraries)
    {
        var env = new Dictionary<string, string?>(StringComparer.Ordinal);
        var underscored = triple.Replace('-', '_');
        var pkgConfig = string.Join(':', libraries.PkgConfigDirs);
        env["PKG_CONFIG_ALLOW_CROSS"] = "1";
        env[$"PKG_CONFIG_PATH_{underscored}"] = pkgConfig;
        env[$"PKG_CONFIG_LIBDIR_{underscored}"] = pkgConfig;
        env[$"PKG_CONFIG_SYSROOT_DIR_{underscored}"] = libraries.Sysroot;

        var libDir = libraries.LibDirs[0];
        var includeDir = libraries.IncludeDirs[0];
        var prefix = Path.GetDirectoryName(includeDir)!;
        foreach (var library in libraries.Libraries)
        {
            foreach (var (key, value) in library.CrateVariables(triple, libDir, includeDir, prefix, libraries.Static))
            {
                env[key] = value;
            }
        }

        // After the toolchain's own flags: the libraries' headers for cc-rs and the -sys crates' C.
        var flags = toolchain.CFlags.Concat(libraries.IncludeDirs.Where(Directory.Exists).SelectMany(d => new[] { "-isystem", d }));
        env[$"CFLAGS_{underscored}"] = string.Join(' ', flags);
        env[$"CXXFLAGS_{underscored}"] = string.Join(' ', flags);
        return env;
    }

    /// <summary>
    /// rustc flags for the target only: the sysroot's library folders to search (-L native=) and,
    /// for shared libraries that need others, to resolve those from (-rpath-link), never the host's.
    /// </summary>
    public static IReadOnlyList<string> LinkFlags(TargetLibraries libraries) =>
        libraries.LibDirs.Where(Directory.Exists)
            .SelectMany(d => new[] { "-L", "native=" + d, "-C", "link-arg=-Wl,-rpath-link," + d })
            .ToList();

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
