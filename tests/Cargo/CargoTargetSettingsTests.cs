using Crossboard.Cargo;
using Crossboard.Recipes;
using Crossboard.Tests.Support;
using Crossboard.Toolchains;

namespace Crossboard.Tests.Cargo;

/// <summary>
/// Static or dynamic, and how qemu-user runs the result, for each way the app's C libraries come:
/// a musl board with a glibc toolchain links statically, unless a library cannot be (then the build
/// is for the board's emulated device, dynamic, with Debian's sysroot as the root); an OpenWrt
/// staging_dir holds no loader, so the toolchain's root is used and the libraries are found
/// through LD_LIBRARY_PATH.
/// </summary>
[Tier(TestTier.Unit)]
public sealed class CargoTargetSettingsTests
{
    private static readonly RecipeCatalog Catalog = RecipeCatalog.Load(RepoPaths.Recipes, RepoPaths.Toolchains);

    private static ResolvedToolchain Toolchain(string libc, string? sysroot) =>
        new("t", libc, "mipsel-linux-gnu", "/bin", "/bin/cc", "/bin/ar", "/bin/strip", sysroot, new Dictionary<string, string>(), []);

    private static TargetLibraries Libraries(string root, bool emulatedOnly = false, bool hasLibc = true) =>
        new([CLibraries.Find("pq")!], root, [root + "/usr/lib"], [root + "/usr/include"], [root + "/usr/lib/pkgconfig"], Static: false, Reused: true, emulatedOnly, hasLibc);

    [Fact]
    public void A_musl_board_with_a_glibc_toolchain_links_statically_unless_the_build_is_for_its_emulated_device()
    {
        var malta = Catalog.GetBoard("malta-le");
        var glibc = Toolchain("gnu", null);

        var plain = CargoTargetSettings.For(malta, glibc, "mipsel-unknown-linux-gnu");
        var emulated = CargoTargetSettings.For(malta, glibc, "mipsel-unknown-linux-gnu", Libraries("/w/target-libs/pq", emulatedOnly: true));

        Assert.True(plain.Static);
        Assert.Contains(CargoTargetSettings.CrtStatic, plain.Rustflags);
        Assert.False(emulated.Static);
        Assert.DoesNotContain(CargoTargetSettings.CrtStatic, emulated.Rustflags);
        Assert.Equal(["qemu-mipsel", "-L", "/w/target-libs/pq"], emulated.Runner);
    }

    [Fact]
    public void An_OpenWrt_staging_dir_runs_with_the_toolchains_root_and_the_libraries_on_the_library_path()
    {
        var omega2 = Catalog.GetBoard("omega2");
        var musl = Toolchain("musl", "/sdk/staging_dir/toolchain-mipsel_24kc_gcc-13.3.0_musl");

        var settings = CargoTargetSettings.For(omega2, musl, "mipsel-unknown-linux-musl", Libraries("/sdk/staging_dir/target-mipsel_24kc_musl", hasLibc: false));

        Assert.False(settings.Static);
        Assert.Equal(["qemu-mipsel", "-L", "/sdk/staging_dir/toolchain-mipsel_24kc_gcc-13.3.0_musl", "-E", "LD_LIBRARY_PATH=/sdk/staging_dir/target-mipsel_24kc_musl/usr/lib"],
            settings.Runner);
    }
}
