using Crossboard.Cargo;
using Crossboard.Machine;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Cargo;

/// <summary>
/// CargoTest: the app's own tests built for the board (Debian's cross gcc and Rust, as CargoBuild
/// builds) and run on the board's CPU under qemu-user, through the runner ConfigureCargo wrote.
/// </summary>
[Tier(TestTier.Slow)]
public sealed class CargoTestTests(CrossBuilds builds)
{
    private static readonly string BoardTests = Path.Combine(RepoPaths.Root, "tests", "Cargo", "Fixtures", "board-tests");

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private (CargoStage Stage, CargoStageInputs Inputs, RecordingBuildLog Log) Configured(string source, string name)
    {
        var app = Path.Combine(builds.WorkDir, "..", "test-apps", name);
        CrossBuilds.CopyTree(source, app);
        var log = new RecordingBuildLog();
        var stage = new CargoStage(LocalCommandRunner.Instance, new DebianPackages(CrossBuilds.Yes, log.Information), log);
        var inputs = builds.Inputs(app, builds.Board("malta-le"));
        stage.Configure(inputs);
        return (stage, inputs, log);
    }

    [Fact]
    public void The_samples_tests_run_on_the_boards_cpu_and_test_args_reach_the_test_binaries()
    {
        var (stage, inputs, log) = Configured(Path.Combine(RepoPaths.Root, "samples", "hello"), "hello-tests");

        var all = stage.Test(inputs, new CargoBuildOptions(), [], Cancel);
        var filtered = stage.Test(inputs, new CargoBuildOptions(), ["bad_input", "--nocapture"], Cancel);

        Assert.True(all.Passed >= 5, log.Text); // options' and http's unit tests
        Assert.Contains("test options::tests::defaults_to_port_8000_on_every_address ... ok", log.Text);
        Assert.Contains("cargo test --target mipsel-unknown-linux-gnu", log.Text);
        Assert.Equal(1, filtered.Passed);
        Assert.Contains("test options::tests::bad_input_is_explained ... ok", log.Text);
        Assert.Contains("-- bad_input --nocapture", log.Text);
        Assert.DoesNotContain("Doc tests were not run", log.Text); // a binary-only package has none
        Assert.True(File.Exists(Path.Combine(inputs.WorkDir, "logs", "cargo-test-malta-le.log")));
    }

    [Fact]
    public void A_failing_test_fails_the_task_by_name_and_a_test_of_the_boards_cpu_passes_where_it_runs()
    {
        var (stage, inputs, log) = Configured(BoardTests, "board-tests");

        var error = Assert.Throws<CrossboardException>(() => stage.Test(inputs, new CargoBuildOptions(), [], Cancel));
        var passing = stage.Test(inputs, new CargoBuildOptions(), ["runs_as", "reports", "--nocapture"], Cancel);

        Assert.StartsWith("1 test(s) failed for mipsel-unknown-linux-gnu: tests::fails_on_purpose.", error.Message);
        Assert.Contains("this test fails on purpose", error.Message); // the last lines of the output
        Assert.EndsWith("cargo-test-malta-le.log", error.LogPath);
        // It ran as little-endian MIPS: built for the build machine by mistake, it would say x86_64 and 62.
        Assert.Contains("test tests::runs_as_the_boards_cpu ... ok", log.Text);
        Assert.Contains("arch=mips machine=8 little-endian=true", log.Text);
        Assert.Equal(2, passing.Passed);
        // The doc test (which fails if run) was not run, and the output says so.
        Assert.Contains("Doc tests were not run: cargo cannot run them for a foreign target (mipsel-unknown-linux-gnu)", log.Text);
    }

    [Fact]
    public void CargoTest_as_users_run_it_exits_non_zero_with_the_failed_tests_name_and_no_stack_trace()
    {
        var app = Path.Combine(builds.WorkDir, "..", "test-apps", "board-tests-cli");
        CrossBuilds.CopyTree(BoardTests, app);

        var failing = BuildCli.Run(["--target=CargoTest", $"--app={app}", $"--work-dir={builds.WorkDir}"], timeout: TimeSpan.FromMinutes(5));
        var filtered = BuildCli.Run(["--target=CargoTest", $"--app={app}", $"--work-dir={builds.WorkDir}", "--test-args=runs_as reports --nocapture"], timeout: TimeSpan.FromMinutes(5));

        Assert.NotEqual(0, failing.ExitCode);
        Assert.Contains("1 test(s) failed for mipsel-unknown-linux-gnu: tests::fails_on_purpose.", failing.All);
        Assert.DoesNotMatch(@"\bat (Crossboard|System|Cake)\.", failing.All); // no .NET stack trace (the test's own panic output may have Rust's)
        Assert.Matches(@"CargoTest\s+[\d:.]+\s+Failed", failing.Output);
        Assert.True(filtered.ExitCode == 0, filtered.All);
        Assert.Matches(@"ConfigureCargo\s+[\d:.]+\s+Succeeded", filtered.Output);
        Assert.Matches(@"CargoTest\s+[\d:.]+\s+Succeeded", filtered.Output);
        Assert.Contains("2 test(s) passed for mipsel-unknown-linux-gnu", filtered.Output);
        Assert.Contains("arch=mips machine=8", filtered.Output);
    }
}
