using Crossboard.Host;
using Crossboard.Recipes;

namespace Crossboard.Toolchains;

/// <summary>
/// Debian's cross packages (gcc-mipsel-linux-gnu, libc6-dev-mipsel-cross, ...): installed when
/// missing, with consent, and resolved to their paths under /usr.
/// </summary>
public sealed class DebianToolchain(DebianPackages packages, IBuildLog log)
{
    public ResolvedToolchain Resolve(ToolchainDefinition definition)
    {
        var debian = definition.DebianCross
            ?? throw new ArgumentException($"{definition.Name} is not a Debian toolchain", nameof(definition));
        packages.Ensure(debian.Packages, $"The {definition.Name} toolchain");

        var triple = debian.Prefix.TrimEnd('-');
        var cc = ProcessRunner.Which(debian.Prefix + "gcc")
            ?? throw new CrossboardException($"{debian.Prefix}gcc is not on PATH although {string.Join(", ", debian.Packages)} are installed; check PATH includes /usr/bin.");
        var binDir = Path.GetDirectoryName(cc)!;
        var sysroot = Path.Combine("/usr", triple);
        if (!File.Exists(Path.Combine(sysroot, "include", "stdio.h")))
        {
            throw new CrossboardException($"The {triple} C library headers are missing ({sysroot}/include/stdio.h). Install: sudo apt-get install -y {string.Join(' ', debian.Packages)}");
        }

        log.Verbose($"Toolchain {definition.Name}: {cc}");
        return new ResolvedToolchain(
            definition.Name,
            definition.Libc,
            triple,
            binDir,
            cc,
            Path.Combine(binDir, debian.Prefix + "ar"),
            Path.Combine(binDir, debian.Prefix + "strip"),
            sysroot,
            new Dictionary<string, string>(),
            debian.Cflags);
    }
}
