using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Crossboard.Machine;

/// <summary>
/// apt-get install's output (as it prints it to a pipe: no bar, one line per step) turned into
/// throttled progress lines: how many of the packages are downloaded (and how many of the bytes),
/// unpacked and set up. The full output goes to the log file; this is what a user watches.
/// </summary>
public sealed partial class AptProgress(Action<string> log)
{
    private readonly object _gate = new();
    private readonly Stopwatch _watch = Stopwatch.StartNew();
    private TimeSpan _lastShown = TimeSpan.MinValue;
    private int _total;
    private double _totalBytes;
    private int _fetched;
    private double _fetchedBytes;
    private int _unpacked;
    private int _setUp;

    public void Line(string line)
    {
        lock (_gate)
        {
            if (NewlyInstalled().Match(line) is { Success: true } plan)
            {
                _total = int.Parse(plan.Groups["n"].Value, CultureInfo.InvariantCulture);
            }
            else if (NeedToGet().Match(line) is { Success: true } need)
            {
                _totalBytes = Bytes(need.Groups["size"].Value, need.Groups["unit"].Value);
                Show($"downloading {_total} packages ({Size(_totalBytes)})", force: true);
            }
            else if (Get().Match(line) is { Success: true } get)
            {
                _fetched++;
                _fetchedBytes += Bytes(get.Groups["size"].Value, get.Groups["unit"].Value);
                Show($"downloaded {_fetched} of {Of()} ({Size(_fetchedBytes)}{(_totalBytes > 0 ? " of " + Size(_totalBytes) : "")})");
            }
            else if (line.StartsWith("Unpacking ", StringComparison.Ordinal))
            {
                _unpacked++;
                Show($"unpacked {_unpacked} of {Of()}");
            }
            else if (line.StartsWith("Setting up ", StringComparison.Ordinal))
            {
                _setUp++;
                Show($"set up {_setUp} of {Of()}");
            }
        }
    }

    /// <summary>The closing line.</summary>
    public void Done()
    {
        lock (_gate)
        {
            log($"Installed {(_total > 0 ? _total : _setUp)} Debian package(s) ({Size(_fetchedBytes)} downloaded) in {_watch.Elapsed:mm\\:ss}");
        }
    }

    private string Of() => _total > 0 ? _total.ToString(CultureInfo.InvariantCulture) : "?";

    private void Show(string status, bool force = false)
    {
        if (!force && _lastShown != TimeSpan.MinValue && _watch.Elapsed - _lastShown < TimeSpan.FromSeconds(2))
        {
            return;
        }

        _lastShown = _watch.Elapsed;
        log($"Installing: {status} ({_watch.Elapsed:mm\\:ss})");
    }

    /// <summary>apt's sizes: "1,234 kB", "12.3 MB", "999 B" (SI units, thousands separated by commas).</summary>
    private static double Bytes(string number, string unit)
    {
        var value = double.Parse(number.Replace(",", ""), CultureInfo.InvariantCulture);
        return unit switch
        {
            "kB" => value * 1e3,
            "MB" => value * 1e6,
            "GB" => value * 1e9,
            _ => value,
        };
    }

    public static string Size(double bytes) => bytes switch
    {
        >= 1e9 => $"{bytes / 1e9:0.0} GB",
        >= 1e6 => $"{bytes / 1e6:0.0} MB",
        >= 1e3 => $"{bytes / 1e3:0} kB",
        _ => $"{bytes:0} B",
    };

    // "0 upgraded, 87 newly installed, 0 to remove and 3 not upgraded."
    [GeneratedRegex(@"^\d+ upgraded, (?<n>\d+) newly installed")]
    private static partial Regex NewlyInstalled();

    // "Need to get 120 MB of archives." (or "Need to get 0 B/1,234 kB of archives." when some are cached)
    [GeneratedRegex(@"^Need to get (?<size>[\d.,]+) (?<unit>[kMG]?B)")]
    private static partial Regex NeedToGet();

    // "Get:12 http://deb.debian.org/debian bookworm/main amd64 cpp-12 amd64 12.2.0-14 [9,768 kB]"
    [GeneratedRegex(@"^Get:\d+ .*\[(?<size>[\d.,]+) (?<unit>[kMG]?B)\]\s*$")]
    private static partial Regex Get();
}
