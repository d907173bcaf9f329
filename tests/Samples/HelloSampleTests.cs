using Crossboard.Machine;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Samples;

/// <summary>
/// samples/hello itself: its unit tests pass with Debian's Rust 1.63 offline (the oldest Rust it
/// must build with), and the cross-built binary handles bad arguments and Ctrl-C like a tool should.
/// </summary>
[Tier(TestTier.Slow)]
public sealed class HelloSampleTests(CrossBuilds builds) : IDisposable
{
    private readonly TempDir _copy = new("hello-sample");

    public void Dispose() => _copy.Dispose();

    [Fact]
    public void Its_own_unit_tests_pass_with_Debians_rust_1_63_offline()
    {
        CrossBuilds.CopyTree(Path.Combine(RepoPaths.Root, "samples", "hello"), _copy.Path);
        var spec = new ProcessSpec("/usr/bin/cargo", "test", "--offline", "--locked") { WorkingDirectory = _copy.Path, Timeout = TimeSpan.FromMinutes(5) };
        spec.Environment["RUSTC"] = "/usr/bin/rustc";
        spec.Environment["RUSTUP_TOOLCHAIN"] = null;

        var result = ProcessRunner.Run(spec, TestContext.Current.CancellationToken);

        Assert.True(result.Succeeded, result.StandardError + result.StandardOutput);
        Assert.Matches(@"test result: ok\. [1-9]\d* passed; 0 failed", result.StandardOutput);
    }

    [Fact]
    public void A_wrong_argument_exits_2_with_the_usage_and_help_exits_0()
    {
        var build = builds.Hello("malta-le");
        string[] runner = [.. build.Settings.Runner.Skip(1), build.Artifact.Path];

        var wrong = ProcessRunner.Run(new ProcessSpec(build.Settings.Runner[0], [.. runner, "--port", "http"]), TestContext.Current.CancellationToken);
        var help = ProcessRunner.Run(new ProcessSpec(build.Settings.Runner[0], [.. runner, "--help"]), TestContext.Current.CancellationToken);

        Assert.Equal(2, wrong.ExitCode);
        Assert.Contains("hello: --port needs a number from 0 to 65535, not 'http'", wrong.StandardError);
        Assert.Contains("usage: hello [--listen ADDRESS:PORT | --port PORT]", wrong.StandardError);
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("Answers GET /text with 'hello world'.", help.StandardOutput);
    }

    [Fact]
    public async Task Ctrl_C_stops_it_cleanly_after_it_has_served()
    {
        var build = builds.Hello("rpi3");
        using var app = await RunningApp.StartAsync(build.Settings.Runner, build.Artifact.Path, "--listen", "127.0.0.1:0");
        Assert.Equal((200, "hello world"), await app.GetAsync("/text"));

        Assert.Equal(0, await app.TerminateAsync(RunningApp.SigInt));
        Assert.Contains("hello: shutting down", app.Output);
        Assert.Contains("hello: stopped", app.Output);
    }
}
