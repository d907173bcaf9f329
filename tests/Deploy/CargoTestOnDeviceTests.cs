using Crossboard.Machine;
using Crossboard.Tests.Cargo;
using Crossboard.Tests.Fixtures.Ssh;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Deploy;

/// <summary>
/// CargoTest --test-on=device against a real dropbear device (the deploy tests' x86-64 board, so
/// the test binaries run natively there): built, checked, uploaded into a scratch folder, run
/// there with the output streamed, the exit codes deciding, and the folder gone afterwards,
/// failed or not; a device without room refuses before anything is uploaded.
/// </summary>
[Tier(TestTier.Slow)]
public sealed class CargoTestOnDeviceTests : IDisposable
{
    private static readonly string BoardTests = Path.Combine(RepoPaths.Root, "tests", "Cargo", "Fixtures", "board-tests");

    private readonly DeployKit _kit = new("cargotest");

    public void Dispose() => _kit.Dispose();

    private string[] Switches(DeviceServer server, string app) =>
    [
        "--target=CargoTest", "--test-on=device", .. DeployKit.BoardSwitches, $"--app={app}", $"--work-dir={_kit.Dir.Combine("work")}",
        $"--device=root@{server.Host}:{server.Port}", $"--host-key={server.HostKeyFingerprint}", $"--identity={server.AdminKey}",
    ];

    private static BuildCli.Result Run(string[] args)
    {
        var result = BuildCli.Run(args, timeout: TimeSpan.FromMinutes(5));
        TestContext.Current.TestOutputHelper?.WriteLine(result.All);
        return result;
    }

    private static string[] ScratchFolders(DeviceServer server, string parent) =>
        Directory.GetDirectories(server.DevicePath(parent), "crossboard-test.*");

    [Fact]
    public void The_tests_run_on_the_device_in_a_scratch_folder_that_is_removed_whether_they_pass_or_fail()
    {
        var server = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.Dropbear });
        var app = _kit.Dir.Combine("app");
        CrossBuilds.CopyTree(BoardTests, app);

        var passing = Run([.. Switches(server, app), "--test-args=runs_as reports --nocapture"]);
        var afterPassing = ScratchFolders(server, "/tmp");
        var failing = Run(Switches(server, app));
        var afterFailing = ScratchFolders(server, "/tmp");

        Assert.True(passing.ExitCode == 0, passing.All);
        // It ran on the device, in the scratch folder under /tmp, as x86-64 (the test board's CPU).
        Assert.Matches(@"crossboard-test cwd=/tmp/crossboard-test\.\w+ arch=x86_64 machine=62", passing.Output);
        Assert.Contains("2 test(s) passed for x86_64-unknown-linux-gnu", passing.Output);
        Assert.Matches(@"Removed /tmp/crossboard-test\.\w+ from", passing.Output);
        Assert.Matches(@"CargoTest\s+[\d:.]+\s+Succeeded", passing.Output);
        Assert.Empty(afterPassing);

        Assert.NotEqual(0, failing.ExitCode);
        Assert.Contains("1 test(s) failed for x86_64-unknown-linux-gnu: tests::fails_on_purpose.", failing.All);
        Assert.Contains("this test fails on purpose", failing.All);
        Assert.Matches(@"Removed /tmp/crossboard-test\.\w+ from", failing.Output);
        Assert.Matches(@"CargoTest\s+[\d:.]+\s+Failed", failing.Output);
        Assert.DoesNotMatch(@"\bat (Crossboard|System|Cake)\.", failing.All);
        Assert.Empty(afterFailing);
    }

    [Fact]
    public async Task Ctrl_C_stops_the_test_on_the_device_and_removes_its_scratch_folder()
    {
        var server = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.Dropbear });
        var app = _kit.Dir.Combine("app");
        CrossBuilds.CopyTree(BoardTests, app);
        // Through env --default-signal=INT: a process started in the background by a shell without
        // job control (a CI script's `cmd &`) ignores SIGINT, and so would every process it starts,
        // this test's run of crossboard too, which would then never see the Ctrl+C below.
        var spec = new System.Diagnostics.ProcessStartInfo("env")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepoPaths.Root,
            Environment = { ["NO_COLOR"] = "1", ["CROSSBOARD_ROOT"] = RepoPaths.Root },
        };
        foreach (var arg in (string[])["--default-signal=INT", ProcessRunner.Which("dotnet") ?? "dotnet", RepoPaths.BuildDll, .. Switches(server, app),
            "--test-args=waits_to_be_interrupted --ignored --nocapture"])
        {
            spec.ArgumentList.Add(arg);
        }

        using var run = System.Diagnostics.Process.Start(spec)!;
        var output = new System.Text.StringBuilder();
        var waiting = new TaskCompletionSource();
        run.OutputDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }

            if (e.Data?.Contains("crossboard-test waiting in /tmp/crossboard-test.", StringComparison.Ordinal) == true)
            {
                waiting.TrySetResult();
            }
        };
        run.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        run.BeginOutputReadLine();
        run.BeginErrorReadLine();

        await waiting.Task.WaitAsync(TimeSpan.FromMinutes(4), TestContext.Current.CancellationToken);
        Assert.NotEmpty(ScratchFolders(server, "/tmp")); // the test runs there now
        ProcessRunner.Run(new ProcessSpec("kill", "-INT", run.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)), TestContext.Current.CancellationToken);
        string Output()
        {
            lock (output)
            {
                return output.ToString();
            }
        }

        // Only against a hang (it stops in seconds alone; once, in a loaded CI run, not within
        // 60 s): what the program said is the failure's message, and the program does not outlive the test.
        try
        {
            await run.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromMinutes(3), TestContext.Current.CancellationToken);
        }
        catch (TimeoutException)
        {
            run.Kill(entireProcessTree: true);
            Assert.Fail("crossboard did not end within 3 minutes of Ctrl+C; its output:\n" + Output());
        }

        var all = Output();

        TestContext.Current.TestOutputHelper?.WriteLine(all);
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("CargoTest was stopped (Ctrl+C) while the tests ran on the device; their scratch folder was removed.", all);
        Assert.Matches(@"Removed /tmp/crossboard-test\.\w+ from", all);
        Assert.Empty(ScratchFolders(server, "/tmp"));
    }

    [Fact]
    public void A_device_without_room_for_the_test_binaries_is_refused_before_anything_is_uploaded()
    {
        var server = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.Dropbear, SmallFilesystemKb = 512 });
        var app = _kit.Dir.Combine("app");
        CrossBuilds.CopyTree(BoardTests, app);

        var result = Run([.. Switches(server, app), $"--test-dir={server.SmallDir}"]);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("The test binaries do not fit on", result.All);
        Assert.Contains("Nothing was uploaded. Choose a directory with more room with --test-dir=DIR", result.All);
        Assert.Empty(Directory.GetFileSystemEntries(server.DevicePath(server.SmallDir)));
    }
}
