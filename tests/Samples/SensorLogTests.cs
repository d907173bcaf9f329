using System.Net.Http;
using System.Text.RegularExpressions;
using Crossboard.Emulator;
using Crossboard.Machine;
using Crossboard.Tests.Emulator;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Samples;

/// <summary>
/// samples/sensor-log end to end, as a user runs it: a real PostgreSQL on this machine (127.0.0.1
/// only), the app built for malta-le with Debian's packaged crates, its SQLite and libpq provided
/// for mipsel, the emulated device's image carrying their runtime, the app deployed with its own
/// smoke check and database URL (--app-env), readings posted over HTTP and read back from
/// PostgreSQL on the host (the device reaches it through QEMU's user network at 10.0.2.2). The
/// bad cases on the same device: a wrong database URL (the app's own error in the smoke check, the
/// first install removed again) and a device without libpq (refused before any upload, naming the
/// package). One test: each step needs the one before.
/// </summary>
[Tier(TestTier.Slow)]
public sealed class SensorLogTests : IDisposable
{
    private readonly TempDir _dir = new("sensor-log");
    private readonly string _app;
    private readonly string _work;

    public SensorLogTests()
    {
        _app = _dir.Combine("sensor-log");
        _work = _dir.Combine("work");
        CrossBuilds.CopyTree(Path.Combine(RepoPaths.Root, "samples", "sensor-log"), _app);
    }

    public void Dispose()
    {
        new EmulatorMachine(new RecordingBuildLog(), new Consent(true, false)).Stop("malta-le", _work);
        _dir.Dispose();
    }

    private BuildCli.Result Deploy(string databaseUrl, params string[] more) => BuildCli.Run(
        ["--target=Deploy", $"--app={_app}", $"--work-dir={_work}", $"--cargo-config={Path.Combine(RepoPaths.Root, "tests", "setup", "debian-crates.toml")}",
            $"--app-env=DATABASE_URL={databaseUrl}", .. more],
        new Dictionary<string, string?> { ["CI"] = "true" }, TimeSpan.FromMinutes(25));

    private static string AppUrl(string output) =>
        Regex.Matches(output, @"GET (http://127\.0\.0\.1:\d+)/health").Last().Groups[1].Value;

    [Fact]
    public async Task Readings_posted_to_the_emulated_device_reach_PostgreSQL_on_the_host()
    {
        using var postgres = PostgresServer.Start("sensors");
        var url = $"postgresql://{PostgresServer.User}@10.0.2.2:{postgres.Port}/sensors";

        // A wrong database URL (nothing listens there): the app starts, its smoke check answers
        // with the app's own error, and the failed first install is removed again.
        var closed = Crossboard.Tests.Fixtures.Ssh.DeviceServer.FreePort();
        var wrong = Deploy($"postgresql://{PostgresServer.User}:not-shown-anywhere@10.0.2.2:{closed}/sensors", "--smoke-timeout=8");
        Assert.Equal(3, wrong.ExitCode);
        Assert.DoesNotContain("   at ", wrong.All);
        Assert.Contains("linked dynamically against Debian's mipsel libraries: it runs on malta-le's emulated device", wrong.All);
        Assert.Contains("cannot reach the central PostgreSQL at", wrong.All);
        Assert.Contains($"port {closed} failed: Connection refused", wrong.All);
        Assert.Contains("the failed first install is removed again", wrong.All);
        // The password in the switch is never printed, nor logged.
        Assert.DoesNotContain("not-shown-anywhere", wrong.All);
        foreach (var log in Directory.EnumerateFiles(Path.Combine(_work, "logs"), "*", SearchOption.AllDirectories))
        {
            Assert.DoesNotContain("not-shown-anywhere", File.ReadAllText(log));
        }

        // The right one: deployed, its smoke check (the app's own: /health) passes.
        var good = Deploy(url);
        Assert.True(good.ExitCode == 0, good.All);
        Assert.Contains("Smoke check passed: GET", good.All);
        Assert.Contains("dynamic (/lib/ld.so.1; needs libsqlite3.so.0, libpq.so.5", good.All);
        var app = AppUrl(good.Output);

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var cancel = TestContext.Current.CancellationToken;
        foreach (var (sensor, value) in new[] { ("temperature", "21.5"), ("humidity", "40.25") })
        {
            var posted = await http.PostAsync($"{app}/readings?sensor={sensor}&value={value}", null, cancel);
            var answer = await posted.Content.ReadAsStringAsync(cancel);
            Assert.True(posted.IsSuccessStatusCode, answer);
            Assert.Matches(@"^stored \d+ forwarded", answer);
        }

        // Kept on the device in SQLite, and in PostgreSQL on this machine.
        var local = await http.GetStringAsync($"{app}/readings", cancel);
        Assert.Matches(@"1 temperature 21\.5 \S+ \S+ forwarded", local);
        Assert.Matches(@"2 humidity 40\.25 \S+ \S+ forwarded", local);
        var central = postgres.Query("sensors", "SELECT device, local_id, sensor, value FROM readings ORDER BY local_id");
        Assert.Equal("malta-le|1|temperature|21.5\nmalta-le|2|humidity|40.25", central.ReplaceLineEndings("\n"));

        // A device that lacks libpq (removed by hand): a changed build is refused before its upload,
        // naming the package, and the running build stays.
        using (var ssh = EmulatorFixture.Connect(EmulatorDevices.Target(_work, "malta-le")))
        {
            var removed = EmulatorFixture.Run(ssh, "rm -f /usr/lib/mipsel-linux-gnu/libpq.so.5* /lib/mipsel-linux-gnu/libpq.so.5* && echo removed");
            Assert.Contains("removed", removed.Output);
        }

        var main = Path.Combine(_app, "src", "main.rs");
        File.WriteAllText(main, File.ReadAllText(main).Replace("(200, \"hello world\\n\".to_string())", "(200, \"hello world, v2\\n\".to_string())"));
        var refused = Deploy(url);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("needs libpq.so.5, which device 'emulator' does not have; nothing was uploaded", refused.All);
        Assert.Contains("opkg install libpq", refused.All);
        Assert.Contains("apt-get install libpq5", refused.All);
        Assert.Contains("On the emulated device: its image carries the runtime of the C libraries the app's Cargo.toml declares", refused.All);
        Assert.Equal("hello world\n", await http.GetStringAsync($"{app}/text", cancel));
    }

    /// <summary>
    /// The same app builds for the Pi boards (Debian's armhf and arm64: glibc, linked dynamically
    /// against the target's libpq and libsqlite3), and each build serves under qemu-user with the
    /// runner CargoBuild prints, forwarding a reading to the real PostgreSQL.
    /// </summary>
    [Theory]
    [InlineData("rpi2", "ARMv7", "libpq.so.5")]
    [InlineData("rpi3", "AArch64", "libpq.so.5")]
    public async Task It_builds_for_the_Pi_boards_and_runs_there_under_qemu(string board, string machine, string needed)
    {
        using var postgres = PostgresServer.Start("sensors");
        var built = BuildCli.Run(
            ["--target=CargoBuild", $"--board={board}", $"--app={_app}", $"--work-dir={_work}", $"--cargo-config={Path.Combine(RepoPaths.Root, "tests", "setup", "debian-crates.toml")}"],
            new Dictionary<string, string?> { ["CI"] = "true" }, TimeSpan.FromMinutes(25));
        Assert.True(built.ExitCode == 0, built.All);
        Assert.Matches($@"sensor-log: .*{machine}.*dynamic \(/lib/ld-linux-[a-z0-9]+\.so\.\d; needs libsqlite3\.so\.0, {Regex.Escape(needed)}", built.Output);

        // "To run it here: qemu-arm -L <sysroot> <binary> (or cargo run ...)"
        var command = Regex.Match(built.Output, @"To run it here: (.+?) \(or cargo run").Groups[1].Value.Split(' ');
        Assert.True(command.Length >= 4, built.Output);
        var port = Crossboard.Tests.Fixtures.Ssh.DeviceServer.FreePort();
        var info = new System.Diagnostics.ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in command.Skip(1))
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["LISTEN"] = $"127.0.0.1:{port}";
        info.Environment["DATABASE_URL"] = $"postgresql://{PostgresServer.User}@127.0.0.1:{postgres.Port}/sensors";
        info.Environment["SENSOR_LOG_DB"] = _dir.Combine($"{board}.db");
        using var app = System.Diagnostics.Process.Start(info)!;
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            var cancel = TestContext.Current.CancellationToken;
            var health = "";
            for (var i = 0; i < 120 && !health.StartsWith("ok", StringComparison.Ordinal); i++)
            {
                try
                {
                    health = await http.GetStringAsync($"http://127.0.0.1:{port}/health", cancel);
                }
                catch (HttpRequestException)
                {
                    if (app.HasExited)
                    {
                        Assert.Fail($"sensor-log exited ({app.ExitCode}): {await app.StandardError.ReadToEndAsync(cancel)}");
                    }

                    await Task.Delay(500, cancel);
                }
            }

            Assert.StartsWith("ok: 0 readings on the device; PostgreSQL ", health);
            var posted = await http.PostAsync($"http://127.0.0.1:{port}/readings?sensor={board}&value=7.5", null, cancel);
            Assert.True(posted.IsSuccessStatusCode, await posted.Content.ReadAsStringAsync(cancel));
            Assert.EndsWith($"|{board}|7.5", postgres.Query("sensors", "SELECT device, sensor, value FROM readings"));
        }
        finally
        {
            app.Kill();
            app.WaitForExit();
        }
    }
}
