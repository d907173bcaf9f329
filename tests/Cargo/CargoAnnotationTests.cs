using Crossboard.Tests.Support;

namespace Crossboard.Tests.Cargo;

/// <summary>
/// On GitHub Actions, as users run it: a compile error in the app and a failed test's panic are
/// annotations at their file, line and column (relative to the checkout, so they show in a pull
/// request's diff), before the run's own error.
/// </summary>
[Tier(TestTier.Slow)]
public sealed class CargoAnnotationTests(CrossBuilds builds)
{
    private static readonly string BoardTests = Path.Combine(RepoPaths.Root, "tests", "Cargo", "Fixtures", "board-tests");

    /// <summary>A copy of <paramref name="source"/> in a checkout of its own; GitHub's variables name that checkout.</summary>
    private (string App, Dictionary<string, string?> GitHub) InCheckout(string source, string name)
    {
        var checkout = Path.GetFullPath(Path.Combine(builds.WorkDir, "..", "checkouts", name));
        var app = Path.Combine(checkout, "app");
        CrossBuilds.CopyTree(source, app);
        return (app, new Dictionary<string, string?>
        {
            ["GITHUB_ACTIONS"] = "true", ["GITHUB_WORKSPACE"] = checkout, ["GITHUB_STEP_SUMMARY"] = Path.Combine(checkout, "summary.md"),
        });
    }

    [Fact]
    public void A_compile_error_in_the_app_is_an_annotation_at_its_place()
    {
        var (app, gitHub) = InCheckout(Path.Combine(RepoPaths.Root, "samples", "hello"), "compile-error");
        var main = Path.Combine(app, "src", "main.rs");
        var broken = File.ReadAllLines(main).Length + 2;
        File.AppendAllText(main, "\nfn broken() -> u32 { \"not a number\" }\n");

        var result = BuildCli.Run(["--target=CargoBuild", $"--app={app}", $"--work-dir={builds.WorkDir}"], gitHub, TimeSpan.FromMinutes(5));

        Assert.Equal(ExitCodes.BuildFailed, result.ExitCode);
        Assert.Matches($@"(?m)^::error file=app/src/main\.rs,line={broken},col=\d+::error\[E0308\]: mismatched types$", result.Output);
        Assert.Matches(@"(?m)^::error::cargo build for mipsel-unknown-linux-gnu failed \(exit code 101\)\.%0AFull log: \S+cargo-build-malta-le\.log$", result.Output);
    }

    [Fact]
    public void A_failed_tests_panic_is_an_annotation_at_its_assertion()
    {
        var (app, gitHub) = InCheckout(BoardTests, "failed-test");
        var lines = File.ReadAllLines(Path.Combine(app, "src", "lib.rs"));
        var assertion = Array.FindIndex(lines, l => l.Contains("this test fails on purpose")) + 1;

        var result = BuildCli.Run(["--target=CargoTest", $"--app={app}", $"--work-dir={builds.WorkDir}"], gitHub, TimeSpan.FromMinutes(5));

        Assert.Equal(ExitCodes.BuildFailed, result.ExitCode);
        Assert.Matches(
            $@"(?m)^::error file=app/src/lib\.rs,line={assertion},col=\d+::tests::fails_on_purpose panicked: .*this test fails on purpose$", result.Output);
        Assert.Matches(@"(?m)^::error::1 test\(s\) failed for mipsel-unknown-linux-gnu: tests::fails_on_purpose\.%0AFull log: \S+cargo-test-malta-le\.log$", result.Output);
    }
}
