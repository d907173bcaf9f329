using System.IO.Compression;
using System.Text;

namespace Crossboard.Tests.Emulator;

/// <summary>Reads a gzip'd "newc" cpio archive (an initramfs) back: path -> mode and content.</summary>
public static class CpioEntries
{
    public sealed record Entry(string Path, int Mode, byte[] Data, int RdevMajor, int RdevMinor)
    {
        public int Type => Mode & 0xF000;
        public bool IsFile => Type == 0x8000;
        public bool IsSymlink => Type == 0xA000;
        public bool IsDirectory => Type == 0x4000;
        public bool IsCharDevice => Type == 0x2000;
        public int Permissions => Mode & 0xFFF;
        public string Text => Encoding.UTF8.GetString(Data);
    }

    public static IReadOnlyDictionary<string, Entry> Read(string cpioGz)
    {
        using var file = File.OpenRead(cpioGz);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var memory = new MemoryStream();
        gzip.CopyTo(memory);
        var data = memory.ToArray();
        var entries = new Dictionary<string, Entry>(StringComparer.Ordinal);
        var at = 0;
        while (true)
        {
            var magic = Encoding.ASCII.GetString(data, at, 6);
            Assert.Equal("070701", magic);
            int Field(int index) => Convert.ToInt32(Encoding.ASCII.GetString(data, at + 6 + index * 8, 8), 16);
            var mode = Field(1);
            var size = Field(6);
            var major = Field(9);
            var minor = Field(10);
            var nameSize = Field(11);
            var name = Encoding.UTF8.GetString(data, at + 110, nameSize - 1);
            at = Align(at + 110 + nameSize);
            var content = data.AsSpan(at, size).ToArray();
            at = Align(at + size);
            if (name == "TRAILER!!!")
            {
                return entries;
            }

            entries[name] = new Entry(name, mode, content, major, minor);
        }
    }

    private static int Align(int n) => (n + 3) & ~3;
}
