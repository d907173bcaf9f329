using Crossboard.Artifacts;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Artifacts;

/// <summary>
/// The ELF reader on real Rust builds of every arch, cross-checked against binutils' readelf (an
/// independent reader): loader, needed libraries, class, byte order, MIPS ISA and FP ABI, ARM
/// Tag_CPU_arch and float ABI. Damaged and non-ELF files give reasons, not exceptions. (On small
/// C programs, without a cargo build: ElfFileOnCBinariesTests.)
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
        ElfFileOnCBinariesTests.AgreesWithReadelf(elf);
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
        ElfFileOnCBinariesTests.AgreesWithReadelf(elf);
    }

    [Fact]
    public void An_arm64_rust_binary_is_ELF64_AArch64_with_the_aarch64_loader()
    {
        var elf = ElfFile.Read(builds.Hello("rpi3").Artifact.Path);

        Assert.Equal((64, true, ElfFile.MachineAarch64), (elf.Bits, elf.LittleEndian, elf.Machine));
        Assert.Equal("/lib/ld-linux-aarch64.so.1", elf.Interpreter);
        Assert.Null(elf.ArmAttributes);
        ElfFileOnCBinariesTests.AgreesWithReadelf(elf);
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
}
