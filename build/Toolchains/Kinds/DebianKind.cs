using Crossboard.FastPath;
using Crossboard.Machine;
using Crossboard.Recipes;

namespace Crossboard.Toolchains;

/// <summary>
/// debian: Debian's cross gcc and C library packages for the board's architecture
/// (<see cref="DebianToolchain"/>), with Debian's Rust and its multiarch std. Its table: [debian]
/// arch, packages, prefix, optional rust-std-package and cflags.
/// </summary>
public sealed class DebianKind : IToolchainKind
{
    public string Name => ToolchainDefinition.Debian;

    public object? TableOf(ToolchainDefinition definition) => definition.DebianCross;

    public IEnumerable<(string Key, string Message)> Check(ToolchainDefinition definition)
    {
        if (definition.DebianCross is not { } debian)
        {
            yield break;
        }

        var archs = CpuArchitectures.All.Select(a => a.DebianArch).OfType<string>().ToArray();
        if (!archs.Contains(debian.Arch))
        {
            yield return ("debian.arch", $"'{debian.Arch}' is not a valid arch.{NameSuggestions.Hint(debian.Arch, archs)} Valid: {string.Join(", ", archs)}.");
        }

        if (!debian.Prefix.EndsWith('-'))
        {
            yield return ("debian.prefix", $"prefix '{debian.Prefix}' must end with '-' (e.g. mipsel-linux-gnu-).");
        }
    }

    public IEnumerable<string> CheckBoard(Board board, ToolchainDefinition definition)
    {
        if (definition.DebianCross is { } debian && CpuArchitectures.Find(board.Cpu.Arch)?.DebianArch is { } arch && debian.Arch != arch)
        {
            yield return $"toolchain '{definition.Name}' builds for Debian's {debian.Arch}, but the board's CPU is {board.Cpu.Arch} ({arch}).";
        }
    }

    public bool BuildsSdkTree => false;

    public bool IsDebian => true;

    public IEnumerable<Prerequisite> HostNeeds(ToolchainDefinition definition)
    {
        if (definition.DebianCross is not { } debian)
        {
            yield break;
        }

        var triple = debian.Prefix.TrimEnd('-');
        yield return new Prerequisite($"{debian.Prefix}gcc", $"Debian's {debian.Arch} cross compiler and C library", HostPrerequisites.BuildToolchain,
            () => HostPrerequisites.OnPath(debian.Prefix + "gcc") && HasCHeaders(triple), debian.Packages, null,
            "Debian's cross packages exist only on Debian/Ubuntu; on macOS choose an openwrt toolchain (--toolchain=...) or use --docker");
    }

    /// <summary>
    /// The target's C library headers: a cross package's (/usr/&lt;triple&gt;/include), or multiarch
    /// ones (/usr/include/&lt;triple&gt;), which is where the build machine's own arch has them.
    /// </summary>
    private static bool HasCHeaders(string triple) =>
        File.Exists($"/usr/{triple}/include/stdio.h") || (Directory.Exists($"/usr/include/{triple}") && File.Exists("/usr/include/stdio.h"));

    public ToolchainResult Resolve(ToolchainRequest request)
    {
        // Probe answers are kept in the work dir for this machine's look-ups only.
        var probes = ProbeCache.For(request.Runner, request.WorkDir);
        var packages = new DebianPackages(request.Consent, request.Log.Information) { Probes = probes };
        var missing = DebianPackages.IsAvailable ? packages.Missing(request.Definition.DebianCross?.Packages ?? []) : [];
        var resolved = new DebianToolchain(packages, request.Log, request.Runner) { Probes = probes }.Resolve(request.Definition);
        request.Log.Information($"Toolchain {request.Definition.Name}: {resolved.CC}");
        return new ToolchainResult(resolved, Reused: missing.Count == 0);
    }

    /// <summary>The target's -dev packages and what they depend on, downloaded with a private apt configuration into a sysroot under the work dir.</summary>
    public TargetLibraries ProvideCLibraries(CLibrariesRequest request) => new DebianTargetLibraries().Provide(request);
}
