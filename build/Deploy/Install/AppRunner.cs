using Crossboard.Machine;

namespace Crossboard.Deploy;

/// <summary>
/// Shows the app running: with service = none it starts the installed binary once in the
/// foreground and streams its output until the user stops it (Ctrl+C); with a service it follows
/// the service's output (its log file, logread or the journal), through <see cref="RemoteProcess"/>.
/// </summary>
public sealed class AppRunner(DeploySettings settings, IBuildLog log)
{
    /// <returns>The remote command's exit status (the app's, for service = none); null when it was stopped.</returns>
    public int? Run(DeviceTarget target, string appName, Action<string> onLine, CancellationToken stop)
    {
        using var deviceLog = new DeviceLog(log, null, settings.LogDir is null ? null : settings.LogFileFor(target.Name)) { Secrets = settings.Launch.Secrets.ToList() };
        var binary = RemoteShell.Join(settings.InstallDir, appName);
        using var connection = DeviceConnection.Open(target, settings.Credentials, deviceLog, settings.ConnectTimeout, settings.DefaultKnownHosts);
        var service = new ServiceManager(connection, settings.Service, appName, binary, launch: settings.Launch);
        var foreground = settings.Service == ServiceStyle.None;
        var follow = foreground ? $"exec {settings.Launch.ShellCommand(RemoteShell.Quote(binary))} 2>&1" : service.FollowCommand!;
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

        Task? smoke = null;
        using var smokeStop = CancellationTokenSource.CreateLinkedTokenSource(stop);
        if (foreground && !string.IsNullOrWhiteSpace(settings.SmokeUrl))
        {
            // Beside the app: the check polls until the app answers or its timeout passes.
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

        var exit = RemoteProcess.Run(connection, follow, onLine, stop, deviceLog, foreground ? appName : "following the output");
        smokeStop.Cancel();
        smoke?.Wait(TimeSpan.FromSeconds(5));
        if (exit.Stopped)
        {
            deviceLog.Information(foreground ? $"Stopped {appName} on the device." : "Stopped following the output.");
            return null;
        }

        deviceLog.Information($"{(foreground ? appName : follow)} ended with {exit.Describe}.");
        return exit.ExitStatus;
    }
}
