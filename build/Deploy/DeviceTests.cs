using System.Globalization;

namespace Crossboard.Deploy;

/// <summary>One test binary's run on the device.</summary>
public sealed record DeviceTestRun(string Binary, RemoteExit Exit);

/// <summary>
/// Runs test binaries on the device (CargoTest --test-on=device), over one SSH connection: a
/// scratch folder made with mktemp under <c>parent</c> (after checking the binaries fit in the
/// space free there), the binaries uploaded into it over the exec channel, each run there in turn
/// with the test arguments and its output streamed, and the folder removed at the end: also when
/// a test fails, an upload fails, the connection drops (then over a new one) or the user presses
/// Ctrl+C (the running binary is stopped first). Nothing outside the folder is touched.
/// </summary>
public sealed class DeviceTests(DeploySettings settings, IBuildLog log)
{
    /// <summary>Where the scratch folder is made by default: RAM on OpenWrt (tmpfs), so the flash is not worn.</summary>
    public const string DefaultParent = "/tmp";

    /// <summary>What the device must keep free beside the binaries (logs, the tests' own files).</summary>
    public const long Headroom = 1024 * 1024;

    /// <param name="binaries">Test executables built for the device (cargo test --no-run).</param>
    /// <param name="arguments">For every test binary: a name filter, --nocapture, ...</param>
    /// <param name="parent">An absolute directory on the device for the scratch folder.</param>
    public IReadOnlyList<DeviceTestRun> Run(DeviceTarget target, IReadOnlyList<string> binaries, IReadOnlyList<string> arguments, string parent,
        Action<string> onLine, CancellationToken stop)
    {
        using var deviceLog = new DeviceLog(log, null, settings.LogDir is null ? null : settings.LogFileFor(target.Name));
        using var connection = DeviceConnection.Open(target, settings.Credentials, deviceLog, settings.ConnectTimeout, settings.DefaultKnownHosts);
        RequireRoom(connection, binaries, parent, target, deviceLog);

        var scratch = connection.RunChecked($"mktemp -d {RemoteShell.Quote(RemoteShell.Join(parent, "crossboard-test.XXXXXX"))}",
            "make the tests' scratch folder", $"Could not make a scratch folder in {parent} on '{target.Name}'").Trim();
        deviceLog.Information($"Running {binaries.Count} test binar{(binaries.Count == 1 ? "y" : "ies")} on '{target.Name}' in {scratch} (removed afterwards)");
        var runs = new List<DeviceTestRun>();
        try
        {
            foreach (var binary in binaries)
            {
                stop.ThrowIfCancellationRequested();
                var name = Path.GetFileName(binary);
                var remote = RemoteShell.Join(scratch, name);
                Upload(connection, binary, remote, deviceLog, stop);
                var exit = RemoteProcess.Run(connection, $"cd {RemoteShell.Quote(scratch)} && exec ./{RemoteShell.Quote(name)}{Words(arguments)} 2>&1",
                    onLine, stop, deviceLog, $"the test binary {name}");
                runs.Add(new DeviceTestRun(name, exit));
                stop.ThrowIfCancellationRequested();
                // The next binary gets the room back on a small device.
                connection.Run($"rm -f {RemoteShell.Quote(remote)}", $"remove {remote}");
            }
        }
        finally
        {
            Remove(connection, scratch, target, deviceLog);
        }

        return runs;
    }

    private static string Words(IReadOnlyList<string> arguments) => string.Concat(arguments.Select(a => " " + RemoteShell.Quote(a)));

    /// <summary>Refuses before anything is uploaded when the largest binary and headroom do not fit in the space free under <paramref name="parent"/>.</summary>
    private static void RequireRoom(DeviceConnection connection, IReadOnlyList<string> binaries, string parent, DeviceTarget target, DeviceLog log)
    {
        var line = connection.RunChecked($"df -Pk {RemoteShell.Quote(parent)} | tail -n 1", $"free space in {parent}",
            $"Could not read the free space in {parent} on '{target.Name}' (does it exist? --test-dir chooses another)");
        if (TargetState.ParseDf(line) is not { } free)
        {
            log.Warning($"The device did not say how much space is free in {parent} ({line.Trim()}); uploading the tests anyway.");
            return;
        }

        // One binary is on the device at a time (each is removed after its run).
        var largest = binaries.Select(b => new FileInfo(b).Length).DefaultIfEmpty(0).Max();
        if (largest + Headroom > free.FreeBytes)
        {
            throw new DeviceException(
                $"The test binaries do not fit on '{target.Name}': the largest is {Mib(largest)} and {parent} ({free.MountPoint}) has {Mib(free.FreeBytes)} free " +
                $"(with {Mib(Headroom)} to spare). Nothing was uploaded. Choose a directory with more room with --test-dir=DIR, or run the tests under qemu-user (--test-on=qemu).");
        }
    }

    private static void Upload(DeviceConnection connection, string binary, string remote, DeviceLog log, CancellationToken stop)
    {
        var length = new FileInfo(binary).Length;
        log.Information($"Uploading {Path.GetFileName(binary)} ({Mib(length)})");
        using var source = File.OpenRead(binary);
        try
        {
            var upload = new ExecUpload(connection, compressed: false, then: $"chmod 755 {RemoteShell.Quote(remote)}");
            upload.Upload(source, length, remote, _ => { }, stop);
            if (upload.ThenResult is { Succeeded: false } chmod)
            {
                throw new DeviceException($"Could not make {remote} executable on the device: {chmod.Diagnostic}", log.LogFile);
            }
        }
        catch (UploadRejectedException ex)
        {
            throw new DeviceException($"Uploading the test binary to {remote} failed: {ex.Message}", log.LogFile);
        }
    }

    /// <summary>Removes the scratch folder, over a new connection when this one was lost; says so when it cannot.</summary>
    private static void Remove(DeviceConnection connection, string scratch, DeviceTarget target, DeviceLog log)
    {
        var command = $"rm -rf {RemoteShell.Quote(scratch)}";
        try
        {
            if (!connection.IsConnected)
            {
                connection.Reconnect();
            }

            var removed = connection.Run(command, $"remove {scratch}");
            if (removed.Succeeded)
            {
                log.Information($"Removed {scratch} from '{target.Name}'");
                return;
            }

            log.Warning($"Could not remove {scratch} from '{target.Name}' ({removed.Diagnostic}): remove it by hand ({command}).");
        }
        catch (Exception ex) when (ex is CrossboardException or Renci.SshNet.Common.SshException or IOException or System.Net.Sockets.SocketException)
        {
            log.Warning($"Could not remove {scratch} from '{target.Name}' ({ex.Message.Split('\n')[0]}): remove it by hand ({command}).");
        }
    }

    private static string Mib(long bytes) => (bytes / 1024.0 / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " MiB";
}
