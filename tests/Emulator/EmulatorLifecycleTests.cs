using System.Net;
using System.Net.Sockets;
using Crossboard.Emulator;
using Crossboard.Machine;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Emulator;

/// <summary>Starting, stopping, noticing a crashed device, and every way a start can fail.</summary>
[Tier(TestTier.Slow)]
[Collection(EmulatorCollection.Name)]
public sealed class EmulatorLifecycleTests(EmulatorFixture fixture)
{
    [Fact]
    public void A_start_after_a_crash_boots_a_new_device_and_stop_ends_it()
    {
        var workDir = fixture.NewWorkDir("lifecycle");
        var image = fixture.BuildImage(workDir, fixture.Board);
        var paths = new EmulatorPaths(workDir, "malta-le");
        var log = new RecordingBuildLog();
        var machine = new EmulatorMachine(log, EmulatorFixture.Yes);

        var first = machine.Start(fixture.Board, image, workDir);
        System.Diagnostics.Process.GetProcessById(first.Pid).Kill(); // SIGKILL, as a crash or an OOM kill would
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (QemuProcess.CommandLine(first.Pid) is not null && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(100);
        }

        // What Deploy does with --device=emulator: image (up to date), start (the record is stale), target.
        var target = EmulatorDevices.EnsureRunning(fixture.Board, workDir, EmulatorFixture.Yes, log,
            imageOptions: new DeviceImageOptions { PackageCache = fixture.PackageCache });
        var second = EmulatorInstance.Load(paths.StateFile)!;

        Assert.NotEqual(first.Pid, second.Pid);
        Assert.Equal(second.SshPort, target.Port);
        Assert.Contains(log.Lines, l => l.StartsWith($"[warning] The emulated malta-le recorded in {paths.StateFile} is not running any more (PID {first.Pid} is gone", StringComparison.Ordinal));
        Assert.Contains("Device image for malta-le is up to date", log.Text);
        using (var ssh = EmulatorFixture.Connect(target))
        {
            Assert.Equal("mips", EmulatorFixture.Run(ssh, "uname -m").Output.Trim());
        }

        var again = EmulatorDevices.EnsureRunning(fixture.Board, workDir, EmulatorFixture.Yes, log,
            imageOptions: new DeviceImageOptions { PackageCache = fixture.PackageCache });
        Assert.Equal((target.Port, target.HostKeyPin), (again.Port, again.HostKeyPin));
        Assert.Equal(target.ForwardedPorts, again.ForwardedPorts);
        Assert.Equal(second.Pid, EmulatorInstance.Load(paths.StateFile)!.Pid); // not booted again

        var stopped = machine.Stop("malta-le", workDir);

        Assert.Equal(EmulatorState.Running, stopped.State);
        Assert.Null(QemuProcess.CommandLine(second.Pid));
        Assert.Empty(EmulatorFixture.ProcessesMentioning(paths.PidFile));
        Assert.False(File.Exists(paths.StateFile));
        Assert.Equal(EmulatorState.NotRunning, machine.Status("malta-le", workDir).State);
        Assert.Equal(EmulatorState.NotRunning, machine.Stop("malta-le", workDir).State);
    }

    [Fact]
    public void A_recorded_device_whose_qemu_is_gone_is_reported_stale_once_with_its_console_tail()
    {
        var workDir = fixture.NewWorkDir("crashed");
        var paths = new EmulatorPaths(workDir, "malta-le");
        Directory.CreateDirectory(paths.Root);
        File.WriteAllText(paths.ConsoleLog, "[    1.0] booting\nKernel panic - not syncing: out of memory\n");
        using var gone = System.Diagnostics.Process.Start("true")!;
        gone.WaitForExit();
        new EmulatorInstance("malta-le", gone.Id, "/usr/bin/qemu-system-mipsel", 2222, 8000, "SHA256:x", "/k", "stamp", paths.ConsoleLog, DateTimeOffset.UtcNow)
            .Save(paths.StateFile);
        var machine = new EmulatorMachine(new RecordingBuildLog(), EmulatorFixture.Yes);

        var stale = machine.Status("malta-le", workDir);

        Assert.Equal(EmulatorState.Stale, stale.State);
        Assert.Contains($"PID {gone.Id} is gone; it crashed or was stopped outside crossboard", stale.Detail);
        Assert.Contains("Kernel panic - not syncing: out of memory", stale.Detail);
        Assert.False(File.Exists(paths.StateFile));
        Assert.Equal(EmulatorState.NotRunning, machine.Status("malta-le", workDir).State);
        var error = Assert.Throws<CrossboardException>(() => EmulatorDevices.Target(workDir, fixture.Board));
        Assert.Contains("The emulated malta-le is not running. Start it with --target=EmulatorStart", error.Message);
    }

    [Fact]
    public void A_recorded_PID_that_now_runs_another_program_is_stale_and_is_not_killed()
    {
        var workDir = fixture.NewWorkDir("recycled");
        var paths = new EmulatorPaths(workDir, "malta-le");
        Directory.CreateDirectory(paths.Root);
        using var sleeper = System.Diagnostics.Process.Start("sleep", "300");
        try
        {
            // Process.Start returns once exec began; the kernel sets the new command line a moment
            // later (an empty /proc/PID/cmdline reads as "gone"). A recycled PID is long past that.
            for (var i = 0; i < 200 && File.ReadAllText($"/proc/{sleeper.Id}/cmdline").Length == 0; i++)
            {
                Thread.Sleep(10);
            }

            new EmulatorInstance("malta-le", sleeper.Id, "/usr/bin/qemu-system-mipsel", 2222, 8000, "SHA256:x", "/k", "stamp", paths.ConsoleLog, DateTimeOffset.UtcNow)
                .Save(paths.StateFile);
            var machine = new EmulatorMachine(new RecordingBuildLog(), EmulatorFixture.Yes);

            var stopped = machine.Stop("malta-le", workDir);

            Assert.Equal(EmulatorState.Stale, stopped.State);
            Assert.Contains($"PID {sleeper.Id} now runs 'sleep 300', not this emulator", stopped.Detail);
            Assert.False(sleeper.HasExited);
            Assert.False(File.Exists(paths.StateFile));
        }
        finally
        {
            sleeper.Kill();
        }
    }

    [Fact]
    public void Without_qemu_on_PATH_the_run_stops_before_its_first_task_and_says_why()
    {
        var workDir = fixture.NewWorkDir("noqemu");
        fixture.BuildImage(workDir, fixture.Board);
        // Every program of the usual PATH but qemu's system emulators.
        using var bin = new TempDir("noqemu-bin");
        foreach (var dir in new[] { "/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin" }.Where(Directory.Exists))
        {
            foreach (var program in Directory.EnumerateFiles(dir))
            {
                var link = bin.Combine(Path.GetFileName(program));
                if (!Path.GetFileName(program).StartsWith("qemu-system-", StringComparison.Ordinal) && !File.Exists(link))
                {
                    File.CreateSymbolicLink(link, program);
                }
            }
        }

        var result = BuildCli.Run(["--target=EmulatorStart", $"--work-dir={workDir}"],
            new Dictionary<string, string?> { ["PATH"] = bin.Path, ["CI"] = null });

        // The host plan finds it missing before any task; its package is installed, so installing
        // cannot help: the run says what is wrong instead of reinstalling.
        Assert.NotEqual(0, result.ExitCode);
        Assert.Matches(@"EmulatorStart\s+qemu-system-mipsel\s+\(cannot: see below\)", result.Output);
        Assert.Contains("qemu-system-mipsel (EmulatorStart): its Debian package (qemu-system-mips) is installed, yet it is not found", result.All);
        Assert.Contains("Nothing was installed and no task ran.", result.All);
        Assert.DoesNotMatch(@"EmulatorImage\s+\d\d:\d\d", result.Output);
        Assert.DoesNotContain("   at ", result.All);
        Assert.False(File.Exists(new EmulatorPaths(workDir, "malta-le").StateFile));
    }

    [Fact]
    public void A_port_in_use_is_a_clear_error_and_nothing_is_left_running()
    {
        var workDir = fixture.NewWorkDir("portbusy");
        var image = fixture.BuildImage(workDir, fixture.Board);
        var paths = new EmulatorPaths(workDir, "malta-le");
        var busy = new TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        try
        {
            var port = ((IPEndPoint)busy.LocalEndpoint).Port;
            var machine = new EmulatorMachine(new RecordingBuildLog(), EmulatorFixture.Yes);

            var error = Assert.Throws<CrossboardException>(() =>
                machine.Start(fixture.Board, image, workDir, new EmulatorStartOptions { SshPort = port }));
            // The same through the switch, as users hit it.
            var cli = BuildCli.Run("--target=EmulatorStart", $"--work-dir={workDir}", $"--emulator-ssh-port={port}");

            Assert.Contains($"127.0.0.1:{port}, asked for as the device's SSH port, is in use by another program", error.Message);
            Assert.Contains("--emulator-ssh-port=PORT", error.Message);
            Assert.NotEqual(0, cli.ExitCode);
            Assert.Contains($"127.0.0.1:{port}, asked for as the device's SSH port, is in use", cli.All);
            Assert.DoesNotContain("   at ", cli.All);
            Assert.False(File.Exists(paths.StateFile));
            Assert.Empty(EmulatorFixture.ProcessesMentioning(paths.PidFile));
        }
        finally
        {
            busy.Stop();
        }
    }

    [Fact]
    public void A_device_that_never_prints_the_marker_times_out_with_the_console_tail_and_is_stopped()
    {
        var workDir = fixture.NewWorkDir("nomarker");
        var image = fixture.BuildImage(workDir, fixture.Board,
            bootScript: "#!/bin/sh\necho 'crossboard test: holding the boot on purpose'\nexec /bin/busybox sleep 100000\n");
        var paths = new EmulatorPaths(workDir, "malta-le");
        var machine = new EmulatorMachine(new RecordingBuildLog(), EmulatorFixture.Yes);

        var error = Assert.Throws<CrossboardException>(() =>
            machine.Start(fixture.Board, image, workDir, new EmulatorStartOptions { BootTimeout = TimeSpan.FromSeconds(30) }));

        Assert.Contains("The emulated malta-le did not get ready within 30 s", error.Message);
        Assert.Contains($"its console never showed the line '{DeviceImage.ReadyMarker}'", error.Message);
        Assert.Contains("crossboard test: holding the boot on purpose", error.Message);
        Assert.Contains("boot-timeout-seconds", error.Message);
        Assert.Equal(paths.ConsoleLog, error.LogPath);
        Assert.False(File.Exists(paths.StateFile));
        Assert.Empty(EmulatorFixture.ProcessesMentioning(paths.PidFile));
    }

    [Fact]
    public void A_kernel_that_panics_ends_the_start_early_with_the_panic_on_the_console()
    {
        var workDir = fixture.NewWorkDir("panic");
        var paths = new EmulatorPaths(workDir, "malta-le");
        Directory.CreateDirectory(paths.Root);
        var junk = Path.Combine(paths.Root, "junk.cpio.gz");
        File.WriteAllBytes(junk, Enumerable.Range(0, 4096).Select(i => (byte)(i * 7)).ToArray());
        var broken = fixture.Image with { Initramfs = junk, Stamp = "broken" };
        var machine = new EmulatorMachine(new RecordingBuildLog(), EmulatorFixture.Yes);

        var error = Assert.Throws<CrossboardException>(() => machine.Start(fixture.Board, broken, workDir));

        Assert.Contains("qemu exited while the emulated malta-le was booting", error.Message);
        Assert.Contains("Kernel panic", error.Message);
        Assert.False(File.Exists(paths.StateFile));
    }

    [Fact]
    public void A_file_that_is_no_kernel_makes_qemu_fail_to_start_with_its_own_words()
    {
        var workDir = fixture.NewWorkDir("nokernel");
        var paths = new EmulatorPaths(workDir, "malta-le");
        Directory.CreateDirectory(paths.Root);
        var bogus = Path.Combine(paths.Root, "vmlinuz");
        File.WriteAllText(bogus, "this is not a kernel\n");
        var broken = fixture.Image with { Kernel = bogus, Stamp = "bogus" };
        var machine = new EmulatorMachine(new RecordingBuildLog(), EmulatorFixture.Yes);

        var error = Assert.Throws<CrossboardException>(() => machine.Start(fixture.Board, broken, workDir));

        Assert.Contains("qemu failed to start the emulated malta-le", error.Message);
        Assert.Contains("qemu said:", error.Message);
        Assert.Contains("kernel", error.Message.Split("qemu said:")[1], StringComparison.OrdinalIgnoreCase);
        Assert.False(File.Exists(paths.StateFile));
        Assert.Empty(EmulatorFixture.ProcessesMentioning(paths.PidFile));
    }

    [Fact]
    public void Stop_and_status_with_nothing_started_say_so()
    {
        var workDir = fixture.NewWorkDir("idle");

        var status = BuildCli.Run("--target=EmulatorStatus", $"--work-dir={workDir}");
        var stop = BuildCli.Run("--target=EmulatorStop", $"--work-dir={workDir}");

        Assert.Equal(0, status.ExitCode);
        Assert.Contains("The emulated malta-le is not running (--target=EmulatorStart boots it).", status.Output);
        Assert.Equal(0, stop.ExitCode);
        Assert.Contains("The emulated malta-le is not running", stop.Output);
    }
}
