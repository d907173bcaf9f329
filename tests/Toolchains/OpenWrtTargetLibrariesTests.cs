using System.Diagnostics;
using System.Security.Cryptography;
using Crossboard.Artifacts;
using Crossboard.Cargo;
using Crossboard.Deploy;
using Crossboard.Machine;
using Crossboard.Recipes;
using Crossboard.Sdk;
using Crossboard.Tests.Fixtures;
using Crossboard.Tests.Support;
using Crossboard.Toolchains;

namespace Crossboard.Tests.Toolchains;

/// <summary>
/// Target C libraries the OpenWrt way, against the mini SDK (real git, make and Kconfig): its
/// packages feed (a git repository the tree's feeds.conf.default names, with sqlite3), its own
/// package/libs/zlib, `scripts/feeds update/install`, CONFIG_PACKAGE_*=m and make defconfig, and
/// `make package/&lt;pkg&gt;/compile` staging tiny C libraries built with the mini toolchain into
/// staging_dir/target-*. Then a C build finds them through pkg-config as CargoStage points it, and
/// the prebuilt SDK kind does the same in an SDK packed from the tree.
/// </summary>
[Tier(TestTier.Integration)]
public sealed class OpenWrtTargetLibrariesTests : IDisposable
{
    private const string Triple = "mipsel-unknown-linux-musl";

    private readonly SdkTestbed _bed = new();

    public void Dispose() => _bed.Dispose();

    private static IReadOnlyList<DeclaredCLibrary> Declared(params string[] names) =>
        AppManifest.ReadCLibraries($"[package.metadata.crossboard]\nc-libraries = [{string.Join(", ", names.Select(n => $"\"{n}\""))}]\n", "/app/Cargo.toml");

    /// <summary>The tree cloned, seeded for omega2p and its toolchain built, as BuildToolchain leaves it.</summary>
    private ResolvedToolchain Toolchain()
    {
        _bed.Clone();
        _bed.Seed(_bed.Board("omega2p"));
        using var workspace = _bed.Open();
        return new OpenWrtSourceToolchain(_bed.Runner, _bed.Log) { Jobs = 2 }.Resolve(workspace, _bed.Toolchain, SdkTestbed.Cancel).Toolchain;
    }

    private TargetLibraries Provide(ResolvedToolchain toolchain, ToolchainDefinition? definition = null, params string[] names) =>
        ToolchainKinds.Of(definition ?? _bed.Toolchain).ProvideCLibraries(new CLibrariesRequest(_bed.Board("omega2p"), definition ?? _bed.Toolchain, toolchain,
            Declared(names.Length > 0 ? names : ["sqlite3", "z"]), Static: false, _bed.Work.Path, _bed.Log, SdkTestbed.Cancel, _bed.Runner));

    private string Tree => _bed.Layout.TreeDir;

    private string LogFile => _bed.Layout.Log("c-libraries");

    private string[] Stamps => Directory.Exists(Path.Combine(_bed.Layout.StampDir, "packages"))
        ? Directory.GetFiles(Path.Combine(_bed.Layout.StampDir, "packages"), "*.json", SearchOption.AllDirectories)
        : [];

    [Fact]
    public void Sqlite3_from_the_packages_feed_and_zlib_from_the_tree_are_staged_and_a_C_build_finds_them_through_pkg_config()
    {
        var toolchain = Toolchain();

        var provided = Provide(toolchain);

        var staging = Path.Combine(Tree, "staging_dir", "target-mipsel_24kc_musl");
        Assert.False(provided.Reused);
        Assert.False(provided.Static); // OpenWrt's toolchain is the board's libc (musl): linked dynamically
        Assert.Equal(staging, provided.Sysroot);
        Assert.Equal(["sqlite3", "z"], provided.Libraries.Select(l => l.Name));
        Assert.Equal("../../../feeds/packages/libs/sqlite3", new DirectoryInfo(Path.Combine(Tree, "package", "feeds", "packages", "sqlite3")).LinkTarget);
        Assert.False(Directory.Exists(Path.Combine(Tree, "package", "feeds", "base")), "zlib is the tree's own package: no feed");
        var config = DotConfig.Read(_bed.Layout.DotConfig);
        Assert.Equal("m", config["CONFIG_PACKAGE_libsqlite3"]);
        Assert.Equal("m", config["CONFIG_PACKAGE_zlib"]);
        Assert.Equal(2, Stamps.Length);
        Assert.Contains("Updating the 'packages' feed: ./scripts/feeds update packages", _bed.Log.Text);
        Assert.Contains("Compiling: make package/sqlite3/compile package/zlib/compile -j", _bed.Log.Text);
        Assert.Contains("Installing package 'sqlite3' from packages", File.ReadAllText(LogFile)); // V=s output in the log

        // A C program of the target, compiled and linked with what pkg-config answers as the
        // pkg-config crate asks it (the per-target variables CargoStage sets).
        var env = CargoEnvironment.ForLibraries(Triple, toolchain, provided);
        var underscored = Triple.Replace('-', '_');
        var pkgConfig = ProcessRunner.RunChecked(new ProcessSpec("pkg-config", "--cflags", "--libs", "sqlite3", "zlib")
        {
            Environment =
            {
                ["PKG_CONFIG_PATH"] = env[$"PKG_CONFIG_PATH_{underscored}"],
                ["PKG_CONFIG_LIBDIR"] = env[$"PKG_CONFIG_LIBDIR_{underscored}"],
                ["PKG_CONFIG_SYSROOT_DIR"] = env[$"PKG_CONFIG_SYSROOT_DIR_{underscored}"],
            },
        }, "pkg-config for the target", SdkTestbed.Cancel).StandardOutput.Trim();
        Assert.Contains($"-I{staging}/usr/include", pkgConfig);
        Assert.Contains($"-L{staging}/usr/lib", pkgConfig);
        var source = _bed.Work.Write("app.c",
            "#include <stdio.h>\n#include <sqlite3.h>\n#include <zlib.h>\nint main(void) { printf(\"sqlite %s zlib %s\\n\", sqlite3_libversion(), zlibVersion()); return 0; }\n");
        var app = _bed.Work.Combine("app");
        ProcessRunner.RunChecked(new ProcessSpec(toolchain.CC, [source, "-o", app, .. pkgConfig.Split(' ', StringSplitOptions.RemoveEmptyEntries)])
        {
            Environment = { ["STAGING_DIR"] = toolchain.Environment["STAGING_DIR"] },
        }, "compiling against the staged libraries", SdkTestbed.Cancel);
        var elf = ElfFile.Read(app);
        Assert.Equal(ElfFile.MachineMips, elf.Machine);
        Assert.Contains("libsqlite3.so.0", elf.Needed);
        Assert.Contains("libz.so.1", elf.Needed);
        var run = ProcessRunner.Run(new ProcessSpec("qemu-mipsel", "-L", "/usr/mipsel-linux-gnu", "-E", $"LD_LIBRARY_PATH={staging}/usr/lib", app), SdkTestbed.Cancel);
        Assert.True(run.ExitCode == 0, run.StandardError);
        Assert.Equal("sqlite 3.46.1 zlib 1.3.1", run.StandardOutput.Trim());

        // The device side: what the binary NEEDs and an OpenWrt device lacks is named with its opkg package.
        var refusal = DeviceLibraries.Refusal("app", "omega2p", elf.Needed.Where(n => n.StartsWith("libsqlite3", StringComparison.Ordinal) || n.StartsWith("libz", StringComparison.Ordinal)).ToList(), opkg: true, apt: false);
        Assert.Contains("opkg update && opkg install libsqlite3 zlib", refusal);
        Assert.DoesNotContain("apt-get", refusal);
    }

    [Fact]
    public void A_second_run_runs_no_make_and_no_feeds_script_until_the_feed_moves()
    {
        var toolchain = Toolchain();
        Provide(toolchain);
        File.Delete(LogFile);

        var watch = Stopwatch.StartNew();
        var again = Provide(toolchain);
        watch.Stop();

        Assert.True(again.Reused);
        Assert.False(File.Exists(LogFile), "neither make nor scripts/feeds ran");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"took {watch.Elapsed}");
        // The .config crossboard changed is still the verified seed: SeedConfig has nothing to do.
        Assert.True(_bed.Seed(_bed.Board("omega2p")).Skipped);

        // A new revision of the feed (as `./scripts/feeds update packages` brings) is built again.
        var feed = Path.Combine(Tree, "feeds", "packages");
        File.AppendAllText(Path.Combine(feed, "libs", "sqlite3", "Makefile"), "\n# a new release\n");
        MiniSdk.Git(feed, "commit", "--quiet", "-am", "sqlite3: a new release");

        var moved = Provide(toolchain);

        Assert.False(moved.Reused);
        Assert.Contains("make package/sqlite3/compile", File.ReadAllText(LogFile));
        Assert.DoesNotContain("make package/zlib/compile", _bed.Log.Lines.Last(l => l.StartsWith("Compiling: ", StringComparison.Ordinal)));
    }

    [Fact]
    public void An_unreachable_feed_is_a_clear_error_naming_it_and_nothing_is_selected_or_stamped()
    {
        var toolchain = Toolchain();
        File.WriteAllText(Path.Combine(Tree, "feeds.conf"), "src-git packages http://127.0.0.1:9/feed/packages.git\n");
        var configBefore = File.ReadAllText(_bed.Layout.DotConfig);

        var error = Assert.Throws<CrossboardException>(() => Provide(toolchain, null, "sqlite3"));

        Assert.Contains("/app/Cargo.toml(2,16): SQLite comes from the 'packages' feed, which cannot be fetched: `./scripts/feeds update packages`", error.Message);
        Assert.Contains("src-git http://127.0.0.1:9/feed/packages.git", error.Message);
        Assert.Contains($"`src-link packages /path/to/a/clone`", error.Message);
        Assert.Contains("Full log: " + LogFile, error.Message);
        Assert.Empty(Stamps);
        Assert.Equal(configBefore, File.ReadAllText(_bed.Layout.DotConfig));
        Assert.False(Directory.Exists(Path.Combine(Tree, "staging_dir", "target-mipsel_24kc_musl", "usr", "include")));
    }

    [Fact]
    public void A_missing_source_tarball_is_named_with_where_it_was_looked_for_and_nothing_is_stamped()
    {
        var toolchain = Toolchain();
        _bed.Sdk.RemoveFromMirror("sqlite-autoconf-3460100.tar.gz");

        var error = Assert.Throws<CrossboardException>(() => Provide(toolchain));

        Assert.Contains("1 source file(s) of the target C libraries cannot be downloaded", error.Message);
        Assert.Contains("  sqlite-autoconf-3460100.tar.gz (looked for at ", error.Message);
        Assert.Contains("http://127.0.0.1:9/2024/sqlite-autoconf-3460100.tar.gz", error.Message);
        Assert.DoesNotContain("zlib-1.3.1.tar.gz", error.Message);
        Assert.Contains($"Put them into {_bed.Layout.DownloadDir}", error.Message);
        Assert.Contains("DOWNLOAD_MIRROR", error.Message);
        Assert.Contains("Full log: " + LogFile, error.Message);
        Assert.Contains("--retry 0", File.ReadAllText(LogFile)); // curl's retries off: offline fails in seconds
        Assert.Empty(Stamps);
        Assert.DoesNotContain("Compiling: ", _bed.Log.Text); // the check came first
    }

    [Fact]
    public void A_feed_without_the_package_is_a_clear_error_and_the_config_is_left_as_it_was()
    {
        var toolchain = Toolchain();
        Provide(toolchain, null, "z");
        // A feed (here a src-link to a local folder) whose sqlite3 folder holds no package.
        File.WriteAllText(Path.Combine(Tree, "feeds.conf"), $"src-link packages {_bed.Work.Combine("empty-feed")}\n");
        Directory.CreateDirectory(_bed.Work.Combine("empty-feed", "libs", "sqlite3"));
        File.WriteAllText(_bed.Work.Combine("empty-feed", "libs", "sqlite3", "Makefile"), "# not a package: no BuildPackage\n");
        var configBefore = File.ReadAllText(_bed.Layout.DotConfig);

        var error = Assert.Throws<CrossboardException>(() => Provide(toolchain, null, "sqlite3"));

        Assert.Contains("the 'packages' feed (", error.Message);
        Assert.Contains("has no source package sqlite3", error.Message);
        Assert.Equal(configBefore, File.ReadAllText(_bed.Layout.DotConfig));
        Assert.DoesNotContain(Stamps, s => s.EndsWith("sqlite3.json", StringComparison.Ordinal));
    }

    [Fact]
    public void The_prebuilt_SDK_kind_builds_them_in_the_SDK_with_zlib_from_its_base_feed()
    {
        Toolchain(); // the tree whose toolchain the SDK carries, as OpenWrt's buildbots make it
        const string name = "openwrt-sdk-24.10.8-ramips-mt76x8_gcc-12.2.0_musl.Linux-x86_64";
        using var site = new TempDir("sdk-site");
        var releaseDir = site.Combine("releases", "24.10.8", "targets", "ramips", "mt76x8");
        Directory.CreateDirectory(releaseDir);
        ProcessRunner.RunChecked(new ProcessSpec("bash", Path.Combine(MiniSdk.FixtureDir, "sdk.sh"), Tree, _bed.Sdk.RepoPath, site.Combine("build"), name), "packing the SDK", SdkTestbed.Cancel);
        var archive = Path.Combine(releaseDir, name + ".tar.zst");
        ProcessRunner.RunChecked(new ProcessSpec("tar", "--zstd", "-cf", archive, "-C", site.Combine("build"), name), "making the SDK archive", SdkTestbed.Cancel);
        using (var stream = File.OpenRead(archive))
        {
            File.WriteAllText(Path.Combine(releaseDir, "sha256sums"), $"{Convert.ToHexStringLower(SHA256.HashData(stream))} *{name}.tar.zst\n");
        }

        using var server = new StaticHttpServer(site.Path);
        var definition = new ToolchainDefinition
        {
            Name = "openwrt-sdk-test",
            Description = "test",
            Kind = ToolchainDefinition.OpenWrtPrebuilt,
            Libc = "musl",
            Prebuilt = new OpenWrtPrebuiltSettings
            {
                Release = "24.10.8",
                Gcc = "12.2.0",
                Url = server.Url + "/releases/{release}/targets/{target}/{subtarget}/openwrt-sdk-{release}-{target}-{subtarget}_gcc-{gcc}_musl.Linux-x86_64.tar.zst",
                Checksums = server.Url + "/releases/{release}/targets/{target}/{subtarget}/sha256sums",
            },
        };
        var toolchain = new OpenWrtPrebuiltToolchain(_bed.Runner, _bed.Log).Resolve(_bed.Work.Path, _bed.Board("omega2p"), definition, SdkTestbed.Cancel).Toolchain;
        var sdk = Path.GetDirectoryName(Path.GetDirectoryName(toolchain.Sysroot))!;

        var provided = Provide(toolchain, definition);

        var staging = Path.Combine(sdk, "staging_dir", "target-mipsel_24kc_musl");
        Assert.False(provided.Reused);
        Assert.Equal(staging, provided.Sysroot);
        Assert.True(File.Exists(Path.Combine(staging, "usr", "lib", "pkgconfig", "sqlite3.pc")));
        Assert.True(File.Exists(Path.Combine(staging, "usr", "lib", "libz.so.1")));
        Assert.Equal("../../../feeds/base/package/libs/zlib", new DirectoryInfo(Path.Combine(sdk, "package", "feeds", "base", "zlib")).LinkTarget);
        Assert.Equal("../../../feeds/packages/libs/sqlite3", new DirectoryInfo(Path.Combine(sdk, "package", "feeds", "packages", "sqlite3")).LinkTarget);
        Assert.False(File.Exists(Path.Combine(Tree, "staging_dir", "target-mipsel_24kc_musl", "usr", "lib", "libz.so.1")), "built in the SDK, not in the tree");
        Assert.Equal(_bed.Layout.DownloadDir, new DirectoryInfo(Path.Combine(sdk, "dl")).LinkTarget); // the shared download cache

        var sdkLog = new SdkLayout(_bed.Work.Path, definition.Name).Log("c-libraries");
        File.Delete(sdkLog);
        var again = Provide(toolchain, definition);
        Assert.True(again.Reused);
        Assert.False(File.Exists(sdkLog));
    }
}
