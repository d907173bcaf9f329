using System.Text;

namespace Crossboard.Artifacts;

/// <summary>
/// Says what a file is when it is no ELF program, from its first bytes, so that a refusal names
/// it: "a text file (first line: ...)" tells the user at once they passed /etc/passwd, say.
/// </summary>
public static class FileKind
{
    /// <summary>What <paramref name="bytes"/> (a file's start, or all of it) look like, as "a ... file".</summary>
    public static string Describe(byte[] bytes)
    {
        var start = bytes.AsSpan(0, Math.Min(bytes.Length, 4096));
        if (bytes.Length == 0)
        {
            return "an empty file";
        }

        if (start.StartsWith("#!"u8))
        {
            return $"a script ({FirstLine(start)})";
        }

        if (start.StartsWith(new byte[] { 0x1f, 0x8b }))
        {
            return "gzip-compressed data (unpack it first)";
        }

        if (start.StartsWith("PK\x03\x04"u8))
        {
            return "a zip archive";
        }

        if (start.StartsWith("!<arch>\n"u8))
        {
            return "an ar archive (a static library, or a .deb/.ipk package: deploy the program inside it)";
        }

        if (bytes.Length > 262 && bytes.AsSpan(257, 5).SequenceEqual("ustar"u8))
        {
            return "a tar archive";
        }

        if (start.StartsWith("MZ"u8))
        {
            return "a Windows program (PE), not a Linux one";
        }

        if (start.Length >= 4 && (BitConverter.ToUInt32(start[..4]) is 0xfeedfacf or 0xfeedface or 0xcafebabe or 0xbebafeca))
        {
            return "a macOS program (Mach-O), not a Linux one";
        }

        if (start.StartsWith(new byte[] { 0x7f, (byte)'E', (byte)'L', (byte)'F' }))
        {
            return "a damaged ELF file";
        }

        var printable = 0;
        foreach (var b in start)
        {
            if (b is (>= 0x20 and < 0x7f) or (byte)'\n' or (byte)'\r' or (byte)'\t' or >= 0x80)
            {
                printable++;
            }
        }

        return printable == start.Length && !start.Contains((byte)0)
            ? $"a text file (first line: \"{FirstLine(start)}\")"
            : "data, not a program";
    }

    /// <summary>The first line (at most 60 characters), for a message.</summary>
    public static string FirstLine(ReadOnlySpan<byte> bytes)
    {
        bytes = bytes[..Math.Min(bytes.Length, 4096)];
        var end = bytes.IndexOfAny((byte)'\n', (byte)'\r');
        var line = Encoding.UTF8.GetString(end < 0 ? bytes : bytes[..end]).Trim();
        return line.Length > 60 ? line[..60] + "..." : line;
    }
}
