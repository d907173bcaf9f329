using Crossboard.FastPath;
using Crossboard.Machine;
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

    /// <summary>
    /// Where the compiler look-up's answer is kept across runs (null: looked up every time; give
    /// none when the runner is the builder container). See <see cref="LookUp"/> for its key.
    /// </summary>
    public ProbeCache? Probes { get; init; }

    public ResolvedToolchain Resolve(ToolchainDefinition definition)
    {
        var debian = definition.DebianCross
            ?? throw new ArgumentException($"{definition.Name} is not a Debian toolchain", nameof(definition));
        var local = _runner is LocalCommandRunner;
        var triple = debian.Prefix.TrimEnd('-');
        var install = local
            ? $"Install: {DebianPackages.SudoPrefix}apt-get install -y {string.Join(' ', debian.Packages)}"
            : $"The builder image lacks them: add {string.Join(' ', debian.Packages)} to docker/builder/Dockerfile.";
        // A cross package's sysroot; for the build machine's own arch (a native gcc of that name,
        // its C library in the multiarch folders) there is none: the machine's own files serve.
        var crossSysroot = Path.Combine("/usr", triple);
        // One shell for both probes (in --docker mode each is a container start). What is found
        // is used, wherever it came from; only when it is missing are Debian's packages installed
        // (the run's host plan has done that already, with consent).
        var found = Found(LookUp(debian.Prefix + "gcc", crossSysroot, triple));
        if (local && (found.CC is null || found.Headers is null) && DebianPackages.IsAvailable && packages.Missing(debian.Packages).Count > 0)
        {
            packages.Ensure(debian.Packages, $"The {definition.Name} toolchain");
            found = Found(LookUp(debian.Prefix + "gcc", crossSysroot, triple));
        }

        var cc = found.CC
            ?? throw new CrossboardException($"{debian.Prefix}gcc is not on PATH{(local ? "" : " in the builder container")}. {install}");
        var binDir = Path.GetDirectoryName(cc)!;
        if (found.Headers is null)
        {
            throw new CrossboardException($"The {triple} C library headers are missing ({crossSysroot}/include/stdio.h, or /usr/include/{triple} for this machine's own arch). {install}");
        }

        var sysroot = found.Headers == "headers" ? crossSysroot : "";

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

    /// <returns>The compiler found, and which headers: "headers" (the cross sysroot's), "multiarch-headers" (this machine's own arch), or null.</returns>
    private static (string? CC, string? Headers) Found(string? lookUp)
    {
        var lines = (lookUp ?? "").Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return (lines.FirstOrDefault(l => l.StartsWith("cc /", StringComparison.Ordinal))?[3..],
            lines.FirstOrDefault(l => l is "headers" or "multiarch-headers"));
    }

    /// <summary>
    /// Where <paramref name="gcc"/> is on PATH ("cc PATH") and whether the sysroot has the C
    /// headers ("headers"), one per line. From the cache when <see cref="Probes"/> has a complete
    /// answer (both found) whose files are unchanged. The key: the question names the compiler,
    /// the sysroot and PATH (a PATH change asks again; a PATH with a relative folder is never
    /// cached, its meaning depends on the current folder); the files are dpkg's database (any
    /// apt-get install/remove), the compiler found and what its links point to (replaced by hand,
    /// update-alternatives), every PATH folder up to the compiler's own (a gcc of that name added
    /// earlier on PATH changes its folder) and the sysroot's stdio.h.
    /// </summary>
    private string? LookUp(string gcc, string sysroot, string triple)
    {
        var script = $"c=$(command -v {gcc}) && echo \"cc $c\"; if test -f {sysroot}/include/stdio.h; then echo headers; " +
            $"elif test -d /usr/include/{triple} && test -f /usr/include/stdio.h; then echo multiarch-headers; fi; true";
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        var folders = path.Split(':');
        if (Probes is null || folders.Any(f => !f.StartsWith('/')))
        {
            return Probe(script);
        }

        string? incomplete = null;
        var answer = Probes.GetOrProbe($"debian-toolchain {gcc} {sysroot} PATH={path}", () =>
        {
            var output = Probe(script);
            var (cc, headers) = Found(output);
            if (output is null || cc is null || headers is null)
            {
                incomplete = output; // not kept (the run installs, or fails and says what to install), but what was found is used
                return null;
            }

            var stdio = headers == "headers" ? $"{sysroot}/include/stdio.h" : "/usr/include/stdio.h";
            var ccFolder = Path.GetDirectoryName(cc)!;
            var searched = folders.TakeWhile(f => f.TrimEnd('/') != ccFolder).Append(ccFolder);
            return new ProbeAnswer(output, [.. ProbeCache.DpkgDatabase, cc, stdio, .. searched]);
        });
        return answer ?? incomplete;
    }

    /// <summary>Runs a fixed shell probe where the tools live (here or in the container); its output, or null.</summary>
    private string? Probe(string script)
    {
        var result = _runner.Run(new ProcessSpec("sh", "-c", script));
        var output = result.StandardOutput.Trim();
        return result.Succeeded && output.Length > 0 ? output : null;
    }
}
