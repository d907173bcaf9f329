using Crossboard.Machine;
using Crossboard.Sdk;
using Crossboard.Tests.Fixtures;
using Crossboard.Tests.Support;
using Crossboard.Toolchains;

namespace Crossboard.Tests.Toolchains;

/// <summary>
/// BuildToolchain for openwrt-source against the mini SDK: real make, a real download step and a
/// toolchain around Debian's real mipsel cross gcc.
/// </summary>
[Tier(TestTier.Integration)]
public sealed class OpenWrtSourceToolchainTests : IDisposable
{
    private readonly SdkTestbed _bed = new();

    public void Dispose() => _bed.Dispose();

    private ToolchainResult Build()
    {
        using var workspace = _bed.Open();
        return new OpenWrtSourceToolchain(_bed.Runner, _bed.Log) { Jobs = 2 }.Resolve(workspace, _bed.Toolchain, SdkTestbed.Cancel);
    }

    private string[] Stamps => Directory.Exists(_bed.Layout.StampDir) ? Directory.GetFiles(_bed.Layout.StampDir, "*.json") : [];

    [Fact]
    public void Builds_locates_and_stamps_a_toolchain_that_compiles_for_the_board()
    {
        _bed.Clone();
        _bed.Seed(_bed.Board("omega2p"));

        var result = Build();

        var toolchain = result.Toolchain;
        Assert.False(result.Reused);
        Assert.Equal("mipsel-openwrt-linux-musl", toolchain.GnuTarget);
        Assert.Equal(Path.Combine(_bed.Layout.TreeDir, "staging_dir", "toolchain-mipsel_24kc_gcc-12.2.0_musl", "bin", "mipsel-openwrt-linux-musl-gcc"), toolchain.CC);
        Assert.Equal(Path.Combine(_bed.Layout.TreeDir, "staging_dir", "target-mipsel_24kc_musl"), toolchain.Environment["STAGING_DIR"]);
        Assert.True(File.Exists(toolchain.AR));
        Assert.True(File.Exists(toolchain.Strip));
        Assert.Equal("musl", toolchain.Libc);
        var stamp = Assert.Single(Stamps);
        Assert.StartsWith("mipsel_24kc_gcc-12.2.0_musl-", Path.GetFileName(stamp));
        Assert.Equal(stamp, result.StampPath);
        Assert.Contains("Building the toolchain: make toolchain/install -j2", _bed.Log.Text);
        Assert.Matches(@"Building the toolchain: (tools|toolchain)/\w+ \(\d\d:\d\d\)", _bed.Log.Text); // live progress names the package
        // The shared download cache: the tree's dl/ is a link to the work dir's dl/, which holds the sources.
        Assert.Equal(_bed.Layout.DownloadDir, new DirectoryInfo(Path.Combine(_bed.Layout.TreeDir, "dl")).LinkTarget);
        Assert.True(File.Exists(Path.Combine(_bed.Layout.DownloadDir, "gcc-12.2.0.tar.gz")));

        var elf = Compile(toolchain);
        Assert.Equal(8, BitConverter.ToUInt16(elf, 18)); // e_machine: MIPS
        Assert.Equal(1, elf[5]); // EI_DATA: little-endian
    }

    [Fact]
    public void A_rerun_and_a_second_board_with_the_same_arch_reuse_the_toolchain_without_work()
    {
        _bed.Clone();
        _bed.Seed(_bed.Board("omega2"));
        var first = Build();
        var buildLog = _bed.Layout.Log("toolchain");
        File.Delete(buildLog);
        File.Delete(_bed.Layout.Log("download"));

        var rerun = Build();
        _bed.Seed(_bed.Board("malta-le"));
        var malta = Build();

        Assert.True(rerun.Reused);
        Assert.True(malta.Reused);
        Assert.Equal(first.Toolchain, rerun.Toolchain with { Environment = first.Toolchain.Environment });
        Assert.Equal(first.Toolchain.CC, malta.Toolchain.CC);
        Assert.Equal(first.Toolchain.Environment["STAGING_DIR"], malta.Toolchain.Environment["STAGING_DIR"]);
        Assert.Single(Stamps);
        Assert.False(File.Exists(buildLog)); // make toolchain/install never ran again
        Assert.False(File.Exists(_bed.Layout.Log("download")));
        Assert.Contains("is already built for this commit and configuration; nothing to do", _bed.Log.Text);
        Assert.Equal("Default", DotConfig.Read(_bed.Layout.DotConfig).String("CONFIG_TARGET_PROFILE"));
    }

    [Fact]
    public void A_board_with_another_arch_gets_its_own_toolchain()
    {
        _bed.Clone();
        _bed.Seed(_bed.Board("omega2"));
        var mipsel = Build();
        _bed.Seed(_bed.Board("rpi2"));

        var arm = Build();

        Assert.False(arm.Reused);
        Assert.Equal("arm-openwrt-linux-muslgnueabi", arm.Toolchain.GnuTarget);
        Assert.Contains("toolchain-arm_cortex-a7+neon-vfpv4_gcc-12.2.0_musl_eabi", arm.Toolchain.BinDir);
        Assert.Equal(2, Stamps.Length);
        Assert.NotEqual(mipsel.Toolchain.CC, arm.Toolchain.CC);
        Assert.Equal(40, BitConverter.ToUInt16(Compile(arm.Toolchain), 18)); // e_machine: ARM
    }

    [Fact]
    public void The_download_preflight_fails_fast_listing_every_missing_file_and_builds_nothing()
    {
        _bed.Clone();
        _bed.Seed(_bed.Board("omega2p"));
        _bed.Sdk.RemoveFromMirror("gcc-12.2.0.tar.gz");
        _bed.Sdk.RemoveFromMirror("musl-1.2.5.tar.gz");

        var error = Assert.Throws<CrossboardException>(Build);

        Assert.Contains("2 source file(s) for the tools and the toolchain cannot be downloaded", error.Message);
        Assert.Contains("  gcc-12.2.0.tar.gz", error.Message);
        Assert.Contains("  musl-1.2.5.tar.gz", error.Message);
        Assert.DoesNotContain("binutils-2.40.tar.gz", error.Message);
        Assert.Contains($"Put them into {_bed.Layout.DownloadDir}", error.Message);
        Assert.Contains("DOWNLOAD_MIRROR", error.Message);
        Assert.Contains("Full log: " + _bed.Layout.Log("download"), error.Message);
        Assert.Contains("--retry 0", File.ReadAllText(_bed.Layout.Log("download"))); // curl's retries off
        Assert.False(File.Exists(_bed.Layout.Log("toolchain")));
        Assert.Empty(Stamps);
        Assert.True(File.Exists(Path.Combine(_bed.Layout.DownloadDir, "binutils-2.40.tar.gz"))); // what could be had is kept
    }

    [Fact]
    public void A_failed_build_names_the_package_shows_the_log_and_leaves_no_stamp()
    {
        _bed.Clone(MiniSdk.BrokenBranch);
        _bed.Seed(_bed.Board("omega2p"));

        var error = Assert.Throws<CrossboardException>(Build);

        Assert.Contains("Building the toolchain failed (toolchain/gcc failed to build)", error.Message);
        Assert.Contains("configure: error: C compiler cannot create executables", error.Message);
        Assert.Contains("Full log: " + _bed.Layout.Log("toolchain"), error.Message);
        Assert.DoesNotContain("   at ", error.Message);
        Assert.Empty(Stamps);

        // Fixed upstream (another ref): the next run builds and stamps.
        _bed.Clone(MiniSdk.Tag);
        _bed.Seed(_bed.Board("omega2p"));
        Assert.False(Build().Reused);
        Assert.Single(Stamps);
    }

    [Fact]
    public void A_val_query_leaves_an_empty_toolchain_folder_that_is_not_taken_for_a_toolchain()
    {
        _bed.Clone();
        _bed.Seed(_bed.Board("omega2p"));
        var locator = new OpenWrtSourceToolchain(_bed.Runner, _bed.Log);

        var error = Assert.Throws<CrossboardException>(() => locator.Locate(_bed.Layout.TreeDir, SdkTestbed.Cancel));

        var folder = Path.Combine(_bed.Layout.TreeDir, "staging_dir", "toolchain-mipsel_24kc_gcc-12.2.0_musl");
        Assert.True(Directory.Exists(folder)); // the query made it ...
        Assert.Equal(["info.mk"], Directory.GetFileSystemEntries(folder).Select(Path.GetFileName));
        Assert.Contains("mipsel-openwrt-linux-musl-gcc does not exist", error.Message); // ... and it is not a toolchain
        Assert.Contains("exists but holds no compiler", error.Message);
    }

    [Fact]
    public void A_stamp_whose_compiler_is_gone_is_rebuilt()
    {
        _bed.Clone();
        _bed.Seed(_bed.Board("omega2p"));
        var first = Build();
        File.Delete(first.Toolchain.CC);

        var again = Build();

        Assert.False(again.Reused);
        Assert.True(File.Exists(again.Toolchain.CC));
        Assert.Contains("is gone; building it again", _bed.Log.Text);
    }

    [Fact]
    public void Missing_files_are_read_from_makes_error_lines()
    {
        var output = """
            No more mirrors to try - giving up.
            make[3]: *** [/home/u/openwrt/include/download.mk:296: /home/u/openwrt/dl/gmp-6.3.0.tar.xz] Error 255
            make[2]: *** [Makefile:12: tools/gmp/download] Error 2
            make[3]: *** [/home/u/openwrt/include/download.mk:296: /home/u/openwrt/dl/binutils-2.42.tar.xz] Error 255
            make[3]: *** [/home/u/openwrt/include/download.mk:296: /home/u/openwrt/dl/gmp-6.3.0.tar.xz] Error 255
            make[3]: *** [/home/u/openwrt/include/package.mk:331: /home/u/openwrt/staging_dir/target-mipsel_24kc_musl/stamp/.zlib_installed] Error 1
            make[3]: *** [Makefile:90: /home/u/openwrt/build_dir/target-mipsel_24kc_musl/zlib-1.3.1/.built] Error 2
            """;

        // The stamps that failed are build errors, not downloads.
        Assert.Equal(["gmp-6.3.0.tar.xz", "binutils-2.42.tar.xz"], OpenWrtSourceToolchain.MissingDownloads(output));
    }

    /// <summary>Compiles a C program with the resolved toolchain as the cargo stage will (CC plus its environment); returns the ELF's bytes.</summary>
    private byte[] Compile(ResolvedToolchain toolchain)
    {
        var source = _bed.Work.Write("hello.c", "int main(void) { return 0; }\n");
        var output = _bed.Work.Combine("hello-" + toolchain.GnuTarget);
        var spec = new ProcessSpec(toolchain.CC, "-static", "-o", output, source);
        foreach (var (key, value) in toolchain.Environment)
        {
            spec.Environment[key] = value;
        }

        var result = ProcessRunner.RunChecked(spec, "compiling with the resolved toolchain");
        Assert.DoesNotContain("STAGING_DIR not defined", result.StandardError);
        var bytes = File.ReadAllBytes(output);
        Assert.Equal([0x7f, (byte)'E', (byte)'L', (byte)'F'], bytes[..4]);
        return bytes;
    }
}
