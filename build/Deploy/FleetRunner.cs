using System.Diagnostics;
using Crossboard.Machine;

namespace Crossboard.Deploy;

/// <summary>
/// Runs one operation (deploy, rollback) on many devices, a bounded number at a time. A device
/// that fails does not stop the others; every device ends up as one row of the result table.
/// </summary>
public static class FleetRunner
{
    /// <summary>
    /// 16: a device's deploy mostly waits on its link (round trips, the SSH window), so the host
    /// can keep many going; at 4 a fleet of 16 took four rounds (bench figure 10: 5.1 s against
    /// parallel-scp's 4.2 s for all 16 at once, which defaults to 32).
    /// </summary>
    public const int DefaultParallelism = 16;

    /// <param name="devices">Each device's name and how to resolve it (resolution errors count against that device only).</param>
    /// <param name="operation">The work for one device, given its target and its log prefix.</param>
    public static IReadOnlyList<DeviceResult> Run(
        IReadOnlyList<(string Name, Func<DeviceTarget> Resolve)> devices,
        int parallelism,
        Func<DeviceTarget, string, DeviceResult> operation,
        IBuildLog log,
        Func<string, string?> logFileFor,
        CancellationToken cancellation = default)
    {
        var results = new DeviceResult[devices.Count];
        var width = Math.Clamp(parallelism, 1, Math.Max(1, devices.Count));
        log.Information($"Deploying to {devices.Count} device(s), {Math.Max(1, parallelism)} at a time.");
        // A worker thread of its own for each device at work (not the thread pool, which on a
        // 2-core host starts with 2 threads and adds one every half second or so): each device's
        // work mostly waits on its network, so the fleet's time is its slowest device's, not the sum.
        var next = -1;
        var workers = Enumerable.Range(0, width).Select(_ => Task.Factory.StartNew(() =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < devices.Count)
            {
                cancellation.ThrowIfCancellationRequested();
                var (name, resolve) = devices[i];
                var watch = Stopwatch.StartNew();
                try
                {
                    results[i] = operation(resolve(), name);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    var message = ex is CrossboardException ? ex.Message : $"{ex.GetType().Name}: {ex.Message}";
                    log.Warning($"[{name}] FAILED: {message}");
                    var logFile = logFileFor(name);
                    results[i] = new DeviceResult(name, false, ex is DeployFailedException failed ? failed.Outcome : "failed", null, 0, watch.Elapsed, FirstLine(message),
                        logFile is not null && File.Exists(logFile) ? logFile : null)
                    {
                        Error = message,
                    };
                }
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
        try
        {
            Task.WaitAll(workers);
        }
        catch (AggregateException all) when (all.InnerExceptions.OfType<OperationCanceledException>().FirstOrDefault() is { } cancelled)
        {
            throw cancelled;
        }

        return results;
    }

    public static string Table(IEnumerable<DeviceResult> results) => ResultTable(results).ToString();

    /// <summary>One row per device: what the log prints after a deploy, and a CI's summary shows.</summary>
    public static TextTable ResultTable(IEnumerable<DeviceResult> results)
    {
        var table = new TextTable("device", "result", "transfer", "sent", "time", "detail");
        foreach (var r in results)
        {
            table.Add(
                r.Device,
                r.Succeeded ? r.Outcome : r.Outcome == "failed" ? "FAILED" : $"FAILED, {r.Outcome}",
                r.Method is { } m ? Deployer.Describe(m) : "-",
                r.BytesSent > 0 ? ProgressLine.Size(r.BytesSent) : "-",
                $"{r.Elapsed.TotalSeconds:0.0} s",
                r.Detail);
        }

        return table;
    }

    private static string FirstLine(string message)
    {
        var line = message.Split('\n')[0].Trim();
        return line.Length > 140 ? line[..140] + "..." : line;
    }
}

/// <summary>Some devices of a fleet failed (the message says which); <see cref="Results"/> has every device's row, the others' too.</summary>
public sealed class FleetFailedException(string message, IReadOnlyList<DeviceResult> results) : DeviceException(message)
{
    public IReadOnlyList<DeviceResult> Results { get; } = results;
}
