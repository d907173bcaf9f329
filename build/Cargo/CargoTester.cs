using System.Text.RegularExpressions;
using Crossboard.Machine;

namespace Crossboard.Cargo;

/// <summary>What one CargoTest run did: how many tests passed and which failed (none when it passed).</summary>
public sealed record CargoTestResult(int Passed, int Ignored, TimeSpan Elapsed);

/// <summary>
/// Runs the app's tests for the board's target: <c>cargo test --target &lt;triple&gt;</c>, built
/// exactly as CargoBuild builds the app (same Rust, toolchain and environment), each test binary
/// run by the runner ConfigureCargo wrote for the target (qemu-user for the board's CPU, with the
/// toolchain's sysroot), as <c>cross test</c> does. The output streams live and into a log file;
/// the test binaries' exit codes decide. Doc tests are not run: cargo cannot run them for a
/// foreign target, and the output says so.
/// </summary>
public sealed partial class CargoTester(ICommandRunner runner, IBuildLog log)
{
    private const int TailLines = 40;

    /// <param name="testArguments">For the test binaries, after cargo test's <c>--</c>: a name filter, --nocapture, --test-threads=1, ...</param>
    public ProcessSpec Spec(CargoBuildRequest request, IReadOnlyList<string> testArguments, Action<string>? onLine = null)
    {
        // Tests build with the test profile: the size profile (release settings) has no say.
        var spec = CargoBuilder.Command(request with { Bin = null }, ["test", "--target", request.Triple], sizeProfile: false, onLine);
        if (testArguments.Count > 0)
        {
            spec.Arguments.AddRange(["--", .. testArguments]); // last: everything after -- is the test binaries'
        }

        return spec;
    }

    public CargoTestResult Test(CargoBuildRequest request, IReadOnlyList<string> testArguments, CancellationToken cancellation = default)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(request.LogFile)!);
        File.Delete(request.LogFile);

        var failed = new List<string>();
        var recent = new Queue<string>();
        var errors = new RustProblems(request.AppDir);
        int passed = 0, ignored = 0;
        void OnLine(string line)
        {
            if (FailedTest().Match(line) is { Success: true } failure)
            {
                failed.Add(failure.Groups[1].Value);
            }
            else if (Summary().Match(line) is { Success: true } summary)
            {
                passed += int.Parse(summary.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
                ignored += int.Parse(summary.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
            }

            errors.Read(line);
            recent.Enqueue(line);
            if (recent.Count > TailLines)
            {
                recent.Dequeue();
            }

            log.Information(line);
        }

        var spec = Spec(request, testArguments, OnLine);
        log.Information($"cargo test --target {request.Triple}{(testArguments.Count > 0 ? " -- " + string.Join(' ', testArguments) : "")}: " +
            $"each test binary runs under the target's runner in .cargo/config.toml (log: {request.LogFile})");
        var result = runner.Run(spec, cancellation);
        if (HasLibrary(request.AppDir))
        {
            log.Information($"Doc tests were not run: cargo cannot run them for a foreign target ({request.Triple}). `cargo test --doc` runs them on this machine.");
        }

        if (!result.Succeeded)
        {
            var what = failed.Count > 0
                ? $"{failed.Count} test(s) failed for {request.Triple}: {string.Join(", ", failed.Distinct())}."
                : $"cargo test for {request.Triple} failed (exit code {result.ExitCode}) before its tests could report: it did not build, or a test binary could not run.";
            throw new CrossboardException(
                what + Environment.NewLine +
                $"Command: {spec}" + Environment.NewLine +
                "Last lines of its output:" + Environment.NewLine +
                string.Join(Environment.NewLine, recent.Select(l => "  " + l)) +
                (CargoBuilder.Hint(recent, request) is { } hint ? Environment.NewLine + hint : ""),
                request.LogFile)
            {
                Problems = errors.Problems,
            };
        }

        log.Information($"{passed} test(s) passed{(ignored > 0 ? $", {ignored} ignored" : "")} for {request.Triple} in {result.Elapsed.TotalSeconds:0.0} s");
        return new CargoTestResult(passed, ignored, result.Elapsed);
    }

    /// <summary>Whether the package has a library target (the only kind with doc tests).</summary>
    private static bool HasLibrary(string appDir) =>
        File.Exists(Path.Combine(appDir, "src", "lib.rs")) ||
        (File.Exists(Path.Combine(appDir, "Cargo.toml")) && LibTable().IsMatch(File.ReadAllText(Path.Combine(appDir, "Cargo.toml"))));

    /// <summary>libtest's line for a failed test: "test options::tests::parses ... FAILED".</summary>
    [GeneratedRegex(@"^test (\S+) \.\.\. FAILED$")]
    private static partial Regex FailedTest();

    /// <summary>libtest's summary: "test result: ok. 5 passed; 0 failed; 1 ignored; ...".</summary>
    [GeneratedRegex(@"^test result: \w+\. (\d+) passed; \d+ failed; (\d+) ignored")]
    private static partial Regex Summary();

    [GeneratedRegex(@"^\s*\[lib\]\s*$", RegexOptions.Multiline)]
    private static partial Regex LibTable();
}
