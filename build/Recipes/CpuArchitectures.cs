namespace Crossboard.Recipes;

/// <summary>
/// One CPU architecture a board can have (a recipe's cpu.arch), with every fact crossboard needs
/// of it in one place: what its binaries look like (ELF machine, word size, byte order), its
/// Debian name (cross packages, the emulated device's image, the multiarch Rust std), the Rust
/// triples that build for it and where their std comes from, and qemu's names for it.
/// </summary>
/// <param name="Name">The recipe's cpu.arch.</param>
/// <param name="TriplePrefixes">The first part of the Rust triples that build for it (mipsel for mipsel-unknown-linux-musl).</param>
/// <param name="DebianArch">Debian's name for it; null when Debian 12 has no port.</param>
/// <param name="DebianRustStdTriple">The Rust target whose std Debian's libstd-rust-dev:&lt;DebianArch&gt; carries; null when none.</param>
/// <param name="RustupPrebuiltStd">Whether rustup ships a prebuilt std for its targets (MIPS lost it in Rust 1.72/1.75: tier 3).</param>
/// <param name="QemuSystemPackage">The Debian package with its qemu-system-* emulator.</param>
/// <param name="DebianLoader">glibc's dynamic loader on Debian's port (what a binary linked against Debian's libraries asks for).</param>
/// <param name="DebianFloatAbi">The float ABI of Debian's port (mipsel: hard, o32 FPXX).</param>
public sealed record CpuArchitecture(
    string Name,
    ushort ElfMachine,
    int Bits,
    bool LittleEndian,
    IReadOnlyList<string> TriplePrefixes,
    string? DebianArch,
    string? DebianRustStdTriple,
    bool RustupPrebuiltStd,
    string QemuUser,
    string QemuSystem,
    string QemuSystemPackage,
    string? DebianLoader = null,
    string DebianFloatAbi = "hard");

/// <summary>The architectures boards can have. A board of a new CPU family starts with a row here.</summary>
public static class CpuArchitectures
{
    private const ushort ElfMips = 8;
    private const ushort ElfArm = 40;
    private const ushort ElfX8664 = 62;
    private const ushort ElfAarch64 = 183;

    public static IReadOnlyList<CpuArchitecture> All { get; } =
    [
        // Little-endian before big-endian: "mipsel" also starts with "mips".
        new("mipsel", ElfMips, 32, true, ["mipsel", "mipsisa32r6el"], "mipsel", "mipsel-unknown-linux-gnu", false, "qemu-mipsel", "qemu-system-mipsel", "qemu-system-mips", "/lib/ld.so.1"),
        new("mips", ElfMips, 32, false, ["mips", "mipsisa32r6"], "mips", null, false, "qemu-mips", "qemu-system-mips", "qemu-system-mips", "/lib/ld.so.1"),
        new("arm", ElfArm, 32, true, ["arm", "thumb"], "armhf", "armv7-unknown-linux-gnueabihf", true, "qemu-arm", "qemu-system-arm", "qemu-system-arm", "/lib/ld-linux-armhf.so.3"),
        new("aarch64", ElfAarch64, 64, true, ["aarch64"], "arm64", "aarch64-unknown-linux-gnu", true, "qemu-aarch64", "qemu-system-aarch64", "qemu-system-arm", "/lib/ld-linux-aarch64.so.1"),
        // PC-class boards (x86 OpenWrt, an industrial PC), and the deploy tests' device, whose SSH
        // servers run on the test machine's own CPU (tests/Fixtures/Ssh/recipes).
        new("x86_64", ElfX8664, 64, true, ["x86_64"], "amd64", "x86_64-unknown-linux-gnu", true, "qemu-x86_64", "qemu-system-x86_64", "qemu-system-x86", "/lib64/ld-linux-x86-64.so.2"),
    ];

    public static IReadOnlyList<string> Names => All.Select(a => a.Name).ToList();

    public static CpuArchitecture? Find(string name) => All.FirstOrDefault(a => a.Name == name);

    /// <summary>The architecture a Rust triple builds for; null when it is none of the table's.</summary>
    public static CpuArchitecture? OfTriple(string triple)
    {
        var first = triple.Split('-')[0];
        if (first.StartsWith("armeb", StringComparison.Ordinal) || first.StartsWith("mips64", StringComparison.Ordinal) || first.StartsWith("mipsisa64", StringComparison.Ordinal))
        {
            return null; // big-endian ARM and 64-bit MIPS: no board of those yet
        }

        return All.FirstOrDefault(a => a.TriplePrefixes.Any(p => first.StartsWith(p, StringComparison.Ordinal)));
    }

    /// <summary>The architecture Debian's libstd-rust-dev of <paramref name="triple"/> is for; null when Debian ships none for it.</summary>
    public static CpuArchitecture? WithDebianRustStd(string triple) => All.FirstOrDefault(a => a.DebianRustStdTriple == triple);

    /// <summary>The Debian package of a qemu-system-* emulator (qemu-system-mipsel is in qemu-system-mips).</summary>
    public static string QemuSystemPackageOf(string qemuSystem) =>
        All.FirstOrDefault(a => a.QemuSystem == qemuSystem)?.QemuSystemPackage ?? qemuSystem;
}
