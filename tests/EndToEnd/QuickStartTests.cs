using System.Net.Http;
using System.Text.RegularExpressions;
using Crossboard.Emulator;
using Crossboard.Machine;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.EndToEnd;

/// <summary>
/// README's first command as a user runs it, against the real emulated device: Debian's cross
/// toolchain and Rust, the device image, a qemu boot, a deploy over the exec-channel fallback (the
/// image has no SFTP, like stock OpenWrt), the smoke check; then a no-op redeploy, a changed app
/// redeployed and restarted, Rollback, and EmulatorStop. One test: each step needs the one before.
/// </summary>
[Tier(TestTier.Slow)]
public sealed class QuickStartTests : IDisposable
{
    private readonly TempDir _dir = new("quickstart");
    private readonly string _app;
    private readonly string _work;

    public QuickStartTests()
    {
        // A copy of the sample, so that the test can change it; its own work dir, so that it
        // proves the first run on a machine where nothing is built yet.
        _app = _dir.Combine("hello");
        _work = _dir.Combine("work");
        CrossBuilds.CopyTree(Path.Combine(RepoPaths.Root, "samples", "hello"), _app);
    }

    public void Dispose()
    {
        // Whatever happened, no qemu outlives the test.
        new EmulatorMachine(new RecordingBuildLog(), new Consent(true, false)).Stop("malta-le", _work);
        _dir.Dispose();
    }

    private BuildCli.Result Run(params string[] args)
    {
        var result = Attempt(args);
        Assert.True(result.ExitCode == 0, $"{string.Join(' ', args)} failed ({result.ExitCode}):\n{result.All}");
        return result;
    }

    /// <summary>A run that must fail, cleanly: non-zero, no stack trace.</summary>
    private BuildCli.Result Fail(params string[] args)
    {
        var result = Attempt(args);
        Assert.True(result.ExitCode != 0, $"{string.Join(' ', args)} succeeded:\n{result.All}");
        Assert.DoesNotContain("   at ", result.All);
        return result;
    }

    private BuildCli.Result Attempt(string[] args) => BuildCli.Run([.. args, $"--app={_app}", $"--work-dir={_work}"],
        new Dictionary<string, string?> { ["CI"] = "true" }, TimeSpan.FromMinutes(20));

    private static string Get(string url)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        return http.GetStringAsync(url, TestContext.Current.CancellationToken).GetAwaiter().GetResult();
    }

    /// <summary>The app's answer through the emulator's forwarded port, which the smoke check's line names.</summary>
    private static string Fetch(string deployOutput)
    {
        return Get(Regex.Matches(deployOutput, @"Smoke check passed: GET (http://127\.0\.0\.1:\d+/text)").Last().Groups[1].Value);
    }

    [Fact]
    public void Deploy_to_the_emulated_board_redeploy_change_rollback_and_stop()
    {
        var first = Run("--target=Deploy");
        Assert.Contains("Uploading hello (exec channel): 100%", first.Output);
        Assert.Matches(@"Installed /usr/bin/hello\.", first.Output);
        Assert.Equal("hello world", Fetch(first.Output));
        Assert.Matches(@"Deploy\s+\d\d:\d\d:\d\d\.\d+\s+Succeeded", first.Output);

        var again = Run("--target=Deploy");
        Assert.Contains("(up to date)", again.Output);
        Assert.Contains("Device image for malta-le is up to date", again.Output);
        Assert.Contains("is already running", again.Output);
        Assert.Contains("nothing transferred", again.Output);
        Assert.Equal("hello world", Fetch(again.Output));

        // A changed app: rebuilt, uploaded, and the new process answers.
        var http = Path.Combine(_app, "src", "http.rs");
        File.WriteAllText(http, File.ReadAllText(http).Replace("body: \"hello world\"", "body: \"hello world, v2\""));
        var changed = Run("--target=Deploy", "--smoke-expect=hello world, v2");
        Assert.Contains("Installed /usr/bin/hello; the previous binary is kept as /usr/bin/hello.bak", changed.Output);
        Assert.Equal("hello world, v2", Fetch(changed.Output));

        // Rollback puts the first build back, running.
        var back = Run("--target=Rollback");
        Assert.Equal("hello world", Fetch(back.Output));

        // A build that dies at start: the device gets the running build back, which answers again.
        var main = Path.Combine(_app, "src", "main.rs");
        File.WriteAllText(main, File.ReadAllText(main).Replace("fn serve(options: &Options) -> io::Result<()> {\n",
            "fn serve(options: &Options) -> io::Result<()> {\n    if true {\n        return Err(io::Error::new(io::ErrorKind::Other, \"this build fails at start\"));\n    }\n"));
        var crashed = Fail("--target=Deploy");
        Assert.Contains("hello: this build fails at start", crashed.All);
        Assert.Contains("Reverted on device 'emulator': /usr/bin/hello is the previous build again", crashed.All);
        var answers = Regex.Match(crashed.All, @"it answers: GET (http://127\.0\.0\.1:\d+/text) answered 200");
        Assert.True(answers.Success, crashed.All);
        Assert.Equal("hello world", Get(answers.Groups[1].Value));

        // Not a program for this board: refused before the device is asked anything.
        var foreignCpu = Fail("--target=Deploy", "--artifact=/bin/ls");
        Assert.Contains("it is built for x86-64, but malta-le's MIPS 24KEc (mipsel) needs MIPS", foreignCpu.All);

        // A program for this board, named like one of busybox's applets: the device's own file is not replaced.
        var wget = Path.Combine(_dir.Path, "wget");
        File.Copy(Path.Combine(_app, "target", "mipsel-unknown-linux-gnu", "release", "hello"), wget);
        var applet = Fail("--target=Deploy", $"--artifact={wget}");
        Assert.Contains("  - /usr/bin/wget: busybox (an applet: a link to /bin/busybox)", applet.All);
        Assert.Contains("Nothing was uploaded; the device is unchanged.", applet.All);

        var stop = Run("--target=EmulatorStop");
        Assert.Matches(@"EmulatorStop\s+\d\d:\d\d:\d\d\.\d+\s+Succeeded", stop.Output);
        var status = new EmulatorMachine(new RecordingBuildLog(), new Consent(true, false)).Status("malta-le", _work);
        Assert.NotEqual(EmulatorState.Running, status.State);
    }
}
