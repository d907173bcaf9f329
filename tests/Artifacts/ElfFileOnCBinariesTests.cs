using System.Text.RegularExpressions;
using Crossboard.Artifacts;
using Crossboard.Machine;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Artifacts;

/// <summary>
/// The ELF reader on small real programs made with Debian's cross C compilers (no cargo build, so
/// in the unit tier), cross-checked against binutils' readelf: big-endian MIPS, ARMv6 hard-float,
/// a soft-float musl PIE, a static PIE.
/// </summary>
[Tier(TestTier.Unit)]
public sealed class ElfFileOnCBinariesTests(TestBinaries binaries)
{
    [Fact]
    public void C_binaries_big_endian_MIPS_ARMv6_and_a_musl_PIE_read_like_readelf_reads_them()
    {
        var bigEndian = ElfFile.Read(binaries.BigEndianMips);
        var armv6 = ElfFile.Read(binaries.Armv6);
        var musl = ElfFile.Read(binaries.MuslDynamicSoftFloatMipsel);

        Assert.Equal((ElfFile.MachineMips, false), (bigEndian.Machine, bigEndian.LittleEndian));
        Assert.Equal(6, armv6.ArmAttributes?.CpuArch);
        Assert.Equal("hard", armv6.ArmFloatAbi);
        Assert.Equal(("/lib/ld-musl-mipsel-sf.so.1", (ushort)3), (musl.Interpreter, musl.Type));
        Assert.Equal(["libc.so"], musl.Needed);
        Assert.True(musl.MipsAbi?.SoftFloat);
        foreach (var elf in new[] { bigEndian, armv6, musl })
        {
            AgreesWithReadelf(elf);
        }

        // And the big-endian one really is a MIPS program: it runs (and exits 0) under qemu-mips.
        Assert.Equal(0, ProcessRunner.Run(new ProcessSpec("qemu-mips", binaries.BigEndianMips), TestContext.Current.CancellationToken).ExitCode);
    }

    [Fact]
    public void A_static_pie_is_an_executable_without_a_loader()
    {
        var elf = ElfFile.Read(binaries.StaticPie);

        Assert.Equal((ushort)3, elf.Type); // ET_DYN
        Assert.True(elf.HasDynamicSection);
        Assert.True(elf.IsStaticPie);
        Assert.True(elf.IsStatic);
        Assert.True(elf.IsExecutable);
        Assert.Equal("static-pie (no loader: runs on any libc)", ArtifactCheck.Linkage(elf));
        AgreesWithReadelf(elf);
    }

    /// <summary>binutils' readelf, an independent reader, must see the same loader, libraries and attributes.</summary>
    internal static void AgreesWithReadelf(ElfFile elf)
    {
        var header = Readelf("-h", elf.Path);
        Assert.Contains(elf.Bits == 32 ? "ELF32" : "ELF64", header);
        Assert.Contains(elf.LittleEndian ? "little endian" : "big endian", header);
        Assert.Contains($"0x{elf.Flags:x}", header);

        var program = Readelf("-l", elf.Path);
        var interpreter = Regex.Match(program, @"Requesting program interpreter: ([^\]]+)\]");
        Assert.Equal(interpreter.Success ? interpreter.Groups[1].Value : null, elf.Interpreter);

        var needed = Regex.Matches(Readelf("-d", elf.Path), @"\(NEEDED\)\s+Shared library: \[([^\]]+)\]").Select(m => m.Groups[1].Value);
        Assert.Equal(needed, elf.Needed);

        var attributes = Readelf("-A", elf.Path);
        if (elf.ArmAttributes?.CpuArch is { } arch)
        {
            Assert.Contains($"Tag_CPU_arch: {ArmAttributes.CpuArchName(arch).Replace("-A", "")}", attributes);
        }

        if (elf.MipsAbi is { } abi)
        {
            Assert.Contains(abi.SoftFloat ? "FP ABI: Soft float" : "FP ABI: Hard float", attributes);
            Assert.Contains($"ISA: MIPS{abi.IsaLevel}{(abi.IsaRevision > 1 ? "r" + abi.IsaRevision : "")}", attributes);
        }
    }

    private static string Readelf(string option, string path) =>
        ProcessRunner.RunChecked(new ProcessSpec("readelf", option, "-W", path), "readelf failed").StandardOutput;
}
