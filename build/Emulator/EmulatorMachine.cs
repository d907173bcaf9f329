using System.Net;
using System.Net.Sockets;
using System.Text;
using Crossboard.Machine;
using Crossboard.Recipes;

namespace Crossboard.Emulator;

/// <summary>How to start the emulator; everything optional.</summary>
public sealed record EmulatorStartOptions
{
    /// <summary>127.0.0.1 port for the device's SSH; null picks a free one.</summary>
    public int? SshPort { get; init; }

    /// <summary>127.0.0.1 port for the device's port 8000 (the app); null picks a free one.</summary>
    public int? AppPort { get; init; }

    /// <summary>Instead of the recipe's boot-timeout-seconds.</summary>
    public TimeSpan? BootTimeout { get; init; }

    /// <summary>The device's network (--emulator-network, or the app's emulator-network).</summary>
    public EmulatorNetwork Network { get; init; } = EmulatorNetwork.Isolated;

    /// <summary>Stops the boot (Ctrl+C): the qemu being booted is stopped and forgotten, and Start throws.</summary>
    public CancellationToken Interrupt { get; init; }
}

/// <summary>What the emulated device's network reaches.</summary>
public enum EmulatorNetwork
{
    /// <summary>Nothing: only the forwarded ports (SSH, the app's) reach the device; it reaches nothing (QEMU's restrict=on).</summary>
    Isolated,

    /// <summary>QEMU's user network NAT: the device reaches this machine's 127.0.0.1 services at 10.0.2.2, and what this machine reaches.</summary>
    Nat,
}

public enum EmulatorState
{
    NotRunning,
    Running,
    /// <summary>Recorded as started, but its qemu is gone (crashed, killed, machine rebooted) or its PID now belongs to another program.</summary>
    Stale,
}

/// <summary>What <see cref="EmulatorMachine.Status"/> found.</summary>
public sealed record EmulatorStatusReport(EmulatorState State, EmulatorInstance? Instance, string Detail);

/// <summary>
/// Boots, finds and stops the emulated device: qemu daemonized with user-mode networking bound to
/// 127.0.0.1 (free ports forwarded to the device's 22 and 8000), ready when the console shows the
/// image's marker line and the forwarded port answers with an SSH banner. The PID, ports and host
/// key are recorded in the work dir, so later runs (Deploy, EmulatorStatus, EmulatorStop) find it.
/// </summary>
public sealed class EmulatorMachine(IBuildLog log, Consent consent)
{
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(10);

    public EmulatorInstance Start(Board board, DeviceImage image, string workDir, EmulatorStartOptions? options = null)
    {
        options ??= new EmulatorStartOptions();
        var settings = board.Emulator ?? throw new CrossboardException($"Board {board.Name} ({board.SourceFile}) has no [emulator] table.");
        var paths = new EmulatorPaths(workDir, board.Name);
        var timeout = options.BootTimeout ?? TimeSpan.FromSeconds(settings.BootTimeoutSeconds);
        using var guard = WorkDirLock.Acquire(paths.Root, "emulator", timeout + TimeSpan.FromMinutes(1), log.Information);

        var status = Inspect(paths);
        if (status.State == EmulatorState.Running && status.Instance is { } running)
        {
            var reason = running.ImageStamp != image.Stamp ? "its image was rebuilt"
                : options.SshPort is { } ssh && ssh != running.SshPort ? $"SSH port {ssh} was asked for, it uses {running.SshPort}"
                : options.AppPort is { } app && app != running.AppPort ? $"app port {app} was asked for, it uses {running.AppPort}"
                : options.Network != running.Network ? $"its network is to be {options.Network.ToString().ToLowerInvariant()}, it runs {running.Network.ToString().ToLowerInvariant()}"
                : null;
            if (reason is null)
            {
                log.Information($"The emulated {board.Name} is already running (PID {running.Pid}, SSH 127.0.0.1:{running.SshPort}, app 127.0.0.1:{running.AppPort})");
                return running;
            }

            log.Information($"Restarting the emulated {board.Name}: {reason}");
            StopLocked(paths, running.Pid);
        }
        else if (status.State == EmulatorState.Stale)
        {
            log.Warning($"The emulated {board.Name} recorded in {paths.StateFile} is not running any more ({status.Detail}); starting a new one.");
            Forget(paths);
        }

        var qemu = LocateQemu(settings);
        var pid = Launch(qemu, settings, image, paths, options, out var sshPort, out var appPort);
        var instance = new EmulatorInstance(board.Name, pid, qemu, sshPort, appPort, image.HostKeyFingerprint, image.DeployKey, image.Stamp,
            paths.ConsoleLog, DateTimeOffset.UtcNow, options.Network);
        // Recorded before the wait: if this run is interrupted, the next one finds (and can stop) it.
        instance.Save(paths.StateFile);
        try
        {
            WaitUntilReady(instance, paths, board, timeout, options.Interrupt);
        }
        catch
        {
            // Nothing half-done: the failed qemu goes (if it still runs), and so does its record.
            if (QemuProcess.IsInstance(pid, qemu, paths.PidFile, out _))
            {
                QemuProcess.Stop(pid, TimeSpan.FromSeconds(2));
            }

            Forget(paths);
            throw;
        }

        log.Information($"The emulated {board.Name} is up: PID {pid}, ssh -p {sshPort} root@127.0.0.1 (key {image.DeployKey}), app http://127.0.0.1:{appPort}/, console {paths.ConsoleLog}");
        return instance;
    }

    /// <summary>Whether the board's emulator runs; a stale record is reported once and removed.</summary>
    public EmulatorStatusReport Status(string board, string workDir)
    {
        var paths = new EmulatorPaths(workDir, board);
        if (!File.Exists(paths.StateFile) && !File.Exists(paths.PidFile))
        {
            return new EmulatorStatusReport(EmulatorState.NotRunning, null, "not running");
        }

        using var guard = WorkDirLock.Acquire(paths.Root, "emulator status", TimeSpan.FromMinutes(5), log.Information);
        var status = Inspect(paths);
        if (status.State == EmulatorState.Stale && status.Instance is not null)
        {
            Forget(paths);
        }

        return status;
    }

    /// <summary>Stops the board's emulator by its PID (SIGTERM, then SIGKILL); returns what was found.</summary>
    public EmulatorStatusReport Stop(string board, string workDir)
    {
        var paths = new EmulatorPaths(workDir, board);
        if (!Directory.Exists(paths.Root))
        {
            log.Information($"The emulated {board} is not running");
            return new EmulatorStatusReport(EmulatorState.NotRunning, null, "not running");
        }

        using var guard = WorkDirLock.Acquire(paths.Root, "emulator stop", TimeSpan.FromMinutes(5), log.Information);
        var status = Inspect(paths);
        switch (status.State)
        {
            case EmulatorState.Running:
                StopLocked(paths, status.Instance!.Pid);
                log.Information($"Stopped the emulated {board} (PID {status.Instance.Pid})");
                break;
            case EmulatorState.Stale:
                Forget(paths);
                log.Information($"The emulated {board} was not running ({status.Detail}); removed its record");
                break;
            default:
                log.Information($"The emulated {board} is not running");
                break;
        }

        return status;
    }

    /// <summary>The recorded instance checked against the live process table (no changes made).</summary>
    private static EmulatorStatusReport Inspect(EmulatorPaths paths)
    {
        var instance = EmulatorInstance.Load(paths.StateFile);
        if (instance is null)
        {
            // No record, but a PID file whose qemu lives: a start interrupted before it recorded itself.
            if (ReadPidFile(paths.PidFile) is { } orphan && QemuProcess.CommandLine(orphan) is { Count: > 0 } command &&
                command.Contains(paths.PidFile))
            {
                var orphaned = new EmulatorInstance(paths.Board, orphan, command[0], 0, 0, "", "", "", paths.ConsoleLog, DateTimeOffset.MinValue);
                return new EmulatorStatusReport(EmulatorState.Running, orphaned, $"qemu PID {orphan} runs without a record (an interrupted start)");
            }

            return new EmulatorStatusReport(EmulatorState.NotRunning, null, "not running");
        }

        if (QemuProcess.IsInstance(instance.Pid, instance.Qemu, paths.PidFile, out var why))
        {
            return new EmulatorStatusReport(EmulatorState.Running, instance,
                $"running: PID {instance.Pid}, SSH 127.0.0.1:{instance.SshPort}, app 127.0.0.1:{instance.AppPort}, since {instance.StartedUtc.ToLocalTime():yyyy-MM-dd HH:mm:ss}");
        }

        var tail = File.Exists(instance.ConsoleLog) ? ProcessRunner.Tail(instance.ConsoleLog, 10) : "";
        return new EmulatorStatusReport(EmulatorState.Stale, instance,
            $"{why}; it crashed or was stopped outside crossboard" + (tail.Length > 0 ? $". Its console's last lines:{Environment.NewLine}{Indent(tail)}" : ""));
    }

    private void StopLocked(EmulatorPaths paths, int pid)
    {
        QemuProcess.Stop(pid, StopGrace);
        Forget(paths);
    }

    private static void Forget(EmulatorPaths paths)
    {
        File.Delete(paths.StateFile);
        File.Delete(paths.PidFile);
    }

    /// <summary>Starts qemu daemonized; qemu reports a port it cannot bind before it detaches, so that is retried on fresh ports.</summary>
    private int Launch(string qemu, EmulatorSettings settings, DeviceImage image, EmulatorPaths paths, EmulatorStartOptions options, out int sshPort, out int appPort)
    {
        for (var attempt = 1; ; attempt++)
        {
            sshPort = options.SshPort ?? FreePort();
            appPort = options.AppPort ?? FreePort(except: sshPort);
            if (options.SshPort is { } ssh)
            {
                EnsureFree(ssh, "the device's SSH port", "--emulator-ssh-port");
            }

            if (options.AppPort is { } app)
            {
                EnsureFree(app, "the app's port", "--emulator-app-port");
            }

            File.Delete(paths.ConsoleLog);
            File.Delete(paths.QemuLog);
            File.Delete(paths.PidFile);
            var spec = new ProcessSpec(qemu, [.. QemuArguments(settings, image, paths, sshPort, appPort, options.Network)])
            {
                LogFile = paths.QemuLog,
                Timeout = TimeSpan.FromMinutes(2),
            };
            log.Verbose($"Starting {spec}");
            var result = ProcessRunner.Run(spec);
            if (result.Succeeded)
            {
                return ReadPidFileWaiting(paths.PidFile)
                    ?? throw new CrossboardException($"qemu started but wrote no PID file ({paths.PidFile}); see {paths.QemuLog}.");
            }

            var error = (result.StandardError + result.StandardOutput).Trim();
            var portTaken = error.Contains("host forwarding rule", StringComparison.OrdinalIgnoreCase);
            if (portTaken && options.SshPort is null && options.AppPort is null && attempt < 3)
            {
                log.Verbose($"Port {sshPort} or {appPort} was taken before qemu bound it; trying others");
                continue;
            }

            if (portTaken)
            {
                throw new CrossboardException(
                    $"qemu could not forward 127.0.0.1:{sshPort} and 127.0.0.1:{appPort} to the device: a port is in use by another program. " +
                    $"Choose other ports (--emulator-ssh-port, --emulator-app-port) or leave them out to let crossboard pick free ones.{Environment.NewLine}qemu said: {error}");
            }

            throw new CrossboardException(
                $"qemu failed to start the emulated {paths.Board} (exit code {result.ExitCode}).{Environment.NewLine}Command: {spec}{Environment.NewLine}qemu said: {error}",
                paths.QemuLog);
        }
    }

    public static IReadOnlyList<string> QemuArguments(EmulatorSettings settings, DeviceImage image, EmulatorPaths paths, int sshPort, int appPort,
        EmulatorNetwork network = EmulatorNetwork.Isolated) =>
    [
        "-M", settings.Machine,
        "-cpu", settings.Cpu,
        "-m", $"{settings.MemoryMb}M",
        "-display", "none",
        "-vga", "none",
        // A kernel panic (panic=-1 reboots at once) ends qemu instead of looping: the wait sees it exit.
        "-no-reboot",
        "-kernel", image.Kernel,
        "-initrd", image.Initramfs,
        "-append", "console=ttyS0 panic=-1",
        // Isolated (restrict=on): the forwards below are all that passes. Nat: the device also
        // reaches this machine (10.0.2.2 is its 127.0.0.1) and what it reaches.
        "-netdev", $"user,id=n0,restrict={(network == EmulatorNetwork.Isolated ? "on" : "off")},hostfwd=tcp:127.0.0.1:{sshPort}-:22,hostfwd=tcp:127.0.0.1:{appPort}-:{EmulatorInstance.DeviceAppPort}",
        // romfile= : the NIC's option ROM is for PC firmware; without it qemu looks for a file it may not have.
        "-device", $"{settings.Nic},netdev=n0,romfile=",
        "-serial", "file:" + paths.ConsoleLog.Replace(",", ",,"),
        "-monitor", "none",
        "-daemonize",
        "-pidfile", paths.PidFile,
    ];

    private void WaitUntilReady(EmulatorInstance instance, EmulatorPaths paths, Board board, TimeSpan timeout, CancellationToken interrupt)
    {
        var deadline = DateTime.UtcNow + timeout;
        var progress = new ProgressLine($"Booting the emulated {board.Name}", log, TimeSpan.FromSeconds(5));
        log.Information($"Booting the emulated {board.Name} (qemu PID {instance.Pid}); waiting for its console to report dropbear ready ({paths.ConsoleLog})");
        var marked = false;
        while (DateTime.UtcNow < deadline)
        {
            if (interrupt.IsCancellationRequested)
            {
                throw new CrossboardException($"Interrupted (Ctrl+C) while the emulated {board.Name} was booting: its qemu (PID {instance.Pid}) is stopped.");
            }

            var console = ReadShared(paths.ConsoleLog);
            if (!marked && console.Contains(DeviceImage.ReadyMarker, StringComparison.Ordinal))
            {
                marked = true;
                log.Verbose($"Console marker seen after {progress.Elapsed.TotalSeconds:0.0} s; waiting for the SSH banner on 127.0.0.1:{instance.SshPort}");
            }

            if (marked && HasSshBanner(instance.SshPort))
            {
                return;
            }

            if (!QemuProcess.IsInstance(instance.Pid, instance.Qemu, paths.PidFile, out _))
            {
                throw new CrossboardException(
                    $"qemu exited while the emulated {board.Name} was booting (after {progress.Elapsed.TotalSeconds:0} s). The console's last lines:{Environment.NewLine}{Indent(TailOf(console))}",
                    paths.ConsoleLog);
            }

            var last = console.TrimEnd().Split('\n')[^1].Trim();
            progress.Status(last.Length > 0 ? Shorten(last) : "starting");
            interrupt.WaitHandle.WaitOne(200);
        }

        var console2 = ReadShared(paths.ConsoleLog);
        var what = marked
            ? $"its console reported dropbear ready, but 127.0.0.1:{instance.SshPort} never answered with an SSH banner"
            : $"its console never showed the line '{DeviceImage.ReadyMarker}'";
        throw new CrossboardException(
            $"The emulated {board.Name} did not get ready within {timeout.TotalSeconds:0} s: {what}. qemu was stopped. " +
            $"The console's last lines:{Environment.NewLine}{Indent(TailOf(console2))}{Environment.NewLine}" +
            $"On a slow or busy machine raise boot-timeout-seconds in {board.SourceFile} [emulator].",
            paths.ConsoleLog);
    }

    /// <summary>True when the port answers with an SSH identification line (the user-mode network accepts before the guest listens).</summary>
    private static bool HasSshBanner(int port)
    {
        try
        {
            using var client = new TcpClient();
            if (!client.ConnectAsync(IPAddress.Loopback, port).Wait(TimeSpan.FromSeconds(2)))
            {
                return false;
            }

            using var stream = client.GetStream();
            stream.ReadTimeout = 3000;
            var buffer = new byte[256];
            var read = 0;
            while (read < buffer.Length)
            {
                var n = stream.Read(buffer, read, buffer.Length - read);
                if (n == 0)
                {
                    break;
                }

                read += n;
                if (Array.IndexOf(buffer, (byte)'\n', 0, read) >= 0)
                {
                    break;
                }
            }

            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("SSH-", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is SocketException or IOException or AggregateException)
        {
            return false;
        }
    }

    private string LocateQemu(EmulatorSettings settings)
    {
        if (ProcessRunner.Which(settings.Qemu) is { } found)
        {
            return found;
        }

        var package = CpuArchitectures.QemuSystemPackageOf(settings.Qemu);
        if (DebianPackages.IsAvailable && !DebianPackages.IsInstalled(package))
        {
            // With --yes or on CI this installs it; otherwise it says which command to run.
            new DebianPackages(consent, log.Information).Ensure([package], "The emulated device");
            if (ProcessRunner.Which(settings.Qemu) is { } installed)
            {
                return installed;
            }
        }

        var sudo = Environment.UserName == "root" ? "" : "sudo ";
        throw new CrossboardException(
            $"{settings.Qemu} is not installed (not found on PATH); the emulated device runs in it. Install it:{Environment.NewLine}" +
            $"  Debian/Ubuntu: {sudo}apt-get install -y {package}{Environment.NewLine}" +
            $"  macOS:         brew install qemu{Environment.NewLine}" +
            "then run again (--target=Doctor lists everything the board needs).");
    }

    private static int FreePort(int except = 0)
    {
        while (true)
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            if (port != except)
            {
                return port;
            }
        }
    }

    private static void EnsureFree(int port, string what, string switchName)
    {
        try
        {
            var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
        }
        catch (SocketException)
        {
            throw new CrossboardException(
                $"127.0.0.1:{port}, asked for as {what}, is in use by another program. Choose another with {switchName}=PORT, or leave it out to let crossboard pick a free one.");
        }
    }

    private static int? ReadPidFile(string path)
    {
        try
        {
            return File.Exists(path) && int.TryParse(File.ReadAllText(path).Trim(), out var pid) ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static int? ReadPidFileWaiting(string path)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (DateTime.UtcNow < deadline)
        {
            if (ReadPidFile(path) is { } pid)
            {
                return pid;
            }

            Thread.Sleep(50);
        }

        return null;
    }

    private static string ReadShared(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
        catch (FileNotFoundException)
        {
            return "";
        }
    }

    private static string TailOf(string console)
    {
        var tail = ProcessRunner.TailOf(console, 20);
        return tail.Length > 0 ? tail : "(the console is empty: the kernel printed nothing)";
    }

    private static string Shorten(string line) => line.Length > 100 ? line[..100] + "..." : line;

    private static string Indent(string text) => string.Join(Environment.NewLine, text.Split('\n').Select(l => "  " + l.TrimEnd('\r')));
}
