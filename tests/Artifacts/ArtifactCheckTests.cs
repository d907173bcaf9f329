using Crossboard.Artifacts;
using Crossboard.Cargo;
using Crossboard.Machine;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Artifacts;

/// <summary>
/// The check before deploy, on real Rust builds against the real recipes: what fits passes with a
/// one-line summary; an ARMv7 binary for the Pi Zero, a glibc-dynamic binary for a musl device,
/// the wrong machine, an object file, and a binary over the flash budget are refused with the
/// reason and what to do. (On small C programs, without a cargo build: ArtifactCheckOnCBinariesTests.)
/// </summary>
[Tier(TestTier.Slow)]
public sealed class ArtifactCheckTests(CrossBuilds builds, TestBinaries binaries)
{
    [Fact]
    public void The_static_mipsel_hello_fits_every_Omega2_class_board_and_says_so_in_one_line()
    {
        var path = builds.Hello("malta-le").Artifact.Path;

        foreach (var board in new[] { "malta-le", "omega2", "omega2p" })
        {
            var verdict = ArtifactCheck.Check(path, builds.Board(board));
            Assert.True(verdict.Fits, string.Join("; ", verdict.Refusals));
        }

        var summary = ArtifactCheck.Check(path, builds.Board("omega2")).Summary;
        Assert.Matches(@"^hello: [\d.]+ (KiB|MiB) \([\d.]+% of omega2's 4096 KiB budget\), ELF32 little-endian MIPS mips32r2 hard-float \(fpxx\), static \(no loader: runs on any libc\)$", summary);
        Assert.DoesNotContain('\n', summary);
    }

    [Fact]
    public void An_ARMv7_binary_is_refused_for_the_ARMv6_Pi_Zero_but_fits_the_Pi_2()
    {
        var path = builds.Hello("rpi2").Artifact.Path;

        var zero = ArtifactCheck.Check(path, builds.Board("rpi-zero"));
        var pi2 = ArtifactCheck.Check(path, builds.Board("rpi2"));

        var refusal = Assert.Single(zero.Refusals);
        Assert.Contains("it needs ARMv7 (Tag_CPU_arch 10), but rpi-zero's ARM1176JZF-S is armv6", refusal);
        Assert.Contains("Illegal instruction", refusal);
        Assert.Contains("arm-unknown-linux-gnueabihf", refusal);
        Assert.True(pi2.Fits, string.Join("; ", pi2.Refusals));
        Assert.Contains("ELF32 little-endian ARM ARMv7 hard-float, dynamic (/lib/ld-linux-armhf.so.3; needs", pi2.Summary);
    }


    [Fact]
    public void A_glibc_dynamic_binary_is_refused_for_a_musl_device_and_fits_a_glibc_one()
    {
        // Built for a glibc MIPS board: same toolchain libc as the device, so linked dynamically.
        var dynamic = builds.Hello("malta-gnu", sizeProfile: false);
        Assert.Equal("/lib/ld.so.1", ElfFile.Read(dynamic.Artifact.Path).Interpreter);

        var musl = ArtifactCheck.Check(dynamic.Artifact.Path, builds.Board("malta-le"));

        var refusal = Assert.Single(musl.Refusals, r => r.Contains("it is linked dynamically against glibc"));
        Assert.Contains("it is linked dynamically against glibc (loader /lib/ld.so.1), but malta-le runs musl (loader /lib/ld-musl-mipsel-sf.so.1)", refusal);
        Assert.Contains("+crt-static", refusal);
        Assert.Contains(musl.Refusals, r => r.Contains("it uses the hard-float ABI, but malta-le's userland is soft-float"));
        Assert.True(ArtifactCheck.Check(dynamic.Artifact.Path, builds.Board("malta-gnu")).Fits);
    }

    [Fact]
    public void The_wrong_machine_and_an_object_file_are_refused()
    {
        var arm64ForPi2 = ArtifactCheck.Check(builds.Hello("rpi3").Artifact.Path, builds.Board("rpi2"));
        var hostForPi3 = ArtifactCheck.Check("/usr/bin/true", builds.Board("rpi3"));
        var objectFile = ArtifactCheck.Check(binaries.MipselObject, builds.Board("malta-le"));

        Assert.Contains("it is built for AArch64, but rpi2's Cortex-A7 (arm) needs ARM", Assert.Single(arm64ForPi2.Refusals));
        Assert.Contains("it is built for x86-64, but rpi3's Cortex-A53 (aarch64) needs AArch64", Assert.Single(hostForPi3.Refusals));
        Assert.Contains("it is an object file (ET_REL), not a linked program.", objectFile.Refusals);
    }

    [Fact]
    public void CargoBuild_refuses_a_binary_over_the_boards_budget_and_records_no_artifact()
    {
        // The built malta-le app again (cargo finds it up to date), for a board with 256 KiB to spare.
        var built = builds.Hello("malta-le");
        var tiny = builds.Board("malta-tiny");
        var log = new RecordingBuildLog();
        var stage = new CargoStage(LocalCommandRunner.Instance, new DebianPackages(CrossBuilds.Yes, log.Information), log);

        BuiltArtifact? artifact = null;
        var error = Assert.Throws<CrossboardException>(() => artifact = stage.Build(builds.Inputs(built.AppDir, tiny), new CargoBuildOptions(), TestContext.Current.CancellationToken));

        Assert.Null(artifact);
        Assert.Contains("over malta-tiny's app budget of 256 KiB (memory.app-budget-kb; storage: RAM disk)", error.Message);
        Assert.Contains("(up to date)", log.Text);
    }
}
