using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace Crossboard.Deploy;

/// <summary>One piece of the new binary: bytes of the device's old binary (<see cref="Literal"/> false) or bytes sent.</summary>
/// <param name="Offset">Where the bytes start: in the old binary, or in the literal data sent.</param>
public readonly record struct DeltaPiece(bool Literal, long Offset, long Length);

/// <summary>
/// A redeploy that sends only what changed. The host keeps a copy of every binary it sent
/// (<see cref="SentCache"/>), so when the device still has the one sent last, the host knows its
/// bytes exactly and works out, by itself, which stretches of the new build the old one already
/// holds (at any offset: a one-line change moves code and data). The device gets a list of pieces
/// and the bytes it lacks, gzip-compressed when it has gunzip, into a file in /tmp, and assembles
/// &lt;target&gt;.new with busybox's tail and head (one pair a piece); the deploy's verify-and-install
/// script then checks the whole file's checksum and renames it, exactly as for a full upload. A
/// wrong guess about the old binary (it changed on the device) fails that checksum and the deploy
/// sends the whole binary instead. Measured in bench/ (figure "slow-link"): a one-line change to
/// samples/hello sends ~5 % of what gzip of the whole binary does.
/// </summary>
public static class DeltaUpload
{
    /// <summary>The window the match search hashes: shorter matches are not looked for.</summary>
    private const int Window = 32;

    /// <summary>Old-binary offsets indexed every this many bytes (a match is found within Step + Window of its start, then extended back).</summary>
    private const int Step = 16;

    /// <summary>
    /// A copied stretch shorter than this is sent as bytes instead: each piece is two processes on
    /// the device (a few ms on a MIPS board), and a KiB of code gzip-compressed is ~4 ms at 1 Mbit/s.
    /// </summary>
    public const int MinimumCopy = 1024;

    /// <summary>Up to this many pieces (each two processes on the device); a plan needing more is not worth it.</summary>
    public const int MaximumPieces = 400;

    /// <summary>The pieces of <paramref name="current"/>, from <paramref name="previous"/> where it has them.</summary>
    public static IReadOnlyList<DeltaPiece> Plan(ReadOnlySpan<byte> previous, ReadOnlySpan<byte> current)
    {
        var pieces = new List<DeltaPiece>();
        if (previous.Length < Window || current.Length < Window)
        {
            Literal(pieces, 0, current.Length);
            return pieces;
        }

        var index = new Dictionary<ulong, int>(previous.Length / Step + 1);
        for (var k = 0; k + Window <= previous.Length; k += Step)
        {
            index.TryAdd(Hash(previous.Slice(k, Window)), k);
        }

        long literalStart = 0;
        var i = 0;
        // The next old offset if the new build simply continues as the old one did (no lookup needed).
        var follow = -1;
        while (i + Window <= current.Length)
        {
            var match = -1;
            if (follow >= 0 && follow + Window <= previous.Length && current.Slice(i, Window).SequenceEqual(previous.Slice(follow, Window)))
            {
                match = follow;
            }
            else if (index.TryGetValue(Hash(current.Slice(i, Window)), out var k) && current.Slice(i, Window).SequenceEqual(previous.Slice(k, Window)))
            {
                match = k;
            }

            if (match < 0)
            {
                i++;
                if (follow >= 0)
                {
                    follow++;
                }

                continue;
            }

            // Extend back over bytes not yet placed, then forward as far as both agree.
            var start = i;
            var from = match;
            while (start > literalStart && from > 0 && current[start - 1] == previous[from - 1])
            {
                start--;
                from--;
            }

            var end = i + Window;
            var to = match + Window;
            var common = current[end..].CommonPrefixLength(previous[to..]);
            end += common;
            to += common;
            if (end - start < MinimumCopy)
            {
                // Too short to be worth a piece: these bytes go as data (the search goes on after them).
                i = end;
                follow = to;
                continue;
            }

            Literal(pieces, literalStart, start - literalStart);
            Copy(pieces, from, end - start);
            literalStart = end;
            i = end;
            follow = to;
        }

        Literal(pieces, literalStart, current.Length - literalStart);
        return pieces;
    }

    /// <summary>The bytes sent: the literal data, in order (the device reads them at <see cref="DeltaPiece.Offset"/>s into it).</summary>
    public static byte[] Data(ReadOnlySpan<byte> current, IReadOnlyList<DeltaPiece> pieces)
    {
        // The plan keeps literal offsets as positions in the new binary; the data sent packs them.
        var data = new MemoryStream();
        foreach (var piece in pieces.Where(p => p.Literal))
        {
            data.Write(current.Slice((int)piece.Offset, (int)piece.Length));
        }

        return data.ToArray();
    }

    /// <summary>
    /// The stream sent: the piece list as text ("c OFFSET LENGTH": from the old binary; "l OFFSET
    /// LENGTH": from the data that follows the list), then the data.
    /// </summary>
    public static byte[] Stream(ReadOnlySpan<byte> current, IReadOnlyList<DeltaPiece> pieces, out int listLength)
    {
        var list = new StringBuilder();
        long packed = 0;
        foreach (var piece in pieces)
        {
            if (piece.Literal)
            {
                list.Append(CultureInfo.InvariantCulture, $"l {packed} {piece.Length}\n");
                packed += piece.Length;
            }
            else
            {
                list.Append(CultureInfo.InvariantCulture, $"c {piece.Offset} {piece.Length}\n");
            }
        }

        var text = Encoding.ASCII.GetBytes(list.ToString());
        listLength = text.Length;
        var output = new MemoryStream();
        output.Write(text);
        output.Write(Data(current, pieces));
        return output.ToArray();
    }

    /// <summary>
    /// The device's side: the stream into a file in /tmp (through gunzip when
    /// <paramref name="compressed"/>), then &lt;target&gt;.new assembled from it and the installed
    /// binary. Exits <see cref="ExecUpload.WriteFailed"/> if any step fails (the caller then sends
    /// the whole binary); the file in /tmp goes either way.
    /// </summary>
    public static string WriteCommand(string oldPath, string newPath, int listLength, bool compressed)
    {
        var o = RemoteShell.Quote(oldPath);
        var n = RemoteShell.Quote(newPath);
        return new StringBuilder()
            .Append("d=/tmp/.crossboard-delta.$$\n")
            .Append(compressed ? "gunzip -c > \"$d\"" : "cat > \"$d\"").Append(" || { rm -f \"$d\"; exit ").Append(ExecUpload.WriteFailed).Append("; }\n")
            // busybox's head reads ahead through stdio, so every piece reads a file of its own, never a shared pipe.
            .Append("head -c ").Append(listLength).Append(" \"$d\" | while read -r k a b; do\n")
            .Append("  case $k in\n")
            .Append("    c) tail -c +$((a + 1)) ").Append(o).Append(" | head -c \"$b\" ;;\n")
            .Append("    l) tail -c +$((a + ").Append(listLength).Append(" + 1)) \"$d\" | head -c \"$b\" ;;\n")
            .Append("    *) exit 1 ;;\n")
            .Append("  esac || exit 1\n")
            .Append("done > ").Append(n).Append(" || { rm -f \"$d\" ").Append(n).Append("; exit ").Append(ExecUpload.WriteFailed).Append("; }\n")
            .Append("rm -f \"$d\"")
            .ToString();
    }

    /// <summary>The bytes on the wire for <paramref name="stream"/>: gzip-compressed, or as they are.</summary>
    public static byte[] Encode(byte[] stream, bool compressed) => compressed ? CompressionAdvisor.Gzip(stream) : stream;

    /// <summary>
    /// Whether the two builds look related at all, from a sample of the new one (a few hundred
    /// windows): a quick "no" for unrelated files, before the full search (which costs ~10 ms a MB).
    /// </summary>
    public static bool Related(ReadOnlySpan<byte> previous, ReadOnlySpan<byte> current)
    {
        if (previous.Length < 4096 || current.Length < 4096)
        {
            return false;
        }

        // Same-offset samples first (a rebuild that keeps its layout), then a hashed look at the first 64 KiB.
        var probes = 256;
        var same = 0;
        for (var p = 0; p < probes; p++)
        {
            var at = (int)((long)(current.Length - 64) * p / probes);
            if (at + 64 <= previous.Length && current.Slice(at, 64).SequenceEqual(previous.Slice(at, 64)))
            {
                same++;
            }
        }

        if (same >= probes / 8)
        {
            return true;
        }

        var head = previous[..Math.Min(previous.Length, 1 << 20)];
        var index = new HashSet<ulong>();
        for (var k = 0; k + Window <= head.Length; k += Step)
        {
            index.Add(Hash(head.Slice(k, Window)));
        }

        var found = 0;
        var sample = current[..Math.Min(current.Length, 64 * 1024)];
        for (var i = 0; i + Window <= sample.Length; i += 7)
        {
            if (index.Contains(Hash(sample.Slice(i, Window))))
            {
                found++;
            }
        }

        return found > sample.Length / 7 / 20;
    }

    private static void Literal(List<DeltaPiece> pieces, long start, long length)
    {
        if (length <= 0)
        {
            return;
        }

        if (pieces.Count > 0 && pieces[^1] is { Literal: true } last && last.Offset + last.Length == start)
        {
            pieces[^1] = last with { Length = last.Length + length };
            return;
        }

        pieces.Add(new DeltaPiece(true, start, length));
    }

    private static void Copy(List<DeltaPiece> pieces, long from, long length)
    {
        if (pieces.Count > 0 && pieces[^1] is { Literal: false } last && last.Offset + last.Length == from)
        {
            pieces[^1] = last with { Length = last.Length + length };
            return;
        }

        pieces.Add(new DeltaPiece(false, from, length));
    }

    private static ulong Hash(ReadOnlySpan<byte> window)
    {
        // Four 8-byte words mixed: the window is a fixed 32 bytes, and this is all the search needs.
        ulong h = 0x9E3779B97F4A7C15;
        for (var w = 0; w < Window; w += 8)
        {
            h = (h ^ BinaryPrimitives.ReadUInt64LittleEndian(window[w..])) * 0xBF58476D1CE4E5B9;
            h ^= h >> 31;
        }

        return h;
    }
}
