using System.Buffers.Binary;
using System.Text;

namespace Crossboard.Emulator;

/// <summary>
/// What an ELF file needs at run time: its program interpreter (PT_INTERP) and the shared
/// libraries it names (DT_NEEDED). Enough to copy exactly the libraries the device's programs
/// load into the image, for any word size and byte order.
/// </summary>
public sealed record ElfLinkage(string? Interpreter, IReadOnlyList<string> Needed)
{
    private const int PtInterp = 3;
    private const int ShtDynamic = 6;
    private const long DtNeeded = 1;

    /// <summary>Null when <paramref name="path"/> is not an ELF file (a script, data).</summary>
    public static ElfLinkage? Read(string path)
    {
        var data = File.ReadAllBytes(path);
        if (data.Length < 52 || data[0] != 0x7f || data[1] != (byte)'E' || data[2] != (byte)'L' || data[3] != (byte)'F')
        {
            return null;
        }

        var is64 = data[4] == 2;
        var little = data[5] == 1;
        var r = new Reader(data, little);

        var phoff = is64 ? (long)r.U64(0x20) : r.U32(0x1c);
        var shoff = is64 ? (long)r.U64(0x28) : r.U32(0x20);
        var phentsize = r.U16(is64 ? 0x36 : 0x2a);
        var phnum = r.U16(is64 ? 0x38 : 0x2c);
        var shentsize = r.U16(is64 ? 0x3a : 0x2e);
        var shnum = r.U16(is64 ? 0x3c : 0x30);

        string? interpreter = null;
        for (var i = 0; i < phnum; i++)
        {
            var ph = phoff + (long)i * phentsize;
            if (r.U32(ph) != PtInterp)
            {
                continue;
            }

            var offset = is64 ? (long)r.U64(ph + 8) : r.U32(ph + 4);
            var size = is64 ? (long)r.U64(ph + 32) : r.U32(ph + 16);
            interpreter = r.CString(offset, size);
        }

        var needed = new List<string>();
        for (var i = 0; i < shnum; i++)
        {
            var sh = shoff + (long)i * shentsize;
            if (r.U32(sh + 4) != ShtDynamic)
            {
                continue;
            }

            var offset = is64 ? (long)r.U64(sh + 0x18) : r.U32(sh + 0x10);
            var size = is64 ? (long)r.U64(sh + 0x20) : r.U32(sh + 0x14);
            var link = r.U32(sh + (is64 ? 0x28 : 0x18));
            var strtab = shoff + link * shentsize;
            var strOffset = is64 ? (long)r.U64(strtab + 0x18) : r.U32(strtab + 0x10);
            var strSize = is64 ? (long)r.U64(strtab + 0x20) : r.U32(strtab + 0x14);
            var entry = is64 ? 16 : 8;
            for (var e = offset; e + entry <= offset + size; e += entry)
            {
                var tag = is64 ? (long)r.U64(e) : r.U32(e);
                if (tag == 0)
                {
                    break;
                }

                if (tag == DtNeeded)
                {
                    var value = is64 ? (long)r.U64(e + 8) : r.U32(e + 4);
                    needed.Add(r.CString(strOffset + value, strSize - value));
                }
            }
        }

        return new ElfLinkage(interpreter, needed);
    }

    private sealed class Reader(byte[] data, bool little)
    {
        public ushort U16(long at) => little ? BinaryPrimitives.ReadUInt16LittleEndian(Span(at, 2)) : BinaryPrimitives.ReadUInt16BigEndian(Span(at, 2));
        public uint U32(long at) => little ? BinaryPrimitives.ReadUInt32LittleEndian(Span(at, 4)) : BinaryPrimitives.ReadUInt32BigEndian(Span(at, 4));
        public ulong U64(long at) => little ? BinaryPrimitives.ReadUInt64LittleEndian(Span(at, 8)) : BinaryPrimitives.ReadUInt64BigEndian(Span(at, 8));

        public string CString(long at, long max)
        {
            var span = Span(at, (int)Math.Min(max, data.Length - at));
            var end = span.IndexOf((byte)0);
            return Encoding.UTF8.GetString(end < 0 ? span : span[..end]);
        }

        private ReadOnlySpan<byte> Span(long at, int length) =>
            at < 0 || at + length > data.Length
                ? throw new InvalidDataException("truncated ELF file")
                : data.AsSpan((int)at, length);
    }
}
