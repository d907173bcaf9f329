using System.Text;
using Crossboard.Machine;
using Renci.SshNet.Common;

namespace Crossboard.Deploy;

/// <summary>
/// Shows the app running: with service = none it starts the installed binary once in the
/// foreground and streams its output until the user stops it (Ctrl+C); with a service it follows
/// the service's output (its log file, logread or the journal). Stopping ends the remote process
/// by its pid over a second channel: not every SSH server implements the "signal" request.
/// </summary>
public sealed class AppRunner(DeploySettings settings, IBuildLog log)
{
    private const string PidMarker = "crossboard-pid ";

    /// <returns>The remote command's exit status (the app's, for service = none); null when it was stopped.</returns>
    public int? Run(DeviceTarget target, string appName, Action<string> onLine, CancellationToken stop)
    {
        using var deviceLog = new DeviceLog(log, null, settings.LogDir is null ? null : settings.LogFileFor(target.Name));
        var binary = RemoteShell.Join(settings.InstallDir, appName);
        using var connection = DeviceConnection.Open(target, settings.Credentials, deviceLog, settings.ConnectTimeout, settings.DefaultKnownHosts);
        var service = new ServiceManager(connection, settings.Service, appName, binary);
        var foreground = settings.Service == ServiceStyle.None;
        var follow = foreground ? $"exec {RemoteShell.Quote(binary)} 2>&1" : service.FollowCommand!;
        if (foreground)
        {
            var exists = connection.Run($"[ -x {RemoteShell.Quote(binary)} ]", $"look for {binary}");
            if (!exists.Succeeded)
            {
                throw new CrossboardException($"{binary} is not installed on device '{target.Name}' (or not executable): run --target=Deploy first.", deviceLog.LogFile);
            }

            deviceLog.Information($"Running {binary} on '{target.Name}'; its output follows. Ctrl+C stops it.");
        }
        else
        {
            deviceLog.Information($"{appName} runs as a {settings.Service} service on '{target.Name}'; following its output ({follow}). Ctrl+C stops following (the service keeps running).");
        }

        using var command = connection.Ssh.CreateCommand($"echo \"{PidMarker}$$\"; {follow}");
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

        Task? smoke = null;
        using var smokeStop = CancellationTokenSource.CreateLinkedTokenSource(stop);
        if (foreground && !string.IsNullOrWhiteSpace(settings.SmokeUrl))
        {
            var url = SmokeCheck.Resolve(settings.SmokeUrl, target);
            smoke = Task.Run(() =>
            {
                try
                {
                    deviceLog.Information(SmokeCheck.Run(url, settings.SmokeExpect, settings.SmokeTimeout, smokeStop.Token));
                }
                catch (CrossboardException ex)
                {
                    deviceLog.Warning(ex.Message);
                }
                catch (OperationCanceledException)
                {
                    // Stopped before the check finished.
                }
            }, CancellationToken.None);
        }

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
            smokeStop.Cancel();
            Stop(connection, pid.Task, deviceLog, foreground ? appName : "following the output");
            if (!run.Wait(TimeSpan.FromSeconds(10)))
            {
                command.CancelAsync(forceKill: true);
            }
        }

        try
        {
            run.Wait(TimeSpan.FromSeconds(5));
            reader.Wait(TimeSpan.FromSeconds(5));
            smoke?.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException ex) when (ex.InnerException is SshException or OperationCanceledException)
        {
            throw connection.Lost(ex.InnerException!, $"running {appName}");
        }

        if (stop.IsCancellationRequested)
        {
            deviceLog.Information(foreground ? $"Stopped {appName} on the device." : "Stopped following the output.");
            return null;
        }

        deviceLog.Information($"{(foreground ? appName : follow)} ended with exit status {command.ExitStatus?.ToString() ?? "signal " + command.ExitSignal}.");
        return command.ExitStatus;
    }

    /// <summary>INT, then TERM, then KILL to the remote process (the shell that exec'd the app has its pid).</summary>
    private static void Stop(DeviceConnection connection, Task<string> pid, DeviceLog deviceLog, string what)
    {
        if (!pid.Wait(TimeSpan.FromSeconds(5)) || !int.TryParse(pid.Result, out var number))
        {
            deviceLog.Warning($"Could not learn the remote process id; closing the channel instead of stopping {what} cleanly.");
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
            deviceLog.Warning($"Stopping {what} on the device failed: {ex.Message}");
        }
    }
}
