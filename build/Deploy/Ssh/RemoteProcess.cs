using System.Text;
using Renci.SshNet.Common;

namespace Crossboard.Deploy;

/// <summary>How a command on the device ended: its exit status (or signal), or stopped by the user.</summary>
public sealed record RemoteExit(int? ExitStatus, string? ExitSignal, bool Stopped)
{
    public string Describe => ExitStatus is { } status ? $"exit status {status}" : $"signal {ExitSignal ?? "unknown"}";
}

/// <summary>
/// A command on the device whose output streams line by line as it comes, and which can be
/// stopped (Ctrl+C): the shell says its pid first and then exec's the program, which keeps that
/// pid, so stopping is INT, then TERM, then KILL to it over a second channel. Not every SSH
/// server implements the "signal" request. Used by Run (the app in the foreground) and by
/// CargoTest on the device (each test binary).
/// </summary>
public static class RemoteProcess
{
    private const string PidMarker = "crossboard-pid ";

    /// <param name="script">A shell command that ends by exec'ing the program (so that the pid is the program's).</param>
    /// <param name="what">What runs, for the log ("hello", "the test binary hello-1a2b").</param>
    public static RemoteExit Run(DeviceConnection connection, string script, Action<string> onLine, CancellationToken stop, DeviceLog log, string what)
    {
        using var command = connection.Ssh.CreateCommand($"echo \"{PidMarker}$$\"; {script}");
        var run = command.ExecuteAsync(CancellationToken.None);
        var pid = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var reader = Task.Run(() =>
        {
            using var lines = new StreamReader(command.OutputStream, Encoding.UTF8);
            string? line;
            while ((line = lines.ReadLine()) is not null)
            {
                if (!pid.Task.IsCompleted && line.StartsWith(PidMarker, StringComparison.Ordinal))
                {
                    pid.TrySetResult(line[PidMarker.Length..].Trim());
                    continue;
                }

                onLine(line);
            }
        }, CancellationToken.None);

        try
        {
            Task.WaitAny([run], stop);
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C: stop the remote process below.
        }

        if (!run.IsCompleted)
        {
            Stop(connection, pid.Task, log, what);
            if (!run.Wait(TimeSpan.FromSeconds(10)))
            {
                command.CancelAsync(forceKill: true);
            }
        }

        try
        {
            run.Wait(TimeSpan.FromSeconds(5));
            reader.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException ex) when (ex.InnerException is SshException or OperationCanceledException)
        {
            throw connection.Lost(ex.InnerException!, $"running {what}");
        }

        return new RemoteExit(command.ExitStatus, command.ExitSignal, stop.IsCancellationRequested);
    }

    /// <summary>INT, then TERM, then KILL to the remote process (the shell that exec'd the program has its pid).</summary>
    private static void Stop(DeviceConnection connection, Task<string> pid, DeviceLog log, string what)
    {
        if (!pid.Wait(TimeSpan.FromSeconds(5)) || !int.TryParse(pid.Result, out var number))
        {
            log.Warning($"Could not learn the remote process id; closing the channel instead of stopping {what} cleanly.");
            return;
        }

        var script =
            $"p={number}; kill -INT $p 2>/dev/null || exit 0\n" +
            "i=0; while kill -0 $p 2>/dev/null && [ $i -lt 6 ]; do sleep 0.5 2>/dev/null || sleep 1; i=$((i+1)); done\n" +
            "kill -0 $p 2>/dev/null || exit 0\n" +
            "kill -TERM $p 2>/dev/null; sleep 1; kill -0 $p 2>/dev/null && kill -KILL $p 2>/dev/null; exit 0\n";
        try
        {
            connection.Run(script, $"stop pid {number}", TimeSpan.FromSeconds(20));
        }
        catch (CrossboardException ex)
        {
            log.Warning($"Stopping {what} on the device failed: {ex.Message}");
        }
    }
}
