using Crossboard.Artifacts;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Artifacts;

/// <summary>
/// The check before deploy on small real programs made with Debian's cross C compilers (no cargo
/// build, so in the unit tier): an ARMv6 hard-float program fits the Pi Zero, a big-endian MIPS
/// one is refused for a mipsel board, a soft-float musl-dynamic one fits the Omega2 and not a
/// glibc hard-float board, and a script is no binary at all.
/// </summary>
[Tier(TestTier.Unit)]
public sealed class ArtifactCheckOnCBinariesTests(CrossBuilds builds, TestBinaries binaries)
{
    [Fact]
    public void An_ARMv6_hard_float_binary_fits_the_Pi_Zero()
    {
        var verdict = ArtifactCheck.Check(binaries.Armv6, builds.Board("rpi-zero"));

        Assert.True(verdict.Fits, string.Join("; ", verdict.Refusals));
        Assert.Contains("ARM ARMv6 hard-float, static", verdict.Summary);
    }

    [Fact]
    public void A_big_endian_MIPS_binary_is_refused_for_a_mipsel_board_and_the_error_lists_the_reason_and_deploys_nothing()
    {
        var board = builds.Board("malta-le");

        var refusal = Assert.Single(ArtifactCheck.Check(binaries.BigEndianMips, board).Refusals);
        var error = Assert.Throws<CrossboardException>(() => ArtifactCheck.Require(binaries.BigEndianMips, board, new RecordingBuildLog()));

        Assert.Contains("it is a big-endian MIPS binary, but malta-le's MIPS 24KEc (mipsel) is little-endian", refusal);
        Assert.Contains("mipsel-unknown-linux-gnu or mipsel-unknown-linux-musl", refusal);
        Assert.StartsWith($"{binaries.BigEndianMips} cannot run on malta-le (MIPS 24KEc, openwrt with musl):", error.Message);
        Assert.Contains(refusal, error.Message);
        Assert.EndsWith("Nothing was deployed.", error.Message);
    }

    [Fact]
    public void A_soft_float_musl_dynamic_binary_fits_the_Omega2_and_is_refused_by_a_glibc_hard_float_board()
    {
        var omega2 = ArtifactCheck.Check(binaries.MuslDynamicSoftFloatMipsel, builds.Board("omega2"));
        var gnu = ArtifactCheck.Check(binaries.MuslDynamicSoftFloatMipsel, builds.Board("malta-gnu"));

        Assert.True(omega2.Fits, string.Join("; ", omega2.Refusals));
        Assert.Contains("soft-float, dynamic (/lib/ld-musl-mipsel-sf.so.1; needs libc.so)", omega2.Summary);
        Assert.Contains(gnu.Refusals, r => r.Contains("it uses the soft-float ABI, but malta-gnu's userland is hard-float"));
        Assert.Contains(gnu.Refusals, r => r.Contains("linked dynamically against musl (loader /lib/ld-musl-mipsel-sf.so.1), but malta-gnu runs glibc"));
    }

    [Fact]
    public void A_file_that_is_not_ELF_is_a_clear_error()
    {
        var script = binaries.Write("app.sh", "#!/bin/sh\n"u8.ToArray());

        var error = Assert.Throws<CrossboardException>(() => ArtifactCheck.Check(script, builds.Board("malta-le")));

        Assert.Contains("The artifact check cannot read the binary:", error.Message);
        Assert.Contains("is a script", error.Message);
    }

    [Fact]
    public void A_glibc_dynamic_binary_is_refused_by_malta_le_and_fits_its_emulated_device_only()
    {
        var malta = builds.Board("malta-le");
        var device = Crossboard.Emulator.EmulatorDevices.DeviceView(malta);

        var real = ArtifactCheck.Check(binaries.GlibcDynamicMipsel, malta);
        Assert.False(real.Fits);
        Assert.Contains(real.Refusals, r => r.Contains("linked dynamically against glibc (loader /lib/ld.so.1), but malta-le runs musl"));

        Assert.NotNull(device);
        var emulated = ArtifactCheck.Check(binaries.GlibcDynamicMipsel, device);
        Assert.True(emulated.Fits, string.Join("; ", emulated.Refusals));
        Assert.Equal("malta-le's emulated device", device.Name);
        Assert.Equal(("gnu", "/lib/ld.so.1", "hard"), (device.System.Libc, device.System.Interpreter, device.Cpu.FloatAbi));
        // The board's own facts are what the real device has.
        Assert.Equal(("musl", "soft"), (malta.System.Libc, malta.Cpu.FloatAbi));
        // A board without [emulator] has no emulated device of its own.
        Assert.Null(Crossboard.Emulator.EmulatorDevices.DeviceView(builds.Board("omega2")));

        // Given with --artifact: bad input for the real board, taken for its emulated device.
        var log = new RecordingBuildLog();
        Assert.Throws<InputException>(() => Crossboard.Deploy.DeployStage.ArtifactFromFile(binaries.GlibcDynamicMipsel, "mipsel-unknown-linux-gnu", malta, log));
        var artifact = Crossboard.Deploy.DeployStage.ArtifactFromFile(binaries.GlibcDynamicMipsel, "mipsel-unknown-linux-gnu", malta, log, device);
        Assert.Equal("malta-le's emulated device", artifact.CheckedFor);
    }
}
