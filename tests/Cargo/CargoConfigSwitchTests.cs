using Crossboard.Cargo;
using Crossboard.Machine;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Cargo;

/// <summary>
/// --cargo-config=FILE: checked before any task, given to every cargo call as cargo's own
/// --config FILE, and never written into the app's or the user's config files.
/// </summary>
[Tier(TestTier.Slow)]
public sealed class CargoConfigSwitchTests(CrossBuilds builds)
{
    public static readonly string DebianCrates = Path.Combine(RepoPaths.Root, "tests", "setup", "debian-crates.toml");

    [Fact]
    public void A_missing_cargo_config_file_stops_the_run_before_any_task_and_says_which()
    {
        var result = BuildCli.Run("--target=CargoBuild", "--cargo-config=no/such/crates.toml");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("--cargo-config=no/such/crates.toml: no such file", result.All);
        Assert.DoesNotContain("   at ", result.All);
        Assert.Contains("--cargo-config=FILE", BuildCli.Run("--help").Output);
    }

    [Fact]
    public void The_file_goes_to_cargo_as_its_config_option_by_absolute_path()
    {
        Assert.Equal(["--config", DebianCrates], CargoBuilder.ConfigArguments(DebianCrates));
        Assert.Empty(CargoBuilder.ConfigArguments(null));
    }

    [Fact]
    public void A_crates_io_dependency_builds_offline_from_Debians_packaged_crates_and_no_config_file_is_changed()
    {
        if (!Directory.EnumerateDirectories("/usr/share/cargo/registry", "pkg-config-0.3*").Any())
        {
            Assert.Fail("The pkg-config crate is missing from /usr/share/cargo/registry: tests/setup/install-prereqs.sh installs librust-pkg-config-dev.");
        }

        var home = Environment.GetEnvironmentVariable("CARGO_HOME") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cargo");
        var globalBefore = File.Exists(Path.Combine(home, "config.toml")) ? File.ReadAllText(Path.Combine(home, "config.toml")) : null;

        var build = builds.Crate("registry-crate-malta-le", Path.Combine(RepoPaths.Root, "tests", "Cargo", "Fixtures", "registry-crate"), "malta-le",
            new CargoBuildOptions(CargoConfig: DebianCrates));

        var run = ProcessRunner.Run(new ProcessSpec(build.Settings.Runner[0], [.. build.Settings.Runner.Skip(1), build.Artifact.Path]), TestContext.Current.CancellationToken);
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("pkg-config crate linked", run.StandardOutput.Trim());
        var appConfig = File.ReadAllText(CargoConfigFile.PathIn(build.AppDir));
        Assert.DoesNotContain("source", appConfig); // only the board's [target] table: the replacement was --config's
        Assert.Equal(File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "Cargo", "Fixtures", "registry-crate", "Cargo.toml")), File.ReadAllText(Path.Combine(build.AppDir, "Cargo.toml")));
        Assert.Equal(globalBefore, File.Exists(Path.Combine(home, "config.toml")) ? File.ReadAllText(Path.Combine(home, "config.toml")) : null);
    }
}
