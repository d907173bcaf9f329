using Crossboard.Cargo;
using Crossboard.Recipes;

namespace Crossboard.Machine;

/// <summary>
/// One thing tasks need on the host: what it is, what for, which tasks need it, how to tell it is
/// there, and how to install it.
/// </summary>
/// <param name="Tasks">The tasks that need it (the first one in a run's order is named in the plan).</param>
/// <param name="IsPresent">A look that starts no process (a command on PATH, a file): a run with nothing to install spends no time on its plan.</param>
/// <param name="DebianPackages">What installs it on Debian/Ubuntu; empty when apt cannot.</param>
public sealed record Prerequisite(
    string Name,
    string Purpose,
    IReadOnlyList<string> Tasks,
    Func<bool> IsPresent,
    IReadOnlyList<string> DebianPackages,
    string? BrewPackage,
    string? OtherInstall = null)
{
    public Prerequisite(string name, string purpose, string task, Func<bool> isPresent, IReadOnlyList<string> debianPackages, string? brewPackage, string? otherInstall = null)
        : this(name, purpose, [task], isPresent, debianPackages, brewPackage, otherInstall)
    {
    }

    /// <summary>A foreign Debian architecture to add (dpkg --add-architecture) rather than a package.</summary>
    public string? Architecture { get; init; }

    /// <summary>
    /// Shown by Doctor only: a need crossboard cannot install and cannot look at without starting
    /// processes (rustup's targets), which the task that needs it reports with the fix.
    /// </summary>
    public bool Advisory { get; init; }
}

/// <summary>What a run's switches decide about the host's needs.</summary>
/// <param name="Emulator">
/// The emulated device's settings when the deploy target is the emulated device (no --device, or
/// --device=emulator): the board's own [emulator], or that of the board that emulates its CPU.
/// </param>
/// <param name="BuildsApp">False with --artifact: the SDK and cargo stages have nothing to do.</param>
/// <param name="Rust">--rust; null: automatic.</param>
/// <param name="WorkDir">Where a Debian Rust std already unpacked would be (it then needs no foreign architecture).</param>
/// <param name="CompileCache">--compile-cache: sccache must be installed for the build.</param>
/// <param name="RustupHome">Where rustup keeps its toolchains; null: $RUSTUP_HOME, else ~/.rustup.</param>
/// <param name="TestsUnderQemu">CargoTest runs the tests under qemu-user (--test-on=qemu), not on the device.</param>
public sealed record HostNeedsQuery(
    Board Board,
    ToolchainDefinition Toolchain,
    string RustTarget,
    EmulatorSettings? Emulator,
    bool Docker = false,
    string? DockerCli = null,
    bool BuildsApp = true,
    RustProvider? Rust = null,
    string? WorkDir = null,
    bool TestsUnderQemu = true,
    CompileCache CompileCache = CompileCache.None,
    string? RustupHome = null);

/// <summary>
/// What a board, toolchain and switches need on the host, task by task: one list that Doctor
/// shows and the host plan installs from (<see cref="HostPlan"/>).
/// </summary>
public static class HostPrerequisites
{
    // The tasks by name: this layer knows nothing of Cake (a test checks each is a real task).
    public const string CloneSdk = "CloneSdk";
    public const string SeedConfig = "SeedConfig";
    public const string BuildToolchain = "BuildToolchain";
    public const string CargoBuild = "CargoBuild";
    public const string CargoTest = "CargoTest";
    public const string BuilderImage = "BuilderImage";
    public const string EmulatorImage = "EmulatorImage";
    public const string EmulatorStart = "EmulatorStart";

    public static List<Prerequisite> For(HostNeedsQuery query)
    {
        var list = new List<Prerequisite>();
        if (query.BuildsApp)
        {
            list.AddRange(query.Docker ? ForDocker(query.DockerCli) : BuildTools(query));
        }

        if (query.Emulator is { } settings)
        {
            list.AddRange(ForEmulator(settings));
        }

        return list;
    }

    /// <summary>What the SDK and cargo stages need where they run (this machine, without --docker).</summary>
    private static IEnumerable<Prerequisite> BuildTools(HostNeedsQuery query)
    {
        foreach (var need in Toolchains.ToolchainKinds.Of(query.Toolchain).HostNeeds(query.Toolchain))
        {
            yield return need;
        }

        if (UsesDebianRust(query) is { } arch)
        {
            yield return new Prerequisite("rustc, cargo", "Debian's Rust compiles the app", [CargoBuild, CargoTest],
                () => File.Exists(DebianRustStd.DebianRustc) && File.Exists(DebianRustStd.DebianCargo), ["rustc", "cargo"], null,
                "Debian's Rust exists only on Debian/Ubuntu; use --rust=stable|nightly (rustup) or --docker");
            if (!HasDebianRustStd(query.WorkDir, query.RustTarget))
            {
                yield return ForeignArchitecture(arch, $"download Debian's Rust std for {query.RustTarget} (libstd-rust-dev:{arch}, into the work dir)", [CargoBuild, CargoTest]);
            }
        }
        else
        {
            yield return new Prerequisite("cargo", "build the Rust app", [CargoBuild, CargoTest], () => OnPath("cargo"), [], "rustup", "https://rustup.rs") { Advisory = true };
            yield return RustStd(query.RustTarget);
            if (RustupRust(query) is { } rustup)
            {
                yield return rustup;
            }
        }

        if (query.CompileCache == CompileCache.Sccache)
        {
            yield return new Prerequisite(CompileCaches.Sccache, "--compile-cache=sccache: rustc runs through it", [CargoBuild, CargoTest],
                () => OnPath(CompileCaches.Sccache), ["sccache"], "sccache");
        }

        if (query.TestsUnderQemu && CpuArchitectures.Find(query.Board.Cpu.Arch)?.QemuUser is { } qemu)
        {
            yield return new Prerequisite(qemu, $"run the app's tests for the board's CPU ({query.Board.Cpu.Arch})", CargoTest,
                () => OnPath(qemu), ["qemu-user"], null, "Linux only (qemu-user); on macOS run the tests on the device");
        }
    }

    /// <summary>
    /// The Debian architecture whose Rust std the build will use, when Debian's rustc builds the
    /// app: with a debian toolchain and --rust automatic (Debian's Rust comes first then), or with
    /// --rust=debian. Null when rustup's Rust does (crossboard installs none of it).
    /// </summary>
    private static string? UsesDebianRust(HostNeedsQuery query)
    {
        var debianFirst = query.Rust == RustProvider.Debian || (query.Rust is null && Toolchains.ToolchainKinds.Of(query.Toolchain).IsDebian);
        if (!debianFirst || CpuArchitectures.WithDebianRustStd(query.RustTarget)?.DebianArch is not { } arch)
        {
            return null;
        }

        return query.Toolchain.DebianCross is { } debian && debian.Arch != arch ? null : arch;
    }

    /// <summary>A Debian Rust std for the target already unpacked in the work dir (any rustc version's): no foreign architecture needed for it.</summary>
    private static bool HasDebianRustStd(string? workDir, string triple)
    {
        var root = workDir is null ? null : Path.Combine(workDir, "rust-std");
        if (root is null || !Directory.Exists(root))
        {
            return false;
        }

        return Directory.EnumerateDirectories(root, "debian-*").Any(v => DebianRustStd.IsComplete(Path.Combine(v, triple), triple));
    }

    /// <summary>
    /// What --docker needs on the host instead of the SDK's and cargo's prerequisites (those are in
    /// the builder image): a container CLI (docker, or podman per --docker-cli) and an engine.
    /// </summary>
    public static List<Prerequisite> ForDocker(string? cliChoice)
    {
        string[] tasks = [BuilderImage, CloneSdk, SeedConfig, BuildToolchain, CargoBuild];
        const string purpose = "--docker runs the SDK and cargo stages in a container";
        if (cliChoice is null or "docker")
        {
            return
            [
                new Prerequisite(cliChoice ?? "docker or podman", purpose, tasks,
                    () => cliChoice is null ? OnPath("docker") || OnPath("podman") : OnPath("docker"),
                    [cliChoice is null ? "podman" : "docker.io"], cliChoice is null ? "podman" : null,
                    "Docker Desktop (macOS, Windows) or https://docs.docker.com/engine/install/"),
            ];
        }

        return [new Prerequisite("podman", purpose, tasks, () => OnPath("podman"), ["podman"], "podman")];
    }

    /// <summary>The emulated device: its image is assembled from Debian packages of its arch, and runs in qemu.</summary>
    private static IEnumerable<Prerequisite> ForEmulator(EmulatorSettings settings)
    {
        const string debianOnly = "Debian/Ubuntu only: on macOS deploy to a real board (--device=HOST)";
        yield return new Prerequisite("apt-get, dpkg-deb", $"download and unpack the emulated device's {settings.DebianArch} packages", EmulatorImage,
            () => OnPath("apt-get") && OnPath("dpkg-deb"), [], null, debianOnly);
        yield return ForeignArchitecture(settings.DebianArch, $"download the emulated device's {settings.DebianArch} packages (into the work dir)", EmulatorImage);
        yield return new Prerequisite("ssh-keygen", "make the emulated device's host key and crossboard's deploy key", EmulatorImage,
            () => OnPath("ssh-keygen"), ["openssh-client"], null, "macOS ships ssh-keygen");
        yield return new Prerequisite(settings.Qemu, "run the emulated device", EmulatorStart,
            () => OnPath(settings.Qemu), [CpuArchitectures.QemuSystemPackageOf(settings.Qemu)], "qemu");
    }

    private static Prerequisite ForeignArchitecture(string arch, string purpose, params string[] tasks) =>
        new($"Debian architecture {arch}", purpose, tasks, () => DebianPackages.HasArchitecture(arch), [], null,
            "Debian/Ubuntu only")
        { Architecture = arch };

    /// <summary>
    /// rustup's Rust for a target Debian's cannot build (the OpenWrt boards' musl targets), looked at
    /// in rustup's folders without starting a process: stable with the target's std, or nightly with
    /// rust-src, as the Rust selector will accept them. crossboard does not install rustup, so a run
    /// that lacks it stops before its first task (not after an hour of BuildToolchain) with the
    /// commands. Null where Debian's Rust may serve (the selector decides) or --rust=debian was asked for.
    /// </summary>
    private static Prerequisite? RustupRust(HostNeedsQuery query)
    {
        var target = query.RustTarget;
        if (query.Rust == RustProvider.Debian || (query.Rust is null && CpuArchitectures.WithDebianRustStd(target) is not null))
        {
            return null;
        }

        var home = query.RustupHome ?? RustupLayout.DefaultHome;
        var prebuilt = !RustToolchainSelector.HasNoPrebuiltStd(target);
        var stable = query.Rust != RustProvider.Nightly && prebuilt;
        var nightly = query.Rust != RustProvider.Stable;
        var install = stable
            ? $"rustup (https://rustup.rs), then: rustup target add {target} --toolchain stable"
            : $"rustup (https://rustup.rs), then: rustup toolchain install nightly --component rust-src ({target} has no prebuilt std: it is built from rust-src with -Zbuild-std)";
        return new Prerequisite($"Rust for {target} (rustup)", "build the app for the board: Debian's Rust has no std for this target", [CargoBuild, CargoTest],
            () => (stable && RustupLayout.HasStd(home, "stable", target)) || (nightly && RustupLayout.HasRustSrc(home, "nightly")), [], null, install);
    }

    /// <summary>The Rust std for the target from rustup (prebuilt, or built from rust-src): Doctor's look, which starts rustc.</summary>
    private static Prerequisite RustStd(string target)
    {
        var prebuilt = !RustToolchainSelector.HasNoPrebuiltStd(target);
        var install = prebuilt
            ? $"rustup target add {target}"
            : "rustup toolchain install nightly --component rust-src (MIPS has no prebuilt std since Rust 1.72: built with -Zbuild-std)";
        return new Prerequisite($"Rust std for {target}", "link the app for the board", [CargoBuild, CargoTest], () => HasRustupStd(target, prebuilt), [], null, install)
        {
            Advisory = true,
        };
    }

    private static bool HasRustupStd(string target, bool prebuilt)
    {
        if (prebuilt)
        {
            var libdir = Capture("rustc", "--print", "target-libdir", "--target", target);
            return libdir is not null && Directory.Exists(libdir) && Directory.EnumerateFiles(libdir, "libstd-*.rlib").Any();
        }

        var sysroot = Capture("rustc", "+nightly", "--print", "sysroot");
        return sysroot is not null && Directory.Exists(Path.Combine(sysroot, "lib", "rustlib", "src", "rust", "library"));
    }

    public static bool OnPath(string command) => ProcessRunner.Which(command) is not null;

    private static string? Capture(string file, params string[] args)
    {
        if (ProcessRunner.Which(file) is null)
        {
            return null;
        }

        var result = ProcessRunner.Run(new ProcessSpec(file, args));
        return result.Succeeded ? result.StandardOutput.Trim() : null;
    }
}
