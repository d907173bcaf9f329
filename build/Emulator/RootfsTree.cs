using System.IO.Compression;
using System.Text;

namespace Crossboard.Emulator;

/// <summary>
/// The device's root filesystem as a list of entries (no staging folder on disk), written as the
/// gzip'd "newc" cpio archive the kernel unpacks as its initramfs. Every entry is owned by root
/// and dated 0 whoever builds it, so the same inputs give the same archive, and device nodes need
/// no mknod (no root) on the build host.
/// </summary>
public sealed class RootfsTree
{
    private const int TypeDirectory = 0x4000;
    private const int TypeFile = 0x8000;
    private const int TypeSymlink = 0xA000;
    private const int TypeCharDevice = 0x2000;

    private readonly SortedDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    private sealed record Entry(int Mode, string? SourceFile = null, byte[]? Content = null, string? LinkTarget = null, int Major = 0, int Minor = 0);

    public IEnumerable<string> Paths => _entries.Keys;

    public bool Contains(string path) => _entries.ContainsKey(Normalize(path));

    public void Directory(string path, int permissions = 0b111_101_101)
    {
        var key = Normalize(path);
        if (key.Length == 0)
        {
            return;
        }

        Parents(key);
        _entries[key] = new Entry(TypeDirectory | permissions);
    }

    public void File(string path, string sourceFile, int permissions)
    {
        var key = Normalize(path);
        Parents(key);
        _entries[key] = new Entry(TypeFile | permissions, SourceFile: sourceFile);
    }

    public void Text(string path, string content, int permissions = 0b110_100_100) => Bytes(path, Encoding.UTF8.GetBytes(content), permissions);

    public void Bytes(string path, byte[] content, int permissions)
    {
        var key = Normalize(path);
        Parents(key);
        _entries[key] = new Entry(TypeFile | permissions, Content: content);
    }

    public void Symlink(string path, string target)
    {
        var key = Normalize(path);
        Parents(key);
        _entries[key] = new Entry(TypeSymlink | 0b111_111_111, LinkTarget: target);
    }

    public void CharDevice(string path, int major, int minor, int permissions)
    {
        var key = Normalize(path);
        Parents(key);
        _entries[key] = new Entry(TypeCharDevice | permissions, Major: major, Minor: minor);
    }

    /// <summary>Writes the archive, gzip-compressed, to <paramref name="path"/>.</summary>
    public void WriteCpioGz(string path)
    {
        using var file = System.IO.File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Optimal);
        var inode = 1;
        foreach (var (name, entry) in _entries)
        {
            var data = entry.LinkTarget is not null ? Encoding.UTF8.GetBytes(entry.LinkTarget)
                : entry.Content ?? (entry.SourceFile is not null ? System.IO.File.ReadAllBytes(entry.SourceFile) : []);
            WriteEntry(gzip, name, entry.Mode, inode++, data, entry.Major, entry.Minor);
        }

        WriteEntry(gzip, "TRAILER!!!", 0, 0, [], 0, 0);
    }

    private static void WriteEntry(Stream output, string name, int mode, int inode, byte[] data, int major, int minor)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name + "\0");
        var isDir = (mode & 0xF000) == TypeDirectory;
        var header = new StringBuilder("070701");
        foreach (var field in new[] { inode, mode, 0, 0, isDir ? 2 : 1, 0, data.Length, 0, 0, major, minor, nameBytes.Length, 0 })
        {
            header.Append(field.ToString("X8"));
        }

        output.Write(Encoding.ASCII.GetBytes(header.ToString()));
        output.Write(nameBytes);
        Pad(output, 110 + nameBytes.Length);
        output.Write(data);
        Pad(output, data.Length);
    }

    private static void Pad(Stream output, int length)
    {
        var pad = (4 - length % 4) % 4;
        output.Write(new byte[pad]);
    }

    private void Parents(string key)
    {
        var slash = key.LastIndexOf('/');
        if (slash > 0 && !_entries.ContainsKey(key[..slash]))
        {
            Directory(key[..slash]);
        }
    }

    private static string Normalize(string path) => path.Trim('/');
}
