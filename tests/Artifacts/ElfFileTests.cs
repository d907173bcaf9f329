using System.Text.RegularExpressions;
using Crossboard.Artifacts;
using Crossboard.Machine;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Artifacts;

/// <summary>
/// The ELF reader on real binaries of every arch, cross-checked against binutils' readelf (an
/// independent reader): loader, needed libraries, class, byte order, MIPS ISA and FP ABI, ARM
/// Tag_CPU_arch and float ABI. Damaged and non-ELF files give reasons, not exceptions.
/// </summary>
[Tier(TestTier.Slow)]
public sealed class ElfFileTests(CrossBuilds builds, TestBinaries binaries)
{
    [Fact]
    public void A_static_mipsel_rust_binary_is_ELF32_little_endian_mips32r2_fpxx_without_a_loader()
    {
        var path = builds.Hello("malta-le").Artifact.Path;

        var elf = ElfFile.Read(path);

        Assert.Equal((32, true, ElfFile.MachineMips, (ushort)2), (elf.Bits, elf.LittleEndian, elf.Machine, elf.Type));
        Assert.Null(elf.Interpreter);
        Assert.Empty(elf.Needed);
        Assert.True(elf.IsStatic);
        Assert.Equal(new MipsAbiFlags(0, 32, 2, 1, 1, 5), elf.MipsAbi); // mips32r2, 32-bit GPRs and FPRs, FP ABI xx
        Assert.Equal(0x70000000u, elf.Flags & 0xf0000000u); // EF_MIPS_ARCH_32R2
        AgreesWithReadelf(elf);
    }

    [Fact]
    public void A_dynamic_armhf_rust_binary_has_its_loader_libraries_ARMv7_attributes_and_the_hard_float_ABI()
    {
        var elf = ElfFile.Read(builds.Hello("rpi2").Artifact.Path);

        Assert.Equal((32, true, ElfFile.MachineArm), (elf.Bits, elf.LittleEndian, elf.Machine));
        Assert.Equal("/lib/ld-linux-armhf.so.3", elf.Interpreter);
        Assert.Contains("libc.so.6", elf.Needed);
        Assert.Equal(10, elf.ArmAttributes?.CpuArch); // v7
        Assert.Equal('A', elf.ArmAttributes?.Profile);
        Assert.Equal("hard", elf.ArmFloatAbi);
        Assert.False(elf.IsStatic);
        AgreesWithReadelf(elf);
    }

    [Fact]
    public void An_arm64_rust_binary_is_ELF64_AArch64_with_the_aarch64_loader()
    {
        var elf = ElfFile.Read(builds.Hello("rpi3").Artifact.Path);

        Assert.Equal((64, true, ElfFile.MachineAarch64), (elf.Bits, elf.LittleEndian, elf.Machine));
        Assert.Equal("/lib/ld-linux-aarch64.so.1", elf.Interpreter);
        Assert.Null(elf.ArmAttributes);
        AgreesWithReadelf(elf);
    }

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

    [Fact]
    public void A_script_random_bytes_and_a_truncated_ELF_are_reported_with_the_reason()
    {
        var script = binaries.Write("deploy.sh", "#!/bin/sh\necho hi\n"u8.ToArray());
        var random = binaries.Write("random.bin", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17]);
        var truncated = binaries.Write("truncated", File.ReadAllBytes(builds.Hello("rpi3").Artifact.Path)[..100]);
        var headerOnly = binaries.Write("header-only", File.ReadAllBytes(builds.Hello("rpi3").Artifact.Path)[..40]);

        Assert.Contains("is a script (it starts with #!)", Assert.Throws<ElfFormatException>(() => ElfFile.Read(script)).Message);
        Assert.Contains("is not an ELF file", Assert.Throws<ElfFormatException>(() => ElfFile.Read(random)).Message);
        Assert.Contains("is truncated or damaged: the program headers", Assert.Throws<ElfFormatException>(() => ElfFile.Read(truncated)).Message);
        Assert.Contains("is truncated or damaged: the ELF header", Assert.Throws<ElfFormatException>(() => ElfFile.Read(headerOnly)).Message);
    }

    /// <summary>binutils' readelf, an independent reader, must see the same loader, libraries and attributes.</summary>
    private static void AgreesWithReadelf(ElfFile elf)
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
