using System.Diagnostics;

namespace Crossboard;

/// <summary>
/// Progress of a long step (clone, download, toolchain build, upload) as log lines, throttled to
/// one every <c>interval</c>: readable in a terminal and in a CI log alike. Thread-safe, and
/// monotonic: SSH.NET's upload callbacks arrive out of order from several threads, so a lower
/// count than one already shown is ignored.
/// </summary>
public sealed class ProgressLine(string label, IBuildLog log, TimeSpan? interval = null)
{
    private readonly TimeSpan _interval = interval ?? TimeSpan.FromSeconds(2);
    private readonly Stopwatch _watch = Stopwatch.StartNew();
    private readonly object _gate = new();
    private long _done;
    private TimeSpan _lastShown = TimeSpan.MinValue;
    private string? _lastStatus;

    /// <summary>Bytes (or items) done so far out of <paramref name="total"/> (null when unknown).</summary>
    public void Report(long done, long? total)
    {
        lock (_gate)
        {
            if (done < _done)
            {
                return;
            }

            _done = done;
            if (!Due() && done != total)
            {
                return;
            }

            _lastShown = _watch.Elapsed;
            var rate = _watch.Elapsed.TotalSeconds > 0 ? done / _watch.Elapsed.TotalSeconds : 0;
            log.Information(total is > 0
                ? $"{label}: {100.0 * done / total.Value,3:0}% ({Size(done)} of {Size(total.Value)}, {Size((long)rate)}/s)"
                : $"{label}: {Size(done)} ({Size((long)rate)}/s)");
        }
    }

    /// <summary>A status word that changes (e.g. which package is building); shown when it changes, throttled.</summary>
    public void Status(string status)
    {
        lock (_gate)
        {
            if (status == _lastStatus || !Due())
            {
                return;
            }

            _lastStatus = status;
            _lastShown = _watch.Elapsed;
            log.Information($"{label}: {status} ({_watch.Elapsed:mm\\:ss})");
        }
    }

    public TimeSpan Elapsed => _watch.Elapsed;

    private bool Due() => _lastShown == TimeSpan.MinValue || _watch.Elapsed - _lastShown >= _interval;

    public static string Size(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):0.0} GiB",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):0.0} MiB",
        >= 1L << 10 => $"{bytes / (double)(1L << 10):0.0} KiB",
        _ => $"{bytes} B",
    };
}
