using System.Diagnostics;
using System.IO.Compression;
using Crossboard.Machine;

namespace Crossboard.Deploy;

/// <summary>--compress: auto (measure), yes, no.</summary>
public enum CompressionMode
{
    Auto,
    Always,
    Never,
}

/// <param name="Compress">Whether to send the binary gzip-compressed into "gunzip -c".</param>
/// <param name="Reason">One line for the log: why.</param>
/// <param name="RawRate">Measured bytes/s of the raw probe (null when not probed).</param>
/// <param name="GzipRate">Measured raw-equivalent bytes/s of the gzip probe (null when not probed).</param>
public sealed record CompressionDecision(bool Compress, string Reason, double? RawRate = null, double? GzipRate = null);

/// <summary>
/// Decides whether a gzip-compressed upload is faster, by measurement rather than a guess: the
/// same sample of the binary is sent once raw into "cat &gt; /dev/null" and once compressed into
/// "gunzip -c &gt; /dev/null", and the faster way wins by a clear margin. This takes in both the
/// link (the seed's upload ran at 93 KB/s) and the device's CPU (the emulated MIPS board
/// decompresses slower than its link delivers, so gzip loses there). bench/deploy/ measures where
/// the cut-offs below come from.
/// </summary>
public static class CompressionAdvisor
{
    /// <summary>Below this, even the seed's 93 KB/s link takes a few seconds: not worth two probes.</summary>
    public const long MinimumSize = 512 * 1024;

    /// <summary>
    /// The probe sample: ~0.35 s at 93 KB/s, a few ms on a LAN. (128 KiB before: its two probes
    /// took 1.7 s of a first deploy over 1 Mbit/s, bench figure 9, more than gzip then saved.)
    /// </summary>
    public const int SampleSize = 32 * 1024;

    /// <summary>An uncompressed upload estimated shorter than this is left alone.</summary>
    public static readonly TimeSpan WorthProbing = TimeSpan.FromSeconds(2);

    /// <summary>Gzip must take at most this share of the raw time (a margin for the estimate's noise).</summary>
    public const double RequiredGain = 0.8;

    /// <summary>Gzip output above this share of the input saves too little to try.</summary>
    public const double MaximumRatio = 0.85;

    public static CompressionDecision Decide(DeviceConnection connection, DeviceFacts facts, string file, long size, CompressionMode mode)
    {
        if (mode == CompressionMode.Never)
        {
            return new CompressionDecision(false, "compression off (--compress=no)");
        }

        if (!facts.Has("gunzip"))
        {
            if (mode == CompressionMode.Always)
            {
                throw new CrossboardException(
                    $"--compress=yes, but device '{connection.Target.Name}' has no gunzip (a busybox applet: enable it in the firmware, or use --compress=auto).");
            }

            return new CompressionDecision(false, "the device has no gunzip");
        }

        if (mode == CompressionMode.Always)
        {
            return new CompressionDecision(true, "--compress=yes");
        }

        if (size < MinimumSize)
        {
            return new CompressionDecision(false, $"small binary ({ProgressLine.Size(size)})");
        }

        var sample = ReadSample(file, size);
        var gzipped = Gzip(sample);
        var ratio = (double)gzipped.Length / sample.Length;
        if (ratio > MaximumRatio)
        {
            return new CompressionDecision(false, $"the binary barely compresses ({ratio:P0})");
        }

        // Each probe pays for opening a channel and waiting for the command to end: measured
        // alone, it is taken off both, else on a high-latency link the two look alike.
        var overhead = Probe(connection, "cat > /dev/null", [], TimeSpan.Zero);
        var raw = Probe(connection, "cat > /dev/null", sample, overhead);
        var rawRate = sample.Length / raw.TotalSeconds;
        var rawEstimate = TimeSpan.FromSeconds(size / rawRate);
        if (rawEstimate < WorthProbing)
        {
            return new CompressionDecision(false, $"fast link ({ProgressLine.Size((long)rawRate)}/s measured)", rawRate);
        }

        var packed = Probe(connection, "gunzip -c > /dev/null", gzipped, overhead);
        var gzipRate = sample.Length / packed.TotalSeconds;
        var compress = packed.TotalSeconds < RequiredGain * raw.TotalSeconds;
        var measured = $"link {ProgressLine.Size((long)rawRate)}/s raw, {ProgressLine.Size((long)gzipRate)}/s through gzip (sample compresses to {ratio:P0})";
        return new CompressionDecision(compress, compress ? $"slow link: {measured}" : $"gzip does not pay: {measured}", rawRate, gzipRate);
    }

    /// <summary>Gzip (level "optimal") of a whole file, in memory: binaries are tens of MB at most.</summary>
    public static byte[] Gzip(string file)
    {
        using var input = File.OpenRead(file);
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            input.CopyTo(gzip);
        }

        return output.ToArray();
    }

    public static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    /// <summary>The middle of the file: an ELF's start is headers and its end symbol tables, neither typical.</summary>
    private static byte[] ReadSample(string file, long size)
    {
        var length = (int)Math.Min(SampleSize, size);
        var buffer = new byte[length];
        using var stream = File.OpenRead(file);
        stream.Seek((size - length) / 2, SeekOrigin.Begin);
        stream.ReadExactly(buffer);
        return buffer;
    }

    private static TimeSpan Probe(DeviceConnection connection, string script, byte[] data, TimeSpan overhead)
    {
        var watch = Stopwatch.StartNew();
        ExecUpload.Stream(connection, script, new MemoryStream(data), _ => { }, CancellationToken.None, out var result);
        if (!result.Succeeded)
        {
            throw new CrossboardException($"Measuring the link to device '{connection.Target.Name}' failed ({script}): {result.Diagnostic}");
        }

        // A zero reading (clock granularity) would divide by zero; a millisecond is already "fast".
        var elapsed = watch.Elapsed - overhead;
        return elapsed < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : elapsed;
    }
}
