using Crossboard.Machine;
using Crossboard.Recipes;

namespace Crossboard.Cargo;

/// <summary>
/// Picks the Rust that can build for the target from what is installed: rustup stable with the
/// target's std (tier 2 targets), rustup nightly with rust-src (-Zbuild-std; every MIPS target
/// since Rust 1.72/1.75 lost its prebuilt std), or Debian's rustc with the target's
/// libstd-rust-dev (glibc targets of Debian's architectures; offline). With a Debian toolchain
/// Debian's Rust comes first (it is part of that toolchain); otherwise rustup does. When none
/// fits, the error lists what each provider lacks and the command that installs it. Every probe
/// runs through the <see cref="ICommandRunner"/>, so in --docker mode it asks the container.
/// </summary>
public sealed class RustToolchainSelector(ICommandRunner runner, DebianRustStd debianStd, IBuildLog log)
{
    /// <param name="triple">The Rust target.</param>
    /// <param name="toolchain">The C toolchain's definition (a Debian one names its arch and std package).</param>
    /// <param name="requested">--rust: null for automatic.</param>
    public RustToolchain Select(string triple, ToolchainDefinition toolchain, RustProvider? requested)
    {
        RustProvider[] order = requested is { } only
            ? [only]
            : Toolchains.ToolchainKinds.Of(toolchain).IsDebian
                ? [RustProvider.Debian, RustProvider.Stable, RustProvider.Nightly]
                : [RustProvider.Stable, RustProvider.Nightly, RustProvider.Debian];

        var missing = new List<string>();
        foreach (var provider in order)
        {
            var (usable, why) = provider switch
            {
                RustProvider.Stable => ProbeStable(triple),
                RustProvider.Nightly => ProbeNightly(),
                _ => ProbeDebian(triple, toolchain),
            };
            if (usable)
            {
                var chosen = Make(provider, triple, toolchain);
                log.Information($"Rust for {triple}: {chosen.Description}");
                return chosen;
            }

            log.Verbose($"Rust provider {provider} cannot build {triple}: {why}");
            missing.Add($"  - {Name(provider)}: {why}");
        }

        var intro = requested is { } asked
            ? $"--rust={asked.ToString().ToLowerInvariant()} cannot build for {triple}:"
            : $"No Rust on this machine can build for {triple}. What each way lacks:";
        throw new CrossboardException(intro + Environment.NewLine + string.Join(Environment.NewLine, missing) +
            Environment.NewLine + "Install one of them (or pick another with --rust=stable|nightly|debian), then run again.");
    }

    private static string Name(RustProvider provider) => provider switch
    {
        RustProvider.Stable => "rustup stable (prebuilt std)",
        RustProvider.Nightly => "rustup nightly (-Zbuild-std)",
        _ => "Debian's rustc (libstd-rust-dev)",
    };

    /// <summary>Targets whose prebuilt std rustup stopped shipping (tier 3): all MIPS since 1.72 (-gnu) / 1.75 (-musl).</summary>
    public static bool HasNoPrebuiltStd(string triple) =>
        CpuArchitectures.OfTriple(triple) is { } arch ? !arch.RustupPrebuiltStd : triple.StartsWith("mips", StringComparison.Ordinal);

    private (bool, string) ProbeStable(string triple)
    {
        if (!Run(out var installed, "rustup", "target", "list", "--installed", "--toolchain", "stable"))
        {
            return (false, installed.Length > 0 && !installed.StartsWith("Cannot run", StringComparison.Ordinal)
                ? "rustup has no stable toolchain. Install: rustup toolchain install stable"
                : "rustup is not installed (https://rustup.rs).");
        }

        if (installed.Split('\n', StringSplitOptions.TrimEntries).Contains(triple))
        {
            return (true, "");
        }

        return (false, HasNoPrebuiltStd(triple)
            ? $"{triple} has no prebuilt std in stable Rust since 1.72 (MIPS is tier 3): use nightly with rust-src, or Debian's rustc."
            : $"the {triple} std is not installed. Install: rustup target add {triple} --toolchain stable");
    }

    private (bool, string) ProbeNightly()
    {
        if (!Run(out var components, "rustup", "component", "list", "--installed", "--toolchain", "nightly"))
        {
            return (false, components.StartsWith("Cannot run", StringComparison.Ordinal)
                ? "rustup is not installed (https://rustup.rs)."
                : "rustup has no nightly toolchain. Install: rustup toolchain install nightly --component rust-src");
        }

        return components.Split('\n', StringSplitOptions.TrimEntries).Any(c => c.StartsWith("rust-src", StringComparison.Ordinal))
            ? (true, "")
            : (false, "nightly has no rust-src, which -Zbuild-std compiles std from. Install: rustup component add rust-src --toolchain nightly");
    }

    private (bool, string) ProbeDebian(string triple, ToolchainDefinition toolchain)
    {
        if (DebianArch(triple, toolchain) is null)
        {
            return (false, $"Debian ships Rust std only for glibc targets of its own architectures ({string.Join(", ", CpuArchitectures.All.Select(a => a.DebianRustStdTriple).OfType<string>().Order())}); {triple} is not one.");
        }

        if (!DebianPackages.IsAvailable)
        {
            return (false, "this is not a Debian/Ubuntu machine (no apt-get to fetch libstd-rust-dev).");
        }

        // With a Debian toolchain, Debian's Rust is part of it: install it as the C compiler was
        // (with consent), so that the quick start works on a machine without it.
        if (debianStd.HostRustc() is null && Toolchains.ToolchainKinds.Of(toolchain).IsDebian && runner is LocalCommandRunner)
        {
            debianStd.EnsureRustc(toolchain.Name);
        }

        // Needed right after, if Debian's Rust is chosen: rustc answers both at once.
        debianStd.LookForInstalledStd(triple);

        return debianStd.HostRustc() is null
            ? (false, "Debian's rustc and cargo are not installed. Install: sudo apt-get install -y rustc cargo")
            : (true, "");
    }

    /// <summary>The Debian arch whose std fits: the Debian toolchain's own, else the table's.</summary>
    private static string? DebianArch(string triple, ToolchainDefinition toolchain)
    {
        if (CpuArchitectures.WithDebianRustStd(triple)?.DebianArch is not { } arch)
        {
            return null;
        }

        return toolchain.DebianCross is { } debian && debian.Arch != arch ? null : arch;
    }

    private RustToolchain Make(RustProvider provider, string triple, ToolchainDefinition toolchain)
    {
        // rustup's own choice of toolchain must not leak in (RUSTUP_TOOLCHAIN, a RUSTC override).
        switch (provider)
        {
            case RustProvider.Stable:
                return new RustToolchain(provider, $"rustup stable ({Version("stable")}) with the prebuilt {triple} std", "rustup",
                    ["run", "stable", "cargo"], [], [], new Dictionary<string, string?> { ["RUSTC"] = null, ["RUSTUP_TOOLCHAIN"] = null });
            case RustProvider.Nightly:
                return new RustToolchain(provider, $"rustup nightly ({Version("nightly")}), std built from rust-src (-Zbuild-std)", "rustup",
                    ["run", "nightly", "cargo"], ["-Zbuild-std=std,panic_abort"], [], new Dictionary<string, string?> { ["RUSTC"] = null, ["RUSTUP_TOOLCHAIN"] = null });
            default:
                var (rustc, version) = debianStd.HostRustc() ?? throw new CrossboardException("Debian's rustc disappeared while crossboard was using it. Install: sudo apt-get install -y rustc cargo");
                var arch = DebianArch(triple, toolchain)!;
                var package = toolchain.DebianCross?.RustStdPackage ?? "libstd-rust-dev";
                var installed = debianStd.HasInstalledStd(triple);
                var sysroot = installed ? null : debianStd.EnsureSysroot(triple, arch, package, version);
                return new RustToolchain(provider, $"Debian {rustc} with {package}:{arch} {version} ({sysroot ?? "installed with rustc"})", DebianRustStd.DebianCargo,
                    [], [], sysroot is null ? [] : ["--sysroot", sysroot],
                    new Dictionary<string, string?>
                    {
                        // Debian's cargo must drive Debian's rustc, not a rustup proxy found first on PATH.
                        ["RUSTC"] = DebianRustStd.DebianRustc,
                        ["RUSTDOC"] = "/usr/bin/rustdoc",
                        ["RUSTUP_TOOLCHAIN"] = null,
                    });
        }
    }

    private string Version(string toolchain) =>
        Run(out var output, "rustup", "run", toolchain, "rustc", "--version") ? output.Trim() : toolchain;

    private bool Run(out string output, string program, params string[] args)
    {
        try
        {
            var result = runner.Run(new ProcessSpec(program, args) { Timeout = TimeSpan.FromMinutes(1) });
            output = result.Succeeded ? result.StandardOutput : result.StandardError.Trim();
            return result.Succeeded;
        }
        catch (CrossboardException ex)
        {
            output = ex.Message;
            return false;
        }
    }
}
