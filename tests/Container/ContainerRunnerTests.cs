using Cake.Docker;
using Crossboard.Container;
using Crossboard.Machine;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Container;

/// <summary>
/// Real commands in the real builder image on a real engine: mounts at the same paths (with
/// spaces), files owned by the caller, Kconfig and a cross compiler doing real work, streamed
/// output, and clear errors.
/// </summary>
[Tier(TestTier.Slow)]
[Collection(DockerEngineCollection.Name)]
public sealed class ContainerRunnerTests : IDisposable
{
    private readonly DockerEngineFixture _engine;
    private readonly TempDir _dir = new("docker-run");

    public ContainerRunnerTests(DockerEngineFixture engine)
    {
        _engine = engine;
        WorkDir = _dir.Combine("work dir");
        AppDir = _dir.Combine("my app");
        CargoHome = _dir.Combine("cargo home");
        Home = Path.Combine(WorkDir, "docker", "home");
        foreach (var dir in new[] { WorkDir, AppDir, CargoHome, Home })
        {
            Directory.CreateDirectory(dir);
        }

        // The tests run as root in CI, where "files belong to the caller, not root" would prove
        // nothing: they play a non-root caller who owns their work dir, as a user's would be.
        var current = HostUser.Current!;
        Caller = current.IsRoot ? new HostUser(4242, 4243) : current;
        if (current.IsRoot)
        {
            ProcessRunner.RunChecked(new ProcessSpec("chown", "-R", Caller.ToString(), _dir.Path), "chown the test dirs");
        }
    }

    private string WorkDir { get; }
    private string AppDir { get; }
    private string CargoHome { get; }
    private string Home { get; }
    private HostUser Caller { get; }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _dir.Dispose();

    private ContainerCommandRunner Runner(DockerClient? client = null) =>
        new(client ?? _engine.Client, _engine.ImageTag, [WorkDir, AppDir], Caller, Home, CargoHome);

    private static string Owner(string path) =>
        ProcessRunner.RunChecked(new ProcessSpec("stat", "-c", "%u:%g", path), "stat").StandardOutput.Trim();

    [Fact]
    public void Files_written_into_mounts_with_spaces_are_at_the_same_paths_and_belong_to_the_caller()
    {
        _engine.Require();
        var spec = new ProcessSpec("sh", "-c", "mkdir -p 'out/sub dir' && pwd > 'out/sub dir/where.txt' && id -u && git config --global user.name crossboard")
        {
            WorkingDirectory = WorkDir,
        };

        var result = Runner().RunChecked(spec, "writing into the mounts", Ct);

        Assert.Equal(Caller.Uid.ToString(), result.StandardOutput.Trim());
        var written = Path.Combine(WorkDir, "out", "sub dir", "where.txt");
        Assert.Equal(WorkDir, File.ReadAllText(written).Trim()); // the same absolute path inside as outside
        Assert.Equal(Caller.ToString(), Owner(Path.Combine(WorkDir, "out")));
        Assert.Equal(Caller.ToString(), Owner(Path.Combine(WorkDir, "out", "sub dir")));
        Assert.Equal(Caller.ToString(), Owner(written));
        Assert.Equal(Caller.ToString(), Owner(Path.Combine(Home, ".gitconfig"))); // HOME is the caller's, in the work dir
    }

    [Fact]
    public void Kconfig_resolves_a_seed_config_inside_the_container_like_make_defconfig()
    {
        _engine.Require();
        File.WriteAllText(Path.Combine(AppDir, "Config.in"), """
            mainmenu "crossboard test"

            choice
            	prompt "Target System"
            	default TARGET_ath79
            config TARGET_ath79
            	bool "Atheros ATH79"
            config TARGET_malta
            	bool "MIPS Malta CoreLV board (qemu)"
            config TARGET_ramips
            	bool "MediaTek Ralink MIPS"
            endchoice

            choice
            	prompt "Subtarget"
            	depends on TARGET_malta
            config TARGET_malta_be
            	bool "Big Endian"
            config TARGET_malta_le
            	bool "Little Endian"
            endchoice

            config SDK
            	bool "Build the OpenWrt SDK"
            config MAKE_TOOLCHAIN
            	bool "Package the OpenWrt-based Toolchain"
            """.Replace("            ", ""));
        File.WriteAllText(Path.Combine(AppDir, ".config"), "CONFIG_TARGET_malta=y\nCONFIG_TARGET_malta_le=y\nCONFIG_SDK=y\n");

        Runner().RunChecked(new ProcessSpec("kconfig-conf", "--olddefconfig", "Config.in") { WorkingDirectory = AppDir }, "kconfig-conf", Ct);

        var config = File.ReadAllLines(Path.Combine(AppDir, ".config"));
        Assert.Contains("CONFIG_TARGET_malta=y", config);
        Assert.Contains("# CONFIG_TARGET_ath79 is not set", config);
        Assert.Contains("CONFIG_TARGET_malta_le=y", config);
        Assert.Contains("# CONFIG_TARGET_malta_be is not set", config);
        Assert.Contains("CONFIG_SDK=y", config);
        Assert.Contains("# CONFIG_MAKE_TOOLCHAIN is not set", config);
        Assert.Equal(Caller.ToString(), Owner(Path.Combine(AppDir, ".config")));
    }

    [Fact]
    public void Git_clones_and_make_runs_in_the_container_on_trees_the_caller_owns_like_the_SDK_stage()
    {
        _engine.Require();
        // An SDK-shaped source repository, made on the host with the host's git.
        var source = Path.Combine(WorkDir, "source repo");
        Directory.CreateDirectory(source);
        File.WriteAllText(Path.Combine(source, "Config.in"), "config SDK\n\tbool \"Build the SDK\"\nconfig MAKE_TOOLCHAIN\n\tbool \"Package the toolchain\"\n");
        File.WriteAllText(Path.Combine(source, "Makefile"), "defconfig:\n\tkconfig-conf --olddefconfig Config.in\n\t@echo \"configured as $$(whoami 2>/dev/null || id -u)\"\n");
        foreach (var args in new[] { new[] { "init", "-q", "-b", "main" }, ["add", "."], ["-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-q", "-m", "sdk"] })
        {
            ProcessRunner.RunChecked(new ProcessSpec("git", args) { WorkingDirectory = source }, "git on the host", Ct);
        }

        if (HostUser.Current!.IsRoot)
        {
            ProcessRunner.RunChecked(new ProcessSpec("chown", "-R", Caller.ToString(), source), "chown", Ct);
        }

        var sdk = Path.Combine(WorkDir, "sdk");
        var runner = Runner();
        runner.RunChecked(new ProcessSpec("git", "clone", "-q", "--depth", "1", "file://" + source, sdk) { WorkingDirectory = WorkDir }, "git clone", Ct);
        File.WriteAllText(Path.Combine(sdk, ".config"), "CONFIG_SDK=y\n");
        var make = runner.RunChecked(new ProcessSpec("make", "-C", sdk, "defconfig") { WorkingDirectory = sdk }, "make defconfig", Ct);

        Assert.Contains("configured as ", make.StandardOutput);
        Assert.Contains("CONFIG_SDK=y", File.ReadAllLines(Path.Combine(sdk, ".config")));
        Assert.Contains("# CONFIG_MAKE_TOOLCHAIN is not set", File.ReadAllLines(Path.Combine(sdk, ".config")));
        Assert.Equal(Caller.ToString(), Owner(Path.Combine(sdk, ".git")));
        Assert.Equal(Caller.ToString(), Owner(Path.Combine(sdk, "Makefile")));
        Assert.Equal(Caller.ToString(), Owner(Path.Combine(sdk, ".config")));
    }

    [Fact]
    public void A_C_program_cross_compiled_in_the_container_is_a_little_endian_MIPS_binary_that_runs()
    {
        _engine.Require();
        File.WriteAllText(Path.Combine(AppDir, "hello.c"), "#include <stdio.h>\nint main(void) { puts(\"hello from the builder container\"); return 0; }\n");
        var toolchainBin = Path.Combine(WorkDir, "toolchain", "bin");
        var spec = new ProcessSpec("mipsel-linux-gnu-gcc", "-static", "-O2", "-o", "hello", "hello.c")
        {
            WorkingDirectory = AppDir,
            // A stage prepends its toolchain to the host's PATH: the host part means nothing inside.
            Environment = { ["PATH"] = $"{toolchainBin}:{Environment.GetEnvironmentVariable("PATH")}" },
        };

        Runner().RunChecked(spec, "cross-compiling hello.c", Ct);

        var binary = Path.Combine(AppDir, "hello");
        var elf = File.ReadAllBytes(binary);
        Assert.Equal("\u007fELF"u8.ToArray(), elf[..4]);
        Assert.Equal(1, elf[5]); // EI_DATA: little-endian
        Assert.Equal(8, BitConverter.ToUInt16(elf, 18)); // e_machine: EM_MIPS
        Assert.Equal(Caller.ToString(), Owner(binary));
        var run = ProcessRunner.RunChecked(new ProcessSpec("qemu-mipsel", binary), "running the MIPS binary under qemu-mipsel", Ct);
        Assert.Equal("hello from the builder container", run.StandardOutput.Trim());
    }

    [Fact]
    public void Cargo_cross_builds_a_Rust_app_in_the_container_with_the_images_std_for_the_board()
    {
        _engine.Require();
        File.WriteAllText(Path.Combine(AppDir, "Cargo.toml"), "[package]\nname = \"hello-board\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\n");
        Directory.CreateDirectory(Path.Combine(AppDir, "src"));
        File.WriteAllText(Path.Combine(AppDir, "src", "main.rs"), "fn main() { println!(\"hello from {}\", std::env::consts::ARCH); }\n");
        if (HostUser.Current!.IsRoot)
        {
            ProcessRunner.RunChecked(new ProcessSpec("chown", "-R", Caller.ToString(), AppDir), "chown", Ct);
        }

        var targetDir = Path.Combine(WorkDir, "target");
        var spec = new ProcessSpec("cargo", "build", "--release", "--offline", "--target", "mipsel-unknown-linux-gnu")
        {
            WorkingDirectory = AppDir,
            Environment =
            {
                ["CARGO_TARGET_DIR"] = targetDir,
                ["CARGO_TARGET_MIPSEL_UNKNOWN_LINUX_GNU_LINKER"] = "mipsel-linux-gnu-gcc",
                ["RUSTFLAGS"] = "-C target-feature=+crt-static",
            },
        };

        Runner().RunChecked(spec, "cargo build", Ct);

        var binary = Path.Combine(targetDir, "mipsel-unknown-linux-gnu", "release", "hello-board");
        var elf = File.ReadAllBytes(binary);
        Assert.Equal(8, BitConverter.ToUInt16(elf, 18)); // EM_MIPS
        Assert.Equal(Caller.ToString(), Owner(binary));
        Assert.Equal(Caller.ToString(), Owner(Path.Combine(AppDir, "Cargo.lock")));
        var run = ProcessRunner.RunChecked(new ProcessSpec("qemu-mipsel", binary), "running the Rust binary under qemu-mipsel", Ct);
        Assert.Equal("hello from mips", run.StandardOutput.Trim());
    }

    [Fact]
    public void The_PATH_inside_keeps_mounted_entries_and_the_images_own()
    {
        _engine.Require();
        var toolchainBin = Path.Combine(WorkDir, "toolchain", "bin");
        var runner = Runner();
        var spec = new ProcessSpec("sh", "-c", "echo \"$PATH\"")
        {
            Environment = { ["PATH"] = $"{toolchainBin}:/root/.dotnet:{CargoHome}/bin:/usr/bin" },
        };

        var path = runner.RunChecked(spec, "echo PATH", Ct).StandardOutput.Trim().Split(':');

        Assert.Equal(toolchainBin, path[0]);
        Assert.DoesNotContain("/root/.dotnet", path);
        Assert.DoesNotContain($"{CargoHome}/bin", path); // host programs, not the container's
        Assert.Contains("/usr/bin", path);
        Assert.Contains("/opt/cargo/bin", path); // the image's ENV PATH
    }

    [Fact]
    public void Output_streams_line_by_line_into_the_log_and_a_failure_names_the_command_and_its_tail()
    {
        _engine.Require();
        var lines = new List<string>();
        var log = Path.Combine(WorkDir, "logs", "step.log");
        var spec = new ProcessSpec("sh", "-c", "echo first line; echo second line; echo 'something broke' >&2; exit 7")
        {
            WorkingDirectory = WorkDir,
            OnLine = lines.Add,
            LogFile = log,
        };

        var result = Runner().Run(spec, Ct);
        var error = Assert.Throws<CrossboardException>(() => Runner().RunChecked(spec, "Building the toolchain failed", Ct));

        Assert.Equal(7, result.ExitCode);
        Assert.Contains("first line", lines);
        Assert.Contains("second line", lines);
        Assert.Contains("something broke", lines);
        Assert.Contains("first line", result.StandardOutput);
        var logText = File.ReadAllText(log);
        Assert.Contains($" run --name crossboard-", logText); // the log shows the container command
        Assert.Contains(_engine.ImageTag, logText);
        Assert.Contains("second line", logText);
        Assert.Contains("Building the toolchain failed (exit code 7).", error.Message);
        Assert.Contains("Command: sh -c 'echo first line;", error.Message);
        Assert.Contains("something broke", error.Message);
        Assert.Contains($"Full log: {log}", error.Message);
    }

    [Fact]
    public void Input_reaches_the_command_variables_are_set_and_removed_as_the_spec_says()
    {
        _engine.Require();
        var spec = new ProcessSpec("sh", "-c", "cat > input.txt; env")
        {
            WorkingDirectory = WorkDir,
            StandardInput = "piped data\n",
            Environment = { ["LANG"] = null, ["MARK"] = "a value with spaces" },
        };

        var env = Runner().RunChecked(spec, "env", Ct).StandardOutput.Split('\n', StringSplitOptions.TrimEntries);

        Assert.Equal("piped data\n", File.ReadAllText(Path.Combine(WorkDir, "input.txt")));
        Assert.Contains("MARK=a value with spaces", env);
        Assert.Contains($"HOME={Home}", env);
        Assert.Contains($"CARGO_HOME={CargoHome}", env);
        Assert.DoesNotContain(env, l => l.StartsWith("LANG=", StringComparison.Ordinal)); // the image sets LANG; the spec removed it
    }

    [Fact]
    public void A_command_missing_from_the_image_is_a_clear_error()
    {
        _engine.Require();

        var error = Assert.Throws<CrossboardException>(() => Runner().Run(new ProcessSpec("no-such-tool-in-the-image", "--version"), Ct));

        Assert.Contains("cannot be run inside the image", error.Message);
        Assert.Contains("no-such-tool-in-the-image", error.Message);
    }

    [Fact]
    public void A_timed_out_command_is_stopped_and_leaves_no_container_behind()
    {
        _engine.Require();
        var spec = new ProcessSpec("sleep", "397") { Timeout = TimeSpan.FromSeconds(3) };

        var error = Assert.Throws<CrossboardException>(() => Runner().Run(spec, Ct));

        Assert.Contains("did not finish within 3 s", error.Message);
        var left = _engine.Cli("ps", "--all", "--filter", "label=crossboard=builder-run", "--format", "{{.Command}}");
        Assert.True(left.Succeeded, left.StandardError);
        Assert.DoesNotContain("397", left.StandardOutput);
    }

    [Fact]
    public void The_podman_CLI_reaches_the_same_engine_through_its_url()
    {
        _engine.Require();
        var podman = new DockerClient(ProcessRunner.Which("podman") ?? "podman", DockerCliKind.Podman, _engine.DockerHost);

        var result = Runner(podman).RunChecked(new ProcessSpec("sh", "-c", "id -u; . /etc/os-release; echo $VERSION_CODENAME") { WorkingDirectory = AppDir }, "podman run", Ct);

        Assert.Equal([Caller.Uid.ToString(), "bookworm"], result.StandardOutput.Trim().Split('\n'));
    }
}
