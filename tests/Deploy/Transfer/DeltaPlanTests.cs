using Crossboard.Deploy;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Deploy;

/// <summary>The host's side of a delta: the pieces rebuild the new binary exactly, and stay few.</summary>
[Tier(TestTier.Unit)]
public sealed class DeltaPlanTests
{
    /// <summary>What the device's tail-and-head loop does, on the host.</summary>
    private static byte[] Apply(byte[] previous, byte[] stream, int listLength)
    {
        var list = System.Text.Encoding.ASCII.GetString(stream, 0, listLength);
        var output = new MemoryStream();
        foreach (var line in list.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ');
            var (offset, length) = (int.Parse(parts[1]), int.Parse(parts[2]));
            output.Write(parts[0] == "c" ? previous.AsSpan(offset, length) : stream.AsSpan(listLength + offset, length));
        }

        return output.ToArray();
    }

    private static byte[] Random(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    [Fact]
    public void Inserted_and_changed_bytes_anywhere_rebuild_the_new_file_exactly_and_only_they_are_sent()
    {
        var previous = Random(600_000, 1);
        // A one-line change's shape: bytes changed in place here and there, and a few inserted, moving what follows.
        var current = previous.ToList();
        current.InsertRange(200_000, Random(300, 2));
        for (var at = 1000; at < current.Count; at += 50_000)
        {
            current[at] ^= 0x5a;
        }

        current.RemoveRange(450_000, 700);
        var next = current.ToArray();

        var pieces = DeltaUpload.Plan(previous, next);
        var stream = DeltaUpload.Stream(next, pieces, out var listLength);

        Assert.Equal(next, Apply(previous, stream, listLength));
        var literal = pieces.Where(p => p.Literal).Sum(p => p.Length);
        Assert.True(literal < 20_000, $"{literal} bytes sent as data for ~300 inserted and 12 changed");
        Assert.True(pieces.Count < 40, $"{pieces.Count} pieces");
        Assert.True(DeltaUpload.Related(previous, next));
    }

    [Fact]
    public void Unrelated_files_are_told_apart_by_the_sample_and_still_rebuild_exactly_as_data()
    {
        var previous = Random(300_000, 3);
        var next = Random(300_000, 4);

        Assert.False(DeltaUpload.Related(previous, next));
        var pieces = DeltaUpload.Plan(previous, next);
        var stream = DeltaUpload.Stream(next, pieces, out var listLength);
        Assert.Equal(next, Apply(previous, stream, listLength));
        Assert.Equal([new DeltaPiece(true, 0, next.Length)], pieces);
    }

    [Fact]
    public void Short_matches_are_sent_as_data_so_the_device_runs_few_processes()
    {
        // Every 600 bytes a change: no stretch reaches the minimum copy, so it is all data, one piece.
        var previous = Random(100_000, 5);
        var next = (byte[])previous.Clone();
        for (var at = 0; at < next.Length; at += 600)
        {
            next[at] ^= 1;
        }

        var pieces = DeltaUpload.Plan(previous, next);
        Assert.Single(pieces);
        var stream = DeltaUpload.Stream(next, pieces, out var listLength);
        Assert.Equal(next, Apply(previous, stream, listLength));
    }
}
