using System.Security.Cryptography;
using Crossboard.Machine;
using Crossboard.Recipes;
using Crossboard.Tests.Support;
using Crossboard.Toolchains;

namespace Crossboard.Tests.Toolchains;

/// <summary>
/// The prebuilt SDK kind against a real HTTP server on 127.0.0.1 serving an SDK archive laid out
/// as OpenWrt's (openwrt-sdk-.../staging_dir/toolchain-.../bin/&lt;triple&gt;-gcc, here around
/// Debian's mipsel gcc) and the release's sha256sums.
/// </summary>
[Tier(TestTier.Unit)]
public sealed class OpenWrtPrebuiltToolchainTests : IDisposable
{
    private const string Archive = "openwrt-sdk-24.10.8-ramips-mt76x8_gcc-13.3.0_musl.Linux-x86_64.tar.zst";
    private const string ReleaseDir = "releases/24.10.8/targets/ramips/mt76x8";

    private readonly TempDir _site = new("site");
    private readonly TempDir _work = new("work");
    private readonly RecordingBuildLog _log = new();
    private readonly StaticHttpServer _server;

    public OpenWrtPrebuiltToolchainTests()
    {
        var sdk = _site.Combine("build", Archive.Replace(".tar.zst", ""));
        var bin = Path.Combine(sdk, "staging_dir", "toolchain-mipsel_24kc_gcc-13.3.0_musl", "bin");
        Directory.CreateDirectory(bin);
        Directory.CreateDirectory(Path.Combine(sdk, "staging_dir", "target-mipsel_24kc_musl", "usr", "lib"));
        foreach (var tool in new[] { "gcc", "ar", "strip" })
        {
            var path = Path.Combine(bin, "mipsel-openwrt-linux-musl-" + tool);
            File.WriteAllText(path, $"#!/bin/sh\nexec mipsel-linux-gnu-{tool} \"$@\"\n");
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
            }
        }

        Directory.CreateDirectory(_site.Combine(ReleaseDir));
        ProcessRunner.RunChecked(new ProcessSpec("tar", "--zstd", "-cf", _site.Combine(ReleaseDir, Archive), "-C", _site.Combine("build"), Path.GetFileName(sdk)), "making the SDK archive");
        WriteSums(Sha256(_site.Combine(ReleaseDir, Archive)));
        _server = new StaticHttpServer(_site.Path);
    }

    public void Dispose()
    {
        _server.Dispose();
        _site.Dispose();
        _work.Dispose();
    }

    private void WriteSums(string sha) => File.WriteAllText(_site.Combine(ReleaseDir, "sha256sums"),
        $"{new string('0', 64)} *openwrt-24.10.8-ramips-mt76x8-onion_omega2p-squashfs-sysupgrade.bin\n{sha} *{Archive}\n");

    private ToolchainDefinition Definition => new()
    {
        Name = "openwrt-sdk-test",
        Description = "test",
        Kind = ToolchainDefinition.OpenWrtPrebuilt,
        Libc = "musl",
        Prebuilt = new OpenWrtPrebuiltSettings
        {
            Release = "24.10.8",
            Gcc = "13.3.0",
            Url = _server.Url + "/releases/{release}/targets/{target}/{subtarget}/openwrt-sdk-{release}-{target}-{subtarget}_gcc-{gcc}_musl.Linux-x86_64.tar.zst",
            Checksums = _server.Url + "/releases/{release}/targets/{target}/{subtarget}/sha256sums",
        },
    };

    private Board Omega2p => RecipeCatalog.Load(RepoPaths.Recipes, RepoPaths.Toolchains).GetBoard("omega2p");

    private ToolchainResult Resolve() =>
        new OpenWrtPrebuiltToolchain(LocalCommandRunner.Instance, _log).Resolve(_work.Path, Omega2p, Definition, TestContext.Current.CancellationToken);

    [Fact]
    public void Downloads_verifies_unpacks_and_locates_the_toolchain_then_reuses_it_offline()
    {
        var first = Resolve();

        Assert.False(first.Reused);
        Assert.Equal("mipsel-openwrt-linux-musl", first.Toolchain.GnuTarget);
        Assert.EndsWith("/toolchains/prebuilt/openwrt-sdk-24.10.8-ramips-mt76x8_gcc-13.3.0_musl.Linux-x86_64/openwrt-sdk-24.10.8-ramips-mt76x8_gcc-13.3.0_musl.Linux-x86_64/staging_dir/toolchain-mipsel_24kc_gcc-13.3.0_musl/bin/mipsel-openwrt-linux-musl-gcc", first.Toolchain.CC);
        Assert.EndsWith("staging_dir/target-mipsel_24kc_musl", first.Toolchain.Environment["STAGING_DIR"]);
        Assert.True(File.Exists(_work.Combine("dl", Archive)));
        Assert.Contains($"Downloading {_server.Url}/{ReleaseDir}/{Archive}", _log.Text);
        Assert.Matches(@"Downloading openwrt-sdk-[^:]+: 100% \(", _log.Text);
        var source = _work.Write("t.c", "int main(void) { return 0; }\n");
        ProcessRunner.RunChecked(new ProcessSpec(first.Toolchain.CC, "-c", "-o", _work.Combine("t.o"), source), "compiling with the prebuilt toolchain", TestContext.Current.CancellationToken);
        Assert.Equal(8, BitConverter.ToUInt16(File.ReadAllBytes(_work.Combine("t.o")), 18)); // MIPS

        var requests = _server.Requests.Count;
        var second = Resolve();

        Assert.True(second.Reused);
        Assert.Equal(first.Toolchain, second.Toolchain with { Environment = first.Toolchain.Environment });
        Assert.Equal(requests, _server.Requests.Count); // no network the second time
    }

    [Fact]
    public void A_corrupt_download_is_refused_and_nothing_is_cached()
    {
        WriteSums(new string('a', 64));

        var error = Assert.Throws<CrossboardException>(Resolve);

        Assert.Contains($"The download of {_server.Url}/{ReleaseDir}/{Archive} is corrupt", error.Message);
        Assert.Contains("the release's sha256sums says " + new string('a', 64), error.Message);
        Assert.False(File.Exists(_work.Combine("dl", Archive)));
        Assert.False(File.Exists(_work.Combine("dl", Archive + ".part")));
        Assert.False(Directory.Exists(_work.Combine("toolchains", "prebuilt")) && Directory.EnumerateFileSystemEntries(_work.Combine("toolchains", "prebuilt")).Any());
    }

    [Fact]
    public void An_archive_the_sums_do_not_list_or_the_server_lacks_is_a_clear_error()
    {
        File.WriteAllText(_site.Combine(ReleaseDir, "sha256sums"), $"{new string('0', 64)} *something-else.tar.zst\n");
        var unlisted = Assert.Throws<CrossboardException>(Resolve);
        Assert.Contains($"lists no sha256 for {Archive}", unlisted.Message);

        // Offline (here: the sums gone), the copy saved by the last run is used, with a warning.
        File.Delete(_site.Combine(ReleaseDir, "sha256sums"));
        Assert.Contains($"lists no sha256 for {Archive}", Assert.Throws<CrossboardException>(Resolve).Message);
        Assert.Contains("using the copy saved with the last download", _log.Text);

        foreach (var saved in Directory.GetFiles(_work.Combine("dl"), "*.sha256sums"))
        {
            File.Delete(saved);
        }

        var missing = Assert.Throws<CrossboardException>(Resolve);
        Assert.Contains("failed: HTTP 404", missing.Message);
    }

    private static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
