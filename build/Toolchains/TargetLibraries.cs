using Crossboard.Machine;
using Crossboard.Recipes;

namespace Crossboard.Toolchains;

/// <summary>What a toolchain kind is asked for when an app declares target C libraries.</summary>
/// <param name="Libraries">The libraries the app declares, with where (its Cargo.toml and line).</param>
/// <param name="Static">The board links statically (its libc differs from the toolchain's): the libraries' archives are needed.</param>
/// <param name="Runner">Where the kind's commands run (the builder container with --docker); this machine when null.</param>
public sealed record CLibrariesRequest(
    Board Board,
    ToolchainDefinition Definition,
    ResolvedToolchain Toolchain,
    IReadOnlyList<Cargo.DeclaredCLibrary> Libraries,
    bool Static,
    string WorkDir,
    IBuildLog Log,
    CancellationToken Cancellation = default,
    ICommandRunner? Runner = null);

/// <summary>
/// The target C libraries, ready for a build: a sysroot holding their headers, libraries and
/// pkg-config files for the target, and where in it each kind of file is.
/// </summary>
/// <param name="Sysroot">The root of the target's files (pkg-config's sysroot dir; qemu-user's -L for a dynamic binary).</param>
/// <param name="LibDirs">Where the libraries are (linker -L and -rpath-link).</param>
/// <param name="IncludeDirs">Where their headers are.</param>
/// <param name="PkgConfigDirs">Where their .pc files are.</param>
/// <param name="Static">Whether the build links them statically.</param>
/// <param name="Reused">Nothing was fetched: the sysroot was complete already.</param>
/// <param name="SysrootHasLibc">The sysroot holds the target's loader and libc too (Debian's: the runtime packages come along), so qemu-user can take it as the target's root; otherwise (OpenWrt's staging_dir) the toolchain's sysroot is the root and the libraries are found through LD_LIBRARY_PATH.</param>
/// <param name="EmulatedDeviceOnly">Linked dynamically against Debian's libraries although the board links statically (a library has no usable archive): the build runs on the board's emulated device, not on the real board.</param>
public sealed record TargetLibraries(
    IReadOnlyList<CLibrary> Libraries,
    string Sysroot,
    IReadOnlyList<string> LibDirs,
    IReadOnlyList<string> IncludeDirs,
    IReadOnlyList<string> PkgConfigDirs,
    bool Static,
    bool Reused,
    bool EmulatedDeviceOnly = false,
    bool SysrootHasLibc = true);

/// <summary>The answer of a toolchain kind that cannot provide target C libraries yet: a clear error, never a silent no-op.</summary>
public static class CLibrariesNotProvided
{
    public static CrossboardException For(IToolchainKind kind, CLibrariesRequest request, string howToDoItByHand)
    {
        var first = request.Libraries[0];
        var names = string.Join(", ", request.Libraries.Select(l => l.Library.Name));
        var others = request.Board.Toolchain.Allowed.Where(t => t != request.Definition.Name).ToList();
        return new CrossboardException(
            $"{first.Where}: the app declares the target C libraries {names}, and crossboard does not provide target C libraries for " +
            $"{kind.Name} toolchains yet (toolchain '{request.Definition.Name}', board {request.Board.Name}). What to do: build with a Debian toolchain, " +
            $"which fetches them for the target{(others.Count > 0 ? $" (this board allows: {string.Join(", ", others)}; --toolchain=NAME)" : "")}, or {howToDoItByHand}");
    }
}
