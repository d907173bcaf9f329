using System.Buffers.Binary;
using System.Text;

namespace Crossboard.Artifacts;

/// <summary>
/// What an ELF executable says about where it can run: class, byte order, machine, type, the
/// dynamic loader it asks for (PT_INTERP) and the libraries it needs (DT_NEEDED), MIPS ISA and
/// float ABI (e_flags and the PT_MIPS_ABIFLAGS segment), ARM float ABI (e_flags) and build
/// attributes (the .ARM.attributes section: Tag_CPU_arch). Read from the file's bytes with
/// the System V gABI and the MIPS/ARM processor supplements' layouts; nothing is executed.
/// </summary>
public sealed class ElfFile
{
    public const ushort MachineX86 = 3;
    public const ushort MachineMips = 8;
    public const ushort MachineArm = 40;
    public const ushort MachineX8664 = 62;
    public const ushort MachineAarch64 = 183;
    public const ushort MachineRiscV = 243;

    private const uint PtDynamic = 2;
    private const uint PtInterp = 3;
    private const uint PtLoad = 1;
    private const uint PtMipsAbiFlags = 0x70000003;
    private const uint ShtArmAttributes = 0x70000003;
    private const long DtNeeded = 1;
    private const long DtStrtab = 5;

    private ElfFile()
    {
    }

    public string Path { get; private init; } = "";
    public long FileSize { get; private init; }
    /// <summary>32 or 64 (EI_CLASS).</summary>
    public int Bits { get; private init; }
    public bool LittleEndian { get; private init; }
    /// <summary>ET_EXEC (2) or ET_DYN (3, a PIE or a shared object), ET_REL (1), ET_CORE (4).</summary>
    public ushort Type { get; private init; }
    public ushort Machine { get; private init; }
    public uint Flags { get; private init; }
    /// <summary>The dynamic loader from PT_INTERP; null for a static executable.</summary>
    public string? Interpreter { get; private init; }
    /// <summary>DT_NEEDED entries (libc.so.6, libgcc_s.so.1, ...).</summary>
    public IReadOnlyList<string> Needed { get; private init; } = [];
    public bool HasDynamicSection { get; private init; }
    public MipsAbiFlags? MipsAbi { get; private init; }
    public ArmAttributes? ArmAttributes { get; private init; }

    /// <summary>No loader and no shared libraries: runs on any libc (static, or static-pie).</summary>
    public bool IsStatic => Interpreter is null && Needed.Count == 0;

    public bool IsExecutable => Type == 2 || (Type == 3 && (Interpreter is not null || IsStaticPie));

    /// <summary>ET_DYN without an interpreter but with a dynamic section: rustc's static-pie (aarch64 +crt-static).</summary>
    public bool IsStaticPie => Type == 3 && Interpreter is null && HasDynamicSection && Needed.Count == 0;

    public string MachineName => NameOf(Machine);

    public static string NameOf(ushort machine) => machine switch
    {
        MachineMips => "MIPS",
        MachineArm => "ARM",
        MachineAarch64 => "AArch64",
        MachineX8664 => "x86-64",
        MachineX86 => "x86",
        MachineRiscV => "RISC-V",
        20 => "PowerPC",
        21 => "PowerPC64",
        22 => "S/390",
        _ => $"machine {machine}",
    };

    /// <summary>ARM EABI float ABI from e_flags: "hard", "soft", or null when not stated.</summary>
    public string? ArmFloatAbi => Machine != MachineArm ? null
        : (Flags & 0x400) != 0 ? "hard"
        : (Flags & 0x200) != 0 ? "soft"
        : ArmAttributes?.VfpArgs switch { 1 => "hard", 0 => "soft", _ => null };

    /// <summary>Whether <paramref name="path"/> starts with the ELF magic (false for scripts, data, unreadable files).</summary>
    public static bool HasMagic(string path)
    {
        try
        {
            using var file = File.OpenRead(path);
            Span<byte> magic = stackalloc byte[4];
            return file.ReadAtLeast(magic, 4, throwOnEndOfStream: false) == 4 && magic[0] == 0x7f && magic[1] == (byte)'E' && magic[2] == (byte)'L' && magic[3] == (byte)'F';
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Reads <paramref name="path"/>; an <see cref="ElfFormatException"/> says why it is not a usable ELF file.</summary>
    public static ElfFile Read(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (IOException ex)
        {
            throw new ElfFormatException($"cannot read {path}: {ex.Message}");
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new ElfFormatException($"cannot read {path}: {ex.Message}");
        }

        return Parse(bytes, path);
    }

    public static ElfFile Parse(byte[] bytes, string path)
    {
        if (bytes.Length < 16 || bytes[0] != 0x7f || bytes[1] != (byte)'E' || bytes[2] != (byte)'L' || bytes[3] != (byte)'F')
        {
            var start = Encoding.ASCII.GetString(bytes, 0, Math.Min(bytes.Length, 2));
            throw new ElfFormatException(start == "#!"
                ? $"{path} is a script (it starts with #!), not a compiled ELF executable: its first line is \"{FileKind.FirstLine(bytes)}\""
                : $"{path} is not an ELF file (no \\x7fELF magic at its start): it is {FileKind.Describe(bytes)}");
        }

        var bits = bytes[4] switch
        {
            1 => 32,
            2 => 64,
            _ => throw new ElfFormatException($"{path}: unknown ELF class {bytes[4]} (expected 1 for 32-bit or 2 for 64-bit)"),
        };
        var little = bytes[5] switch
        {
            1 => true,
            2 => false,
            _ => throw new ElfFormatException($"{path}: unknown ELF data encoding {bytes[5]} (expected 1 little-endian or 2 big-endian)"),
        };

        var r = new Reader(bytes, little, bits, path);
        var headerSize = bits == 32 ? 52 : 64;
        r.Need(0, headerSize, "the ELF header");
        var type = r.U16(16);
        var machine = r.U16(18);
        var phoff = r.Addr(bits == 32 ? 28 : 32);
        var shoff = r.Addr(bits == 32 ? 32 : 40);
        var flags = r.U32(bits == 32 ? 36 : 48);
        var phentsize = r.U16(bits == 32 ? 42 : 54);
        var phnum = r.U16(bits == 32 ? 44 : 56);
        var shentsize = r.U16(bits == 32 ? 46 : 58);
        var shnum = r.U16(bits == 32 ? 48 : 60);

        var segments = ReadSegments(r, phoff, phentsize, phnum);
        string? interpreter = null;
        MipsAbiFlags? mipsAbi = null;
        foreach (var segment in segments)
        {
            if (segment.Type == PtInterp)
            {
                r.Need(segment.Offset, segment.FileSize, "the PT_INTERP segment");
                interpreter = r.CString(segment.Offset, segment.FileSize);
            }
            else if (segment.Type == PtMipsAbiFlags && machine == MachineMips && segment.FileSize >= 24)
            {
                r.Need(segment.Offset, 24, "the MIPS ABI flags");
                mipsAbi = new MipsAbiFlags(
                    Version: r.U16(segment.Offset),
                    IsaLevel: bytes[segment.Offset + 2],
                    IsaRevision: bytes[segment.Offset + 3],
                    GprSize: bytes[segment.Offset + 4],
                    Cpr1Size: bytes[segment.Offset + 5],
                    FpAbi: bytes[segment.Offset + 7]);
            }
        }

        var dynamic = segments.FirstOrDefault(s => s.Type == PtDynamic);
        var needed = dynamic.Type == PtDynamic ? ReadNeeded(r, dynamic, segments) : [];
        var arm = machine == MachineArm && bits == 32 ? ReadArmAttributes(r, shoff, shentsize, shnum) : null;

        return new ElfFile
        {
            Path = path,
            FileSize = bytes.Length,
            Bits = bits,
            LittleEndian = little,
            Type = type,
            Machine = machine,
            Flags = flags,
            Interpreter = interpreter,
            Needed = needed,
            HasDynamicSection = dynamic.Type == PtDynamic,
            MipsAbi = mipsAbi,
            ArmAttributes = arm,
        };
    }

    private readonly record struct Segment(uint Type, long Offset, long VirtualAddress, long FileSize);

    private static List<Segment> ReadSegments(Reader r, long phoff, int phentsize, int phnum)
    {
        var list = new List<Segment>();
        if (phoff == 0 || phnum == 0)
        {
            return list;
        }

        var minimum = r.Bits == 32 ? 32 : 56;
        if (phentsize < minimum)
        {
            throw new ElfFormatException($"{r.Path}: program header entries of {phentsize} bytes are too small (at least {minimum})");
        }

        r.Need(phoff, (long)phentsize * phnum, "the program headers");
        for (var i = 0; i < phnum; i++)
        {
            var at = phoff + (long)i * phentsize;
            list.Add(r.Bits == 32
                ? new Segment(r.U32(at), r.U32(at + 4), r.U32(at + 8), r.U32(at + 16))
                : new Segment(r.U32(at), r.Addr(at + 8), r.Addr(at + 16), r.Addr(at + 32)));
        }

        return list;
    }

    /// <summary>DT_NEEDED names: the dynamic segment's entries, the string table found through DT_STRTAB's address.</summary>
    private static List<string> ReadNeeded(Reader r, Segment dynamic, List<Segment> segments)
    {
        var entrySize = r.Bits == 32 ? 8 : 16;
        r.Need(dynamic.Offset, dynamic.FileSize, "the dynamic section");
        var neededOffsets = new List<long>();
        long? strtab = null;
        for (var at = dynamic.Offset; at + entrySize <= dynamic.Offset + dynamic.FileSize; at += entrySize)
        {
            var tag = r.Bits == 32 ? (int)r.U32(at) : r.I64(at);
            var value = r.Bits == 32 ? r.U32(at + 4) : r.Addr(at + 8);
            if (tag == 0)
            {
                break;
            }

            if (tag == DtNeeded)
            {
                neededOffsets.Add(value);
            }
            else if (tag == DtStrtab)
            {
                strtab = value;
            }
        }

        if (neededOffsets.Count == 0)
        {
            return [];
        }

        // DT_STRTAB is a virtual address: map it to a file offset through the PT_LOAD that holds it.
        var load = segments.FirstOrDefault(s => s.Type == PtLoad && strtab >= s.VirtualAddress && strtab < s.VirtualAddress + s.FileSize);
        if (strtab is null || load.Type != PtLoad)
        {
            throw new ElfFormatException($"{r.Path}: the dynamic section names libraries but its string table (DT_STRTAB) is not in any loaded segment");
        }

        var tableOffset = load.Offset + (strtab.Value - load.VirtualAddress);
        return neededOffsets.Select(o => r.CString(tableOffset + o, r.Length - (tableOffset + o))).ToList();
    }

    /// <summary>The "aeabi" subsection of .ARM.attributes (ARM's "Addenda to the ABI", build attributes).</summary>
    private static ArmAttributes? ReadArmAttributes(Reader r, long shoff, int shentsize, int shnum)
    {
        if (shoff == 0 || shnum == 0 || shentsize < 40)
        {
            return null;
        }

        r.Need(shoff, (long)shentsize * shnum, "the section headers");
        for (var i = 0; i < shnum; i++)
        {
            var at = shoff + (long)i * shentsize;
            if (r.U32(at + 4) != ShtArmAttributes)
            {
                continue;
            }

            var offset = r.U32(at + 16);
            var size = r.U32(at + 20);
            r.Need(offset, size, "the .ARM.attributes section");
            return ArmAttributes.Parse(r.Slice(offset, size), r.LittleEndian);
        }

        return null;
    }

    private sealed class Reader(byte[] bytes, bool littleEndian, int bits, string path)
    {
        public int Bits => bits;
        public bool LittleEndian => littleEndian;
        public string Path => path;
        public long Length => bytes.Length;

        public void Need(long offset, long length, string what)
        {
            if (offset < 0 || length < 0 || offset + length > bytes.Length)
            {
                throw new ElfFormatException($"{path} is truncated or damaged: {what} ({length} bytes at offset {offset}) lies beyond its {bytes.Length} bytes");
            }
        }

        public ushort U16(long at) => littleEndian
            ? BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan((int)at, 2))
            : BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan((int)at, 2));

        public uint U32(long at) => littleEndian
            ? BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan((int)at, 4))
            : BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan((int)at, 4));

        public long I64(long at) => littleEndian
            ? BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan((int)at, 8))
            : BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan((int)at, 8));

        /// <summary>An address or offset: 4 bytes in ELF32, 8 in ELF64 (beyond 2^62 is damage, not data).</summary>
        public long Addr(long at)
        {
            if (bits == 32)
            {
                return U32(at);
            }

            var value = I64(at);
            return value < 0 ? throw new ElfFormatException($"{path} is damaged: an offset at {at} is out of range") : value;
        }

        public string CString(long at, long max)
        {
            Need(at, 0, "a string");
            var end = (int)Math.Min(bytes.Length, at + max);
            var zero = Array.IndexOf(bytes, (byte)0, (int)at, end - (int)at);
            return Encoding.UTF8.GetString(bytes, (int)at, (zero < 0 ? end : zero) - (int)at);
        }

        public byte[] Slice(long at, long length) => bytes.AsSpan((int)at, (int)length).ToArray();
    }
}

/// <summary>The file is not an ELF executable crossboard can read; the message says why.</summary>
public sealed class ElfFormatException(string message) : Exception(message);

/// <summary>
/// Elf_MIPS_ABIFlags_v0 (the PT_MIPS_ABIFLAGS segment): ISA level and revision, register sizes,
/// and the FP ABI (Val_GNU_MIPS_ABI_FP_*: 1 double, 2 single, 3 soft, 5 xx, 6 64, 7 64a).
/// </summary>
public sealed record MipsAbiFlags(int Version, int IsaLevel, int IsaRevision, int GprSize, int Cpr1Size, int FpAbi)
{
    public bool SoftFloat => FpAbi == 3;

    public string FpAbiName => FpAbi switch
    {
        0 => "any",
        1 => "hard-float (double)",
        2 => "hard-float (single)",
        3 => "soft-float",
        4 => "hard-float (old 64)",
        5 => "hard-float (fpxx)",
        6 => "hard-float (fp64)",
        7 => "hard-float (fp64a)",
        _ => $"fp-abi {FpAbi}",
    };
}

/// <summary>
/// The build attributes ARM toolchains record (.ARM.attributes, "aeabi" vendor, file scope):
/// Tag_CPU_arch (6), Tag_CPU_arch_profile (7), Tag_CPU_name (5), Tag_ABI_VFP_args (28).
/// </summary>
public sealed record ArmAttributes(int? CpuArch, char? Profile, string? CpuName, int? VfpArgs)
{
    /// <summary>Tag_CPU_arch's values, as the ARM ABI addenda number them.</summary>
    public static string CpuArchName(int value) => value switch
    {
        0 => "pre-v4",
        1 => "v4",
        2 => "v4T",
        3 => "v5T",
        4 => "v5TE",
        5 => "v5TEJ",
        6 => "v6",
        7 => "v6KZ",
        8 => "v6T2",
        9 => "v6K",
        10 => "v7",
        11 => "v6-M",
        12 => "v6S-M",
        13 => "v7E-M",
        14 => "v8-A",
        15 => "v8-R",
        16 => "v8-M.baseline",
        17 => "v8-M.mainline",
        18 => "v8.1-A",
        19 => "v8.2-A",
        20 => "v8.3-A",
        21 => "v8.1-M.mainline",
        22 => "v9-A",
        _ => $"arch {value}",
    };

    public string? CpuArchText => CpuArch is { } arch ? "ARM" + CpuArchName(arch) : null;

    /// <summary>
    /// Format: 'A', then subsections [uint32 length][vendor NUL][tags]; in "aeabi", tag 1 (file)
    /// [uint32 size] holds (ULEB128 tag, value) pairs: NUL-terminated strings for tags 4, 5, 67
    /// and odd tags above 32, ULEB128 integers otherwise, tag 32 an integer then a string.
    /// </summary>
    public static ArmAttributes? Parse(byte[] data, bool littleEndian)
    {
        if (data.Length < 1 || data[0] != (byte)'A')
        {
            return null;
        }

        int? cpuArch = null, vfpArgs = null;
        char? profile = null;
        string? cpuName = null;
        var pos = 1;
        while (pos + 4 <= data.Length)
        {
            var length = (int)Read32(data, pos, littleEndian);
            if (length < 5 || pos + length > data.Length)
            {
                break;
            }

            var end = pos + length;
            var vendorEnd = Array.IndexOf(data, (byte)0, pos + 4, end - pos - 4);
            if (vendorEnd < 0)
            {
                break;
            }

            var vendor = Encoding.ASCII.GetString(data, pos + 4, vendorEnd - pos - 4);
            var at = vendorEnd + 1;
            while (vendor == "aeabi" && at + 5 <= end)
            {
                var scope = data[at];
                var size = (int)Read32(data, at + 1, littleEndian);
                if (size < 5 || at + size > end)
                {
                    break;
                }

                if (scope == 1)
                {
                    var p = at + 5;
                    while (p < at + size)
                    {
                        var tag = Uleb(data, ref p);
                        if (tag is 4 or 5 or 67 || (tag > 32 && tag % 2 == 1))
                        {
                            var text = CString(data, ref p);
                            if (tag == 5)
                            {
                                cpuName = text;
                            }
                        }
                        else if (tag == 32)
                        {
                            Uleb(data, ref p);
                            CString(data, ref p);
                        }
                        else
                        {
                            var value = (int)Uleb(data, ref p);
                            switch (tag)
                            {
                                case 6: cpuArch = value; break;
                                case 7: profile = value == 0 ? null : (char)value; break;
                                case 28: vfpArgs = value; break;
                            }
                        }
                    }
                }

                at += size;
            }

            pos = end;
        }

        return new ArmAttributes(cpuArch, profile, cpuName, vfpArgs);
    }

    private static uint Read32(byte[] data, int at, bool littleEndian) => littleEndian
        ? BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(at, 4))
        : BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(at, 4));

    private static ulong Uleb(byte[] data, ref int p)
    {
        ulong value = 0;
        var shift = 0;
        while (p < data.Length)
        {
            var b = data[p++];
            if (shift < 64)
            {
                value |= (ulong)(b & 0x7f) << shift;
            }

            shift += 7;
            if ((b & 0x80) == 0)
            {
                break;
            }
        }

        return value;
    }

    private static string CString(byte[] data, ref int p)
    {
        var zero = Array.IndexOf(data, (byte)0, p);
        var end = zero < 0 ? data.Length : zero;
        var text = Encoding.ASCII.GetString(data, p, end - p);
        p = end + 1;
        return text;
    }
}
