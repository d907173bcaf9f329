using Crossboard.Artifacts;
using Crossboard.Cargo;
using Crossboard.Machine;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Cargo;

/// <summary>
/// A crate whose build script compiles C with the cc crate (from Debian's offline registry, the
/// way a user without crates.io access would get it) cross-compiles with the environment
/// CargoBuild sets, and the user's own config keys (the source replacement) keep working.
/// </summary>
[Tier(TestTier.Slow)]
public sealed class CCodeCrateTests(CrossBuilds builds)
{
    private const string DebianRegistry = "/usr/share/cargo/registry";

    private const string UserConfig = """
        # The user's own settings: crates from Debian's packaged registry, offline.
        [source.crates-io]
        replace-with = "debian-packages"

        [source.debian-packages]
        directory = "/usr/share/cargo/registry"

        [net]
        offline = true # no network here
        """;

    [Fact]
    public void A_build_script_compiling_C_with_the_cc_crate_uses_the_cross_compiler_and_the_binary_runs_on_mipsel()
    {
        if (!Directory.EnumerateDirectories(DebianRegistry, "cc-1.*").Any())
        {
            Assert.Fail($"The cc crate is missing from {DebianRegistry}: tests/setup/install-prereqs.sh installs librust-cc-dev.");
        }

        var build = builds.Crate("c-crate-malta-le", Path.Combine(RepoPaths.Root, "tests", "Cargo", "Fixtures", "c-crate"), "malta-le", new CargoBuildOptions(),
            app =>
            {
                Directory.CreateDirectory(Path.Combine(app, ".cargo"));
                File.WriteAllText(CargoConfigFile.PathIn(app), UserConfig);
            });

        var config = File.ReadAllText(CargoConfigFile.PathIn(build.AppDir));
        Assert.StartsWith(UserConfig, config); // the user's keys and comments, byte for byte
        Assert.Contains("[target.mipsel-unknown-linux-gnu]", config);
        var elf = ElfFile.Read(build.Artifact.Path);
        Assert.Equal((ElfFile.MachineMips, true), (elf.Machine, elf.LittleEndian));

        var run = ProcessRunner.Run(new ProcessSpec(build.Settings.Runner[0], [.. build.Settings.Runner.Skip(1), build.Artifact.Path]), TestContext.Current.CancellationToken);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("C says 42 on mipsel", run.StandardOutput.Trim());
    }

    [Fact]
    public void The_environment_names_the_cross_tools_in_every_spelling_cc_rs_and_pkg_config_read()
    {
        var board = builds.Board("malta-le");
        var toolchain = builds.Resolve(builds.ToolchainOf(board));

        var env = CargoEnvironment.For("mipsel-unknown-linux-gnu", toolchain, debianMultiarch: true);

        Assert.Equal("/usr/bin/mipsel-linux-gnu-gcc", env["CARGO_TARGET_MIPSEL_UNKNOWN_LINUX_GNU_LINKER"]);
        Assert.Equal("/usr/bin/mipsel-linux-gnu-gcc", env["CC_mipsel-unknown-linux-gnu"]);
        Assert.Equal("/usr/bin/mipsel-linux-gnu-gcc", env["CC_mipsel_unknown_linux_gnu"]);
        Assert.Equal("/usr/bin/mipsel-linux-gnu-ar", env["AR_mipsel_unknown_linux_gnu"]);
        Assert.Equal("1", env["PKG_CONFIG_ALLOW_CROSS"]);
        Assert.Equal("/usr/lib/mipsel-linux-gnu/pkgconfig:/usr/share/pkgconfig", env["PKG_CONFIG_LIBDIR_mipsel_unknown_linux_gnu"]);
        Assert.True(File.Exists(env["CC_mipsel-unknown-linux-gnu"]));
    }
}
