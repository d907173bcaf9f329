using Crossboard.Artifacts;
using Crossboard.Cargo;
using Crossboard.Machine;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Cargo;

/// <summary>
/// samples/hello cross-built by the cargo stage for the Omega2 family's mipsel, the Pi 2's armhf
/// and the Pi 3's arm64 with Debian's cross gcc and Debian's Rust (offline std), then run under
/// qemu-user through the runner ConfigureCargo wrote, and asked for /text over HTTP.
/// </summary>
[Tier(TestTier.Slow)]
public sealed class CrossBuildTests(CrossBuilds builds)
{
    [Fact]
    public async Task Hello_for_malta_le_is_a_static_mipsel_binary_that_serves_hello_world_under_qemu_and_stops_on_sigterm()
    {
        var build = builds.Hello("malta-le");

        var elf = ElfFile.Read(build.Artifact.Path);
        Assert.Equal((ElfFile.MachineMips, 32, true), (elf.Machine, elf.Bits, elf.LittleEndian));
        Assert.True(elf.IsStatic, "malta-le runs musl and debian-mipsel links glibc: the binary must be static");
        Assert.True(build.Settings.Static);
        Assert.Equal("mipsel-unknown-linux-gnu", build.Artifact.RustTarget);
        Assert.Equal("hello", build.Artifact.Name);
        Assert.Equal(new FileInfo(build.Artifact.Path).Length, build.Artifact.Size);
        Assert.Matches("^[0-9a-f]{64}$", build.Artifact.Sha256);
        Assert.Contains("Debian rustc 1.63", build.Log.Text);
        Assert.Contains("with the size profile", build.Log.Text);
        Assert.Contains("Compiling hello v0.1.0", build.Log.Text); // cargo's output streamed through the log

        Assert.Equal(["qemu-mipsel", "-L", "/usr/mipsel-linux-gnu"], build.Settings.Runner);
        using var app = await RunningApp.StartAsync(build.Settings.Runner, build.Artifact.Path, "--listen", "127.0.0.1:0");
        Assert.Equal((200, "hello world"), await app.GetAsync("/text"));
        Assert.Equal(404, (await app.GetAsync("/nothing")).Status);
        Assert.Equal(0, await app.TerminateAsync());
        Assert.Contains("hello: stopped", app.Output);
    }

    [Fact]
    public async Task Hello_for_rpi2_is_a_dynamic_armhf_binary_that_serves_hello_world_under_qemu()
    {
        var build = builds.Hello("rpi2");

        var elf = ElfFile.Read(build.Artifact.Path);
        Assert.Equal((ElfFile.MachineArm, 32, "/lib/ld-linux-armhf.so.3"), (elf.Machine, elf.Bits, elf.Interpreter));
        Assert.False(build.Settings.Static, "rpi2 runs glibc like the toolchain: dynamic linking fits");
        Assert.Equal("armv7-unknown-linux-gnueabihf", build.Artifact.RustTarget);

        using var app = await RunningApp.StartAsync(build.Settings.Runner, build.Artifact.Path, "--listen", "127.0.0.1:0");
        Assert.Equal((200, "hello world"), await app.GetAsync("/text"));
        Assert.Equal(0, await app.TerminateAsync());
    }

    [Fact]
    public async Task Hello_for_rpi3_is_an_arm64_binary_that_serves_hello_world_under_qemu()
    {
        var build = builds.Hello("rpi3");

        var elf = ElfFile.Read(build.Artifact.Path);
        Assert.Equal((ElfFile.MachineAarch64, 64, "/lib/ld-linux-aarch64.so.1"), (elf.Machine, elf.Bits, elf.Interpreter));
        Assert.Contains("libc.so.6", elf.Needed);

        using var app = await RunningApp.StartAsync(build.Settings.Runner, build.Artifact.Path, "--listen", "127.0.0.1:0");
        Assert.Equal((200, "hello world"), await app.GetAsync("/text"));
        Assert.Equal(0, await app.TerminateAsync());
    }

    [Fact]
    public void Version_flag_prints_the_package_version_on_the_board_arch()
    {
        var build = builds.Hello("malta-le");

        var result = ProcessRunner.Run(new ProcessSpec(build.Settings.Runner[0], [.. build.Settings.Runner.Skip(1), build.Artifact.Path, "--version"]), TestContext.Current.CancellationToken);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("hello 0.1.0", result.StandardOutput.Trim());
    }

    [Fact]
    public void A_second_build_redoes_nothing_and_yields_the_same_binary()
    {
        var build = builds.Hello("malta-le");
        var log = new RecordingBuildLog();
        var stage = new CargoStage(LocalCommandRunner.Instance, new DebianPackages(CrossBuilds.Yes, log.Information), log);
        var inputs = builds.Inputs(build.AppDir, build.Board);

        var (change, _) = stage.Configure(inputs);
        var again = stage.Build(inputs, new CargoBuildOptions(), TestContext.Current.CancellationToken);

        Assert.Equal(CargoConfigChange.Unchanged, change);
        Assert.Equal(build.Artifact.Sha256, again.Sha256);
        Assert.Contains("(up to date)", log.Text);
        Assert.DoesNotContain("Compiling hello", log.Text);
        Assert.DoesNotContain("Fetching Debian's Rust std", log.Text); // the sysroot in the work dir is reused
    }

    [Fact]
    public void The_size_profile_switch_turns_strip_lto_and_opt_level_z_on_and_off_without_touching_Cargo_toml()
    {
        var small = builds.Hello("malta-le");
        var plain = builds.Hello("malta-le", sizeProfile: false);

        Assert.Equal(File.ReadAllText(Path.Combine(RepoPaths.Root, "samples", "hello", "Cargo.toml")), File.ReadAllText(Path.Combine(plain.AppDir, "Cargo.toml")));
        Assert.DoesNotContain("with the size profile", plain.Log.Text);
        Assert.True(small.Artifact.Size * 3 < plain.Artifact.Size,
            $"size profile {small.Artifact.Size} B should be far smaller than the default release {plain.Artifact.Size} B");
        Assert.False(HasSymbolTable(small.Artifact.Path), "the size profile strips the binary");
        Assert.True(HasSymbolTable(plain.Artifact.Path));
    }

    [Fact]
    public void A_default_release_build_is_refused_for_the_omega2s_flash_budget_with_the_advice_to_use_the_size_profile()
    {
        var plain = builds.Hello("malta-le", sizeProfile: false);

        var verdict = ArtifactCheck.Check(plain.Artifact.Path, builds.Board("omega2"));

        var refusal = Assert.Single(verdict.Refusals);
        Assert.Contains("over omega2's app budget of 4096 KiB", refusal);
        Assert.Contains("16 MB of flash", refusal);
    }

    private static bool HasSymbolTable(string path) =>
        ProcessRunner.Run(new ProcessSpec("mipsel-linux-gnu-readelf", "-S", path)).StandardOutput.Contains(".symtab");
}
