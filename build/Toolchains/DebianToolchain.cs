using Crossboard.Host;
using Crossboard.Recipes;

namespace Crossboard.Toolchains;

/// <summary>
/// Debian's cross packages (gcc-mipsel-linux-gnu, libc6-dev-mipsel-cross, ...), resolved to their
/// paths under /usr. On this machine they are installed when missing, with consent; in the
/// builder container (--docker) the image has them, so they are only looked up there.
/// </summary>
public sealed class DebianToolchain(DebianPackages packages, IBuildLog log, ICommandRunner? runner = null)
{
    private readonly ICommandRunner _runner = runner ?? LocalCommandRunner.Instance;

    public ResolvedToolchain Resolve(ToolchainDefinition definition)
    {
        var debian = definition.DebianCross
            ?? throw new ArgumentException($"{definition.Name} is not a Debian toolchain", nameof(definition));
        var local = _runner is LocalCommandRunner;
        if (local)
        {
            packages.Ensure(debian.Packages, $"The {definition.Name} toolchain");
        }

        var triple = debian.Prefix.TrimEnd('-');
        var install = local
            ? $"Install: sudo apt-get install -y {string.Join(' ', debian.Packages)}"
            : $"The builder image lacks them: add {string.Join(' ', debian.Packages)} to docker/builder/Dockerfile.";
        var sysroot = Path.Combine("/usr", triple);
        // One shell for both probes (in --docker mode each is a container start).
        var found = (Probe($"c=$(command -v {debian.Prefix}gcc) && echo \"cc $c\"; test -f {sysroot}/include/stdio.h && echo headers; true") ?? "")
            .Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var cc = found.FirstOrDefault(l => l.StartsWith("cc /", StringComparison.Ordinal))?[3..]
            ?? throw new CrossboardException($"{debian.Prefix}gcc is not on PATH{(local ? "" : " in the builder container")}. {install}");
        var binDir = Path.GetDirectoryName(cc)!;
        if (!found.Contains("headers"))
        {
            throw new CrossboardException($"The {triple} C library headers are missing ({sysroot}/include/stdio.h). {install}");
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

    /// <summary>Runs a fixed shell probe where the tools live (here or in the container); its output, or null.</summary>
    private string? Probe(string script)
    {
        var result = _runner.Run(new ProcessSpec("sh", "-c", script));
        var output = result.StandardOutput.Trim();
        return result.Succeeded && output.Length > 0 ? output : null;
    }
}
