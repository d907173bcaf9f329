using System.Diagnostics;
using Crossboard.Artifacts;
using Crossboard.Cargo;
using Crossboard.Machine;
using Crossboard.Tests.Support;
using Crossboard.Toolchains;

namespace Crossboard.Tests.Cargo;

/// <summary>
/// Target C libraries an app declares in its Cargo.toml: fetched for the board's target by the
/// toolchain's kind (Debian's -dev packages with a private apt, unpacked into a sysroot under the
/// work dir), found by the build (pkg-config and the -sys crates' variables), linked statically
/// where the board links static, and run under qemu-user. Real apt (served from
/// CROSSBOARD_DEB_CACHE, which tests/setup/warm-caches.sh fills), real cross gcc, Debian's cargo
/// with Debian's packaged crates (--cargo-config=tests/setup/debian-crates.toml), real qemu-user.
/// </summary>
[Tier(TestTier.Slow)]
public sealed class CLibrariesTests(CrossBuilds builds)
{
    private static readonly string SqliteApp = Path.Combine(RepoPaths.Root, "tests", "Cargo", "Fixtures", "sqlite-app");

    private const string SqliteAnswer = @"^sqlite 3\.\d+\.\d+ in memory: sum = 42$";

    private CrossBuilds.Build BuildSqlite(string board) =>
        builds.Crate($"sqlite-app-{board}", SqliteApp, board, new CargoBuildOptions(CargoConfig: CargoConfigSwitchTests.DebianCrates));

    [Fact]
    public void The_sqlite_app_links_the_targets_libsqlite3_statically_for_malta_le_and_opens_an_in_memory_database()
    {
        var build = BuildSqlite("malta-le");

        var elf = ElfFile.Read(build.Artifact.Path);
        Assert.Equal(ElfFile.MachineMips, elf.Machine);
        Assert.Null(elf.Interpreter); // static: malta-le runs musl, the toolchain links glibc
        Assert.Empty(elf.Needed);
        Assert.Contains(build.Log.Lines, l => l.Contains("C libraries for mipsel-unknown-linux-gnu: sqlite3, z, linked statically", StringComparison.Ordinal));
        var run = ProcessRunner.Run(new ProcessSpec(build.Settings.Runner[0], [.. build.Settings.Runner.Skip(1), build.Artifact.Path]), TestContext.Current.CancellationToken);
        Assert.True(run.ExitCode == 0, run.StandardError);
        Assert.Matches(SqliteAnswer, run.StandardOutput.Trim());
    }

    [Fact]
    public void The_sqlite_app_links_libsqlite3_dynamically_for_rpi2_and_runs_with_the_private_sysroot_nothing_installed_on_the_host()
    {
        var foreignBefore = ProcessRunner.Run(new ProcessSpec("dpkg", "--print-foreign-architectures"), TestContext.Current.CancellationToken).StandardOutput;

        var build = BuildSqlite("rpi2");

        var elf = ElfFile.Read(build.Artifact.Path);
        Assert.Equal(ElfFile.MachineArm, elf.Machine);
        Assert.Contains("libsqlite3.so.0", elf.Needed);
        var sysroot = Path.Combine(builds.WorkDir, "target-libs", "debian-armhf", "sqlite3");
        Assert.True(DebianTargetLibraries.IsComplete(sysroot));
        Assert.True(File.Exists(Path.Combine(sysroot, "usr", "lib", "arm-linux-gnueabihf", "libsqlite3.so.0")));
        Assert.False(File.Exists(Path.Combine(sysroot, "usr", "lib", "arm-linux-gnueabihf", "libc.so")), "the toolchain's libc dev files are not shadowed");

        // qemu-user with the sysroot as the target's root: its loader, libc and libsqlite3.
        // cargo's runner (cargo run --target) is qemu-user with the sysroot as the target's root: its loader, libc and libsqlite3.
        Assert.Equal(["qemu-arm", "-L", sysroot], build.Settings.Runner);
        Assert.Contains($"runner = [\"qemu-arm\", \"-L\", \"{sysroot}\"]", File.ReadAllText(CargoConfigFile.PathIn(build.AppDir)));
        Assert.Contains(build.Log.Lines, l => l.StartsWith($"To run it here: qemu-arm -L {sysroot} {build.Artifact.Path}", StringComparison.Ordinal));
        var run = ProcessRunner.Run(new ProcessSpec(build.Settings.Runner[0], [.. build.Settings.Runner.Skip(1), build.Artifact.Path]), TestContext.Current.CancellationToken);
        Assert.True(run.ExitCode == 0, run.StandardError);
        Assert.Matches(SqliteAnswer, run.StandardOutput.Trim());
        Assert.Equal(foreignBefore, ProcessRunner.Run(new ProcessSpec("dpkg", "--print-foreign-architectures"), TestContext.Current.CancellationToken).StandardOutput);
    }

    [Fact]
    public void A_second_run_finds_the_sysroot_ready_and_runs_no_apt()
    {
        var build = BuildSqlite("rpi2");
        var stage = new CargoStage(LocalCommandRunner.Instance, new DebianPackages(CrossBuilds.Yes, _ => { }), new RecordingBuildLog());
        var inputs = builds.Inputs(build.AppDir, builds.Board("rpi2"));

        var watch = Stopwatch.StartNew();
        var again = stage.ProvideCLibraries(inputs, build.Settings, TestContext.Current.CancellationToken);

        Assert.NotNull(again);
        Assert.True(again.Reused);
        Assert.False(again.Static);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"took {watch.Elapsed}");
    }

    [Fact]
    public void The_build_environment_points_pkg_config_and_the_sys_crates_at_the_sysroot_for_this_target_only()
    {
        var board = builds.Board("rpi2");
        var toolchain = builds.Resolve(builds.ToolchainOf(board));
        using var dir = new TempDir("c-libs-env");
        var root = dir.Path;
        Directory.CreateDirectory(Path.Combine(root, "usr", "include"));
        Directory.CreateDirectory(Path.Combine(root, "usr", "lib", "arm-linux-gnueabihf"));
        var libraries = new TargetLibraries([CLibraries.Find("sqlite3")!, CLibraries.Find("ssl")!, CLibraries.Find("pq")!], root,
            [Path.Combine(root, "usr", "lib", "arm-linux-gnueabihf"), Path.Combine(root, "lib", "arm-linux-gnueabihf")],
            [Path.Combine(root, "usr", "include")], [Path.Combine(root, "usr", "lib", "arm-linux-gnueabihf", "pkgconfig")], Static: false, Reused: true);
        var lib = Path.Combine(root, "usr", "lib", "arm-linux-gnueabihf");

        var env = CargoEnvironment.ForLibraries("armv7-unknown-linux-gnueabihf", toolchain, libraries);
        var flags = CargoEnvironment.LinkFlags(libraries);

        Assert.Equal("1", env["PKG_CONFIG_ALLOW_CROSS"]);
        Assert.Equal(lib + "/pkgconfig", env["PKG_CONFIG_PATH_armv7_unknown_linux_gnueabihf"]);
        Assert.Equal(lib + "/pkgconfig", env["PKG_CONFIG_LIBDIR_armv7_unknown_linux_gnueabihf"]);
        Assert.Equal(root, env["PKG_CONFIG_SYSROOT_DIR_armv7_unknown_linux_gnueabihf"]);
        Assert.Equal(lib, env["SQLITE3_LIB_DIR"]);
        Assert.Equal(Path.Combine(root, "usr", "include"), env["SQLITE3_INCLUDE_DIR"]);
        Assert.False(env.ContainsKey("SQLITE3_STATIC"));
        Assert.Equal(lib, env["PQ_LIB_DIR"]);
        Assert.Equal(Path.Combine(root, "usr"), env["ARMV7_UNKNOWN_LINUX_GNUEABIHF_OPENSSL_DIR"]);
        Assert.Equal(lib, env["ARMV7_UNKNOWN_LINUX_GNUEABIHF_OPENSSL_LIB_DIR"]);
        Assert.Contains("-isystem " + Path.Combine(root, "usr", "include"), env["CFLAGS_armv7_unknown_linux_gnueabihf"]);
        Assert.Equal(["-L", "native=" + lib, "-C", "link-arg=-Wl,-rpath-link," + lib], flags); // only the folders that exist
        Assert.False(env.ContainsKey("PKG_CONFIG_SYSROOT_DIR"), "never the host's own pkg-config setting");
        Assert.Equal("1", CargoEnvironment.ForLibraries("armv7-unknown-linux-gnueabihf", toolchain, libraries with { Static = true })["SQLITE3_STATIC"]);
    }

    [Fact]
    public void An_unknown_library_name_is_a_clear_error_with_the_file_line_and_what_was_meant()
    {
        const string manifest = "[package]\nname = \"x\"\nversion = \"0.1.0\"\n\n[package.metadata.crossboard]\nc-libraries = [\"sqlite\", \"libpq\", \"gtk\"]\n";

        var error = Assert.Throws<InputException>(() => AppManifest.ReadCLibraries(manifest, "/app/Cargo.toml"));

        Assert.Contains("3 problems in the app's [package.metadata.crossboard]", error.Message);
        Assert.Contains("/app/Cargo.toml(6,16): 'sqlite' is not a C library crossboard can provide. Did you mean 'sqlite3'?", error.Message);
        Assert.Contains("/app/Cargo.toml(6,26): 'libpq' is not a C library crossboard can provide. Did you mean 'pq'?", error.Message);
        Assert.Contains("/app/Cargo.toml(6,35): 'gtk' is not a C library crossboard can provide. Known: sqlite3 (SQLite), pq", error.Message);
        // Each at its place, for a CI to annotate (and exit code 2: bad input).
        Assert.Equal([(6, 16), (6, 26), (6, 35)], error.Problems.Select(p => (p.Line, p.Column)));
        Assert.All(error.Problems, p => Assert.Equal("/app/Cargo.toml", p.File));
    }

    [Fact]
    public void Other_shapes_of_the_declaration_are_read_and_wrong_ones_are_named()
    {
        var inline = AppManifest.ReadCLibraries("[package]\nname = \"x\"\nmetadata.crossboard = { c-libraries = [\"ssl\"] }\n", "Cargo.toml");
        var none = AppManifest.ReadCLibraries("[package]\nname = \"x\"\n[package.metadata.docs]\nc-libraries = [\"ssl\"]\n", "Cargo.toml");
        var notAList = Assert.Throws<InputException>(() => AppManifest.ReadCLibraries("[package.metadata.crossboard]\nc-libraries = \"sqlite3\"\n", "Cargo.toml"));
        var typo = Assert.Throws<InputException>(() => AppManifest.ReadCLibraries("[package.metadata.crossboard]\nc-librarys = [\"sqlite3\"]\n", "Cargo.toml"));
        var twice = Assert.Throws<InputException>(() => AppManifest.ReadCLibraries("[package.metadata.crossboard]\nc-libraries = [\"z\", \"z\"]\n", "Cargo.toml"));

        Assert.Equal("ssl", Assert.Single(inline).Library.Name);
        Assert.Empty(none);
        Assert.Contains("Cargo.toml(2,15): c-libraries must be a list of C library names, e.g. c-libraries = [\"sqlite3\"]", notAList.Message);
        Assert.Contains("Cargo.toml(2,1): [package.metadata.crossboard] has no key 'c-librarys'. Did you mean 'c-libraries'?", typo.Message);
        Assert.Contains("Cargo.toml(2,21): 'z' is listed twice", twice.Message);
    }

    [Fact]
    public void A_build_declaring_an_unknown_library_stops_before_cargo_with_the_line_and_no_stack_trace()
    {
        using var app = new TempDir("c-libs-cli");
        CrossBuilds.CopyTree(SqliteApp, app.Path);
        var manifest = File.ReadAllText(app.Combine("Cargo.toml")).Replace("c-libraries = [\"sqlite3\"]", "c-libraries = [\"sqlit3\"]");
        File.WriteAllText(app.Combine("Cargo.toml"), manifest);

        var result = BuildCli.Run("--target=CargoBuild", $"--app={app.Path}", $"--work-dir={app.Combine("work")}", $"--cargo-config={CargoConfigSwitchTests.DebianCrates}", "--yes");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"{app.Combine("Cargo.toml")}(13,16): 'sqlit3' is not a C library crossboard can provide. Did you mean 'sqlite3'?", result.All);
        Assert.DoesNotContain("   at ", result.All);
        Assert.DoesNotContain("Compiling", result.All); // cargo never ran
    }

    [Fact]
    public void An_OpenWrt_toolchain_kind_given_a_toolchain_without_its_SDK_says_so_and_what_to_do()
    {
        var board = builds.Board("malta-le");
        var openwrt = builds.Catalog.ToolchainFor(board, "openwrt-sdk-24.10");
        var declared = AppManifest.ReadCLibraries("[package.metadata.crossboard]\nc-libraries = [\"sqlite3\"]\n", "/app/Cargo.toml");
        var request = new CLibrariesRequest(board, openwrt, builds.Resolve(builds.ToolchainOf(board)), declared, Static: false, builds.WorkDir, new RecordingBuildLog());

        var error = Assert.Throws<CrossboardException>(() => ToolchainKinds.Of(openwrt).ProvideCLibraries(request));

        Assert.Contains("/app/Cargo.toml(2,16): the app's target C libraries are built in the prebuilt SDK, but", error.Message);
        Assert.Contains("has no scripts/feeds and Makefile", error.Message);
        Assert.DoesNotContain("   at ", error.Message);
    }

    [Fact]
    public void A_library_that_cannot_link_statically_is_refused_for_a_static_board_without_an_emulated_device_before_anything_is_downloaded()
    {
        // (malta-le's own emulated device runs such a build dynamically: tests/Samples/SensorLogTests.cs.)
        var board = builds.Board("malta-real");
        var debian = builds.ToolchainOf(board);
        using var work = new TempDir("c-libs-static");
        var declared = AppManifest.ReadCLibraries("[package.metadata.crossboard]\nc-libraries = [\"sqlite3\", \"pq\"]\n", "/app/Cargo.toml");
        var request = new CLibrariesRequest(board, debian, builds.Resolve(debian), declared, Static: true, work.Path, new RecordingBuildLog());

        var error = Assert.Throws<CrossboardException>(() => ToolchainKinds.Of(debian).ProvideCLibraries(request));

        Assert.Contains("/app/Cargo.toml(2,27): malta-real links statically (the device runs musl, the debian-mipsel toolchain links gnu), and PostgreSQL's client library libpq cannot be linked statically", error.Message);
        Assert.Contains("What to do:", error.Message);
        Assert.False(Directory.Exists(Path.Combine(work.Path, "target-libs", "debian-mipsel")), "nothing fetched");
    }
}
