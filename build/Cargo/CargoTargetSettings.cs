using Crossboard.Recipes;
using Crossboard.Toolchains;

namespace Crossboard.Cargo;

/// <summary>
/// What cargo needs to know about the board's target, as <c>[target.&lt;triple&gt;]</c> in the app's
/// <c>.cargo/config.toml</c>: the linker (the toolchain's C compiler), the rustflags the board
/// needs, and a runner so that <c>cargo run --target</c> runs the binary under qemu-user.
/// </summary>
/// <param name="Triple">The Rust target.</param>
/// <param name="Linker">The cross C compiler, which links for rustc.</param>
/// <param name="Rustflags">+crt-static when the device's libc differs from the toolchain's, then the recipe's rustflags.</param>
/// <param name="Runner">qemu-user for the board's CPU, with the toolchain's sysroot for dynamic binaries.</param>
/// <param name="Static">Whether the binary is linked statically (the device's libc differs from the toolchain's).</param>
public sealed record CargoTargetSettings(string Triple, string Linker, IReadOnlyList<string> Rustflags, IReadOnlyList<string> Runner, bool Static)
{
    public const string CrtStatic = "target-feature=+crt-static";

    /// <param name="libraries">The app's target C libraries, when it declares any: a dynamic build runs with their sysroot as its root.</param>
    public static CargoTargetSettings For(Board board, ResolvedToolchain toolchain, string triple, TargetLibraries? libraries = null)
    {
        // A glibc-linked binary asks for /lib/ld.so.1, which a musl device (OpenWrt) does not
        // have, and the other way round: static linking carries the toolchain's libc along.
        // Unless a C library the app links cannot be linked statically and the board's emulated
        // device runs the toolchain's libc (TargetLibraries.EmulatedDeviceOnly).
        var linkStatically = !string.Equals(board.System.Libc, toolchain.Libc, StringComparison.Ordinal) && libraries is not { EmulatedDeviceOnly: true };
        var rustflags = new List<string>();
        if (linkStatically)
        {
            rustflags.AddRange(["-C", CrtStatic]);
        }

        rustflags.AddRange(board.Rust.Rustflags);

        var runner = new List<string> { QemuUser(board.Cpu.Arch) };
        if (!linkStatically && libraries is { Static: false, SysrootHasLibc: true })
        {
            // It holds the target's loader and libc beside the libraries: a whole root for qemu-user.
            runner.AddRange(["-L", libraries.Sysroot]);
        }
        else if (!linkStatically && libraries is { Static: false } && !string.IsNullOrEmpty(toolchain.Sysroot))
        {
            // The toolchain's root has the loader and libc; the target's loader finds the
            // libraries through LD_LIBRARY_PATH (qemu-user's -E sets it for the target only).
            runner.AddRange(["-L", toolchain.Sysroot, "-E", "LD_LIBRARY_PATH=" + string.Join(':', libraries.LibDirs)]);
        }
        else if (!string.IsNullOrEmpty(toolchain.Sysroot))
        {
            // Where qemu finds the loader and shared libraries of a dynamically linked binary.
            runner.AddRange(["-L", toolchain.Sysroot]);
        }

        return new CargoTargetSettings(triple, toolchain.CC, rustflags, runner, linkStatically);
    }

    /// <summary>The qemu-user program for a board CPU arch (package qemu-user on Debian).</summary>
    public static string QemuUser(string arch) => CpuArchitectures.Find(arch)?.QemuUser ?? "qemu-" + arch;
}
