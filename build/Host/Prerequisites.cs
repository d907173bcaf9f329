using Crossboard.Recipes;

namespace Crossboard.Host;

/// <summary>One thing the host must have, how to tell, and how to install it on Debian/Ubuntu and macOS.</summary>
public sealed record Prerequisite(string Name, string Purpose, Func<bool> IsPresent, string? DebianPackage, string? BrewPackage, string? OtherInstall = null);

/// <summary>What a board and toolchain need on the host, stage by stage.</summary>
public static class HostPrerequisites
{
    /// <param name="dockerCli">With --docker: the SDK's and cargo's needs are the builder image's; the host needs a container CLI (this choice) instead.</param>
    public static List<Prerequisite> For(Board board, ToolchainDefinition toolchain, string rustTarget, bool emulator, string? dockerCli = null, bool docker = false)
    {
        var list = docker ? ForDocker(dockerCli) : BuildTools(toolchain, rustTarget);
        if (emulator && board.Emulator is { } settings)
        {
            list.Add(Command(settings.Qemu, "run the emulated device", QemuSystemPackage(settings.Qemu), "qemu"));
            // The device image is assembled from Debian's packages of the board's arch (EmulatorImage).
            list.Add(Command("apt-get", $"download the emulated device's {settings.DebianArch} packages", "apt", null,
                "Debian/Ubuntu only: on macOS deploy to a real board (--device=HOST) or use --docker"));
            list.Add(Command("dpkg-deb", "unpack the emulated device's packages", "dpkg", null,
                "Debian/Ubuntu only: on macOS deploy to a real board (--device=HOST) or use --docker"));
            list.Add(Command("ssh-keygen", "make the emulated device's host key and crossboard's deploy key", "openssh-client", null,
                "macOS ships ssh-keygen"));
        }

        return list;
    }

    /// <summary>What the SDK and cargo stages need where they run.</summary>
    private static List<Prerequisite> BuildTools(ToolchainDefinition toolchain, string rustTarget)
    {
        var list = new List<Prerequisite>();
        switch (toolchain.Kind)
        {
            case ToolchainDefinition.OpenWrtSource:
                list.Add(Command("git", "clone the OpenWrt SDK", "git", "git"));
                list.Add(Command("make", "build the SDK", "make", "make"));
                list.Add(Command("gcc", "build the SDK's host tools", "build-essential", null, "xcode-select --install"));
                list.Add(Command("g++", "build the SDK's host tools", "build-essential", null, "xcode-select --install"));
                list.Add(Command("gawk", "OpenWrt's scripts need GNU awk", "gawk", "gawk"));
                list.Add(Command("rsync", "OpenWrt's build copies trees with rsync", "rsync", "rsync"));
                list.Add(Command("unzip", "unpack source archives", "unzip", "unzip"));
                list.Add(Command("python3", "OpenWrt's scripts", "python3", "python3"));
                list.Add(Command("file", "OpenWrt's prerequisite check", "file", null));
                list.Add(Command("patch", "apply OpenWrt's patches", "patch", "gpatch"));
                list.Add(Command("perl", "OpenWrt's scripts", "perl", "perl"));
                list.Add(Command("curl", "download source tarballs", "curl", "curl"));
                list.Add(AnyFile("ncurses headers", "OpenWrt's Kconfig", "libncurses-dev", "ncurses",
                    "/usr/include/ncurses.h", "/usr/include/ncursesw/ncurses.h", "/opt/homebrew/opt/ncurses/include/ncurses.h", "/usr/local/opt/ncurses/include/ncurses.h"));
                break;
            case ToolchainDefinition.OpenWrtPrebuilt:
                list.Add(Command("tar", "unpack the prebuilt SDK", "tar", "gnu-tar"));
                list.Add(Command("zstd", "the SDK archive is .tar.zst", "zstd", "zstd"));
                break;
            case ToolchainDefinition.Debian when toolchain.DebianCross is { } debian:
                var triple = debian.Prefix.TrimEnd('-');
                list.Add(new Prerequisite($"{debian.Prefix}gcc", $"Debian's {debian.Arch} cross compiler",
                    () => OnPath($"{debian.Prefix}gcc"), string.Join(' ', debian.Packages), null,
                    "Debian's cross packages exist only on Debian/Ubuntu; on macOS choose an openwrt toolchain (--toolchain=...)"));
                list.Add(AnyFile($"{debian.Arch} C library headers", "link for the target", string.Join(' ', debian.Packages), null,
                    $"/usr/{triple}/include/stdio.h"));
                break;
        }

        list.Add(Command("cargo", "build the Rust app", "cargo", "rustup"));
        list.Add(RustStd(toolchain, rustTarget));
        return list;
    }

    /// <summary>
    /// What --docker needs on the host instead of the SDK's and cargo's prerequisites (those are in
    /// the builder image): a container CLI (docker, or podman per --docker-cli) and an engine.
    /// </summary>
    public static List<Prerequisite> ForDocker(string? cliChoice)
    {
        var list = new List<Prerequisite>();
        if (cliChoice is null or "docker")
        {
            list.Add(new Prerequisite(cliChoice ?? "docker or podman", "--docker runs the SDK and cargo stages in a container",
                () => cliChoice is null ? OnPath("docker") || OnPath("podman") : OnPath("docker"),
                cliChoice is null ? "podman" : "docker.io", cliChoice is null ? "podman" : null,
                "Docker Desktop (macOS, Windows) or https://docs.docker.com/engine/install/"));
        }
        else
        {
            list.Add(Command("podman", "--docker runs the SDK and cargo stages in a container", "podman", "podman"));
        }

        return list;
    }

    /// <summary>qemu-system-mipsel comes in Debian's qemu-system-mips, -arm in qemu-system-arm, ...</summary>
    public static string QemuSystemPackage(string qemu)
    {
        var arch = qemu.Replace("qemu-system-", "");
        return "qemu-system-" + arch switch
        {
            "mipsel" or "mips64" or "mips64el" => "mips",
            "aarch64" => "arm",
            _ => arch,
        };
    }

    /// <summary>The Rust std for the target: from rustup (installed target), or what can build it.</summary>
    private static Prerequisite RustStd(ToolchainDefinition toolchain, string target)
    {
        var prebuilt = !target.StartsWith("mips", StringComparison.Ordinal);
        var install = toolchain.Kind == ToolchainDefinition.Debian
            ? "Debian's rustc and cargo (CargoBuild adds the target's std from Debian's libstd-rust-dev)"
            : prebuilt
                ? $"rustup target add {target}"
                : "rustup toolchain install nightly --component rust-src (MIPS has no prebuilt std since Rust 1.72: built with -Zbuild-std)";
        return new Prerequisite($"Rust std for {target}", "link the app for the board", () => HasRustStd(toolchain, target, prebuilt),
            toolchain.Kind == ToolchainDefinition.Debian ? "rustc cargo" : null, null, install);
    }

    private static bool HasRustStd(ToolchainDefinition toolchain, string target, bool prebuilt)
    {
        if (toolchain.Kind == ToolchainDefinition.Debian && File.Exists("/usr/bin/rustc") && File.Exists("/usr/bin/cargo"))
        {
            return true;
        }

        if (prebuilt)
        {
            var libdir = Capture("rustc", "--print", "target-libdir", "--target", target);
            return libdir is not null && Directory.Exists(libdir) && Directory.EnumerateFiles(libdir, "libstd-*.rlib").Any();
        }

        var sysroot = Capture("rustc", "+nightly", "--print", "sysroot");
        return sysroot is not null && Directory.Exists(Path.Combine(sysroot, "lib", "rustlib", "src", "rust", "library"));
    }

    public static Prerequisite Command(string command, string purpose, string? debian, string? brew, string? other = null) =>
        new(command, purpose, () => OnPath(command), debian, brew, other);

    public static Prerequisite AnyFile(string name, string purpose, string? debian, string? brew, params string[] paths) =>
        new(name, purpose, () => paths.Any(File.Exists), debian, brew);

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
