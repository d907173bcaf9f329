using Crossboard.Cargo;
using Crossboard.Machine;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Cargo;

/// <summary>
/// Which Rust builds a target, decided from what is really installed: rustup's answers (with
/// RUSTUP_HOME pointed at an empty folder to stand for a rustup without toolchains), Debian's
/// rustc, and the target's needs. A missing piece is an error naming the install command.
/// </summary>
[Tier(TestTier.Slow)]
public sealed class RustToolchainSelectorTests(CrossBuilds builds) : IDisposable
{
    private readonly TempDir _emptyRustupHome = new("rustup-home");
    private readonly TempDir _fakeRustup = new("fake-rustup");
    private readonly RecordingBuildLog _log = new();

    public void Dispose()
    {
        _emptyRustupHome.Dispose();
        _fakeRustup.Dispose();
    }

    private static bool HasRustup => ProcessRunner.Which("rustup") is not null;

    private RustToolchainSelector Selector(ICommandRunner runner) =>
        new(runner, new DebianRustStd(new DebianPackages(CrossBuilds.Yes, _log.Information), runner, builds.WorkDir, _log), _log);

    /// <summary>
    /// A stand-in rustup (a real shell script): stable installed with only the host's std, no
    /// nightly, as `rustup` itself answers those questions; it records each command line it gets.
    /// </summary>
    private sealed record FakeRustupScript(string Program, string Record)
    {
        public string[] Calls() => File.Exists(Record) ? File.ReadAllLines(Record) : [];
    }

    private FakeRustupScript FakeRustup()
    {
        var record = _fakeRustup.Combine("calls");
        var program = _fakeRustup.Write("rustup", $$"""
            #!/bin/sh
            echo "$*" >> '{{record}}'
            case "$*" in
              "target list --installed --toolchain stable") echo x86_64-unknown-linux-gnu ;;
              "run stable rustc --version") echo "rustc 1.83.0 (90b35a623 2024-11-26)" ;;
              "component list --installed --toolchain nightly")
                echo "error: toolchain 'nightly-x86_64-unknown-linux-gnu' is not installed" >&2; exit 1 ;;
              *) echo "error: the fake rustup does not know: $*" >&2; exit 1 ;;
            esac
            """);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(program, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return new FakeRustupScript(program, record);
    }

    /// <summary>Runs the fake rustup where a command asks for rustup; everything else as it is.</summary>
    private sealed class FakeRustupRunner(string rustup) : ICommandRunner
    {
        public Task<ProcessResult> RunAsync(ProcessSpec spec, CancellationToken cancellation = default)
        {
            if (spec.FileName != "rustup")
            {
                return LocalCommandRunner.Instance.RunAsync(spec, cancellation);
            }

            var fake = new ProcessSpec(rustup, [.. spec.Arguments]) { Timeout = spec.Timeout, WorkingDirectory = spec.WorkingDirectory };
            foreach (var (key, value) in spec.Environment)
            {
                fake.Environment[key] = value;
            }

            return LocalCommandRunner.Instance.RunAsync(fake, cancellation);
        }
    }

    /// <summary>Runs commands with RUSTUP_HOME pointed at an empty folder: a rustup that has no toolchains.</summary>
    private sealed class NoToolchainsRunner(string rustupHome) : ICommandRunner
    {
        public Task<ProcessResult> RunAsync(ProcessSpec spec, CancellationToken cancellation = default)
        {
            spec.Environment["RUSTUP_HOME"] = rustupHome;
            spec.Environment["RUSTUP_TOOLCHAIN"] = null;
            return LocalCommandRunner.Instance.RunAsync(spec, cancellation);
        }
    }

    [Fact]
    public void With_a_Debian_toolchain_Debians_rustc_is_chosen_and_its_std_lands_in_a_private_sysroot_in_the_work_dir()
    {
        var board = builds.Board("malta-le");

        var rust = Selector(LocalCommandRunner.Instance).Select("mipsel-unknown-linux-gnu", builds.ToolchainOf(board), requested: null);

        Assert.Equal(RustProvider.Debian, rust.Provider);
        Assert.Equal("/usr/bin/cargo", rust.Program);
        Assert.Equal("/usr/bin/rustc", rust.Environment["RUSTC"]);
        var sysroot = rust.TargetRustflags[1];
        Assert.Equal("--sysroot", rust.TargetRustflags[0]);
        Assert.StartsWith(builds.WorkDir, sysroot);
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(sysroot, "lib", "rustlib", "mipsel-unknown-linux-gnu", "lib"), "libstd-*.rlib"));
        Assert.Equal("/usr/lib/rustlib/x86_64-unknown-linux-gnu", new DirectoryInfo(Path.Combine(sysroot, "lib", "rustlib", "x86_64-unknown-linux-gnu")).LinkTarget);
    }

    [Fact]
    public void A_musl_MIPS_target_with_no_usable_Rust_lists_what_each_way_lacks_with_its_install_command()
    {
        var omega2 = builds.Board("omega2");

        var error = Assert.Throws<CrossboardException>(() =>
            Selector(new NoToolchainsRunner(_emptyRustupHome.Path)).Select("mipsel-unknown-linux-musl", builds.ToolchainOf(omega2), requested: null));

        Assert.Contains("No Rust on this machine can build for mipsel-unknown-linux-musl. What each way lacks:", error.Message);
        if (HasRustup)
        {
            Assert.Contains("rustup stable (prebuilt std): rustup has no stable toolchain. Install: rustup toolchain install stable", error.Message);
            Assert.Contains("rustup nightly (-Zbuild-std): rustup has no nightly toolchain. Install: rustup toolchain install nightly --component rust-src", error.Message);
        }
        else
        {
            Assert.Contains("rustup stable (prebuilt std): rustup is not installed (https://rustup.rs).", error.Message);
        }

        Assert.Contains("Debian's rustc (libstd-rust-dev): Debian ships Rust std only for glibc targets", error.Message);
        Assert.Contains("pick another with --rust=stable|nightly|debian", error.Message);
    }

    [Fact]
    public void Asking_for_stable_for_MIPS_explains_that_MIPS_has_no_prebuilt_std_since_Rust_1_72()
    {
        // The case: stable is there (a rustup that has it, faked on machines without rustup), the MIPS std cannot be.
        var rustup = FakeRustup();
        var error = Assert.Throws<CrossboardException>(() =>
            Selector(new FakeRustupRunner(rustup.Program)).Select("mipsel-unknown-linux-gnu", builds.ToolchainOf(builds.Board("malta-le")), RustProvider.Stable));

        Assert.Contains("--rust=stable cannot build for mipsel-unknown-linux-gnu:", error.Message);
        Assert.Contains("mipsel-unknown-linux-gnu has no prebuilt std in stable Rust since 1.72 (MIPS is tier 3): use nightly with rust-src, or Debian's rustc.", error.Message);
        Assert.Contains("target list --installed --toolchain stable", rustup.Calls());
    }

    [Fact]
    public void Asking_for_stable_for_a_tier_2_target_without_its_std_names_rustup_target_add()
    {
        var error = Assert.Throws<CrossboardException>(() =>
            Selector(new NoToolchainsRunner(_emptyRustupHome.Path)).Select("armv7-unknown-linux-gnueabihf", builds.ToolchainOf(builds.Board("rpi2")), RustProvider.Stable));

        Assert.Contains(HasRustup ? "rustup toolchain install stable" : "rustup is not installed", error.Message);

        // A rustup whose stable has only the host's std (the fake stands in for it on machines
        // without rustup, CI among them): the error names the one command that adds the target.
        var rustup = FakeRustup();
        var missingStd = Assert.Throws<CrossboardException>(() =>
            Selector(new FakeRustupRunner(rustup.Program)).Select("armv7-unknown-linux-gnueabihf", builds.ToolchainOf(builds.Board("rpi2")), RustProvider.Stable));
        Assert.Contains("--rust=stable cannot build for armv7-unknown-linux-gnueabihf:", missingStd.Message);
        Assert.Contains("the armv7-unknown-linux-gnueabihf std is not installed. Install: rustup target add armv7-unknown-linux-gnueabihf --toolchain stable", missingStd.Message);
        Assert.Contains("target list --installed --toolchain stable", rustup.Calls());
    }

    [Fact]
    public void Asking_for_Debians_rustc_for_a_musl_target_is_refused_with_the_targets_Debian_has()
    {
        var error = Assert.Throws<CrossboardException>(() =>
            Selector(LocalCommandRunner.Instance).Select("mipsel-unknown-linux-musl", builds.ToolchainOf(builds.Board("omega2")), RustProvider.Debian));

        Assert.Contains("--rust=debian cannot build for mipsel-unknown-linux-musl:", error.Message);
        Assert.Contains("Debian ships Rust std only for glibc targets of its own architectures (", error.Message);
        Assert.Contains("mipsel-unknown-linux-gnu", error.Message);
    }
}
