using Crossboard.Cargo;
using Crossboard.Machine;
using Crossboard.Recipes;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Machine.Plan;

/// <summary>
/// The OpenWrt boards' musl targets need rustup's Rust, which crossboard does not install: the
/// host plan looks for it in rustup's folders before the first task, so a run without it stops
/// at once with the commands instead of failing at CargoBuild after the toolchain's build.
/// </summary>
[Tier(TestTier.Unit)]
public sealed class RustupNeedTests : IDisposable
{
    private readonly TempDir _rustup = new("rustup-home");
    private readonly RecipeCatalog _catalog = RecipeCatalog.Load(RepoPaths.Recipes, RepoPaths.Toolchains);

    public void Dispose() => _rustup.Dispose();

    private Prerequisite? Need(string board, string toolchain, RustProvider? rust = null)
    {
        var b = _catalog.GetBoard(board);
        var t = _catalog.ToolchainFor(b, toolchain);
        return HostPrerequisites.For(new HostNeedsQuery(b, t, RecipeCatalog.RustTargetFor(b, t), Emulator: null, Rust: rust, RustupHome: _rustup.Path))
            .SingleOrDefault(n => n.Name.EndsWith("(rustup)", StringComparison.Ordinal));
    }

    private void Make(params string[] relative)
    {
        foreach (var path in relative)
        {
            var full = _rustup.Combine(path);
            if (Path.GetExtension(full) == ".rlib")
            {
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                File.WriteAllText(full, "");
            }
            else
            {
                Directory.CreateDirectory(full);
            }
        }
    }

    [Fact]
    public void A_mips_musl_board_needs_nightly_with_rust_src_and_a_dated_nightly_is_not_it()
    {
        var need = Need("omega2", "openwrt-sdk-24.10")!;

        Assert.Equal("Rust for mipsel-unknown-linux-musl (rustup)", need.Name);
        Assert.Equal(["CargoBuild", "CargoTest"], need.Tasks);
        Assert.False(need.Advisory); // the plan stops on it: crossboard cannot install rustup
        Assert.Empty(need.DebianPackages);
        Assert.Contains("rustup toolchain install nightly --component rust-src", need.OtherInstall);
        Assert.False(need.IsPresent());

        Make("toolchains/nightly-2024-01-01-x86_64-unknown-linux-gnu/lib/rustlib/src/rust/library");
        Assert.False(need.IsPresent()); // "rustup run nightly" does not use a dated toolchain
        Make("toolchains/nightly-x86_64-unknown-linux-gnu/lib/rustlib/x86_64-unknown-linux-gnu/lib");
        Assert.False(need.IsPresent()); // nightly without rust-src
        Make("toolchains/nightly-x86_64-unknown-linux-gnu/lib/rustlib/src/rust/library");
        Assert.True(need.IsPresent());
    }

    [Fact]
    public void An_arm_musl_board_is_served_by_stable_with_its_std_or_by_nightly_with_rust_src()
    {
        var need = Need("rpi-zero", "openwrt-sdk-24.10")!;

        Assert.Contains("rustup target add arm-unknown-linux-musleabihf --toolchain stable", need.OtherInstall);
        Assert.False(need.IsPresent());
        Make("toolchains/stable-x86_64-unknown-linux-gnu/lib/rustlib/arm-unknown-linux-musleabihf/lib/libstd-0123.rlib");
        Assert.True(need.IsPresent());
        Assert.False(Need("rpi-zero", "openwrt-sdk-24.10", RustProvider.Nightly)!.IsPresent()); // --rust=nightly: stable's std does not count
    }

    [Fact]
    public void Boards_that_Debians_Rust_serves_and_rust_debian_need_no_rustup()
    {
        Assert.Null(Need("malta-le", "debian-mipsel"));
        Assert.Null(Need("rpi3", "debian-arm64"));
        Assert.Null(Need("omega2", "openwrt-sdk-24.10", RustProvider.Debian));
    }

    [Fact]
    public void A_run_without_it_stops_before_its_first_task_with_the_commands()
    {
        var result = BuildCli.Run(["--target=CargoBuild", "--board=omega2", "--toolchain=openwrt-sdk-24.10", $"--work-dir={_rustup.Combine("work")}"],
            new Dictionary<string, string?> { ["RUSTUP_HOME"] = _rustup.Path });

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("Rust for mipsel-unknown-linux-musl (rustup)", result.All);
        Assert.Contains("rustup toolchain install nightly --component rust-src", result.All);
        Assert.Contains("Nothing was installed and no task ran.", result.All);
        Assert.DoesNotMatch(@"BuildToolchain\s+[\d:.]+\s+(Succeeded|Failed)", result.Output);
    }
}
