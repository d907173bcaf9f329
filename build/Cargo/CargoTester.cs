using System.Text.RegularExpressions;
using Crossboard.Machine;

namespace Crossboard.Cargo;

/// <summary>Where CargoTest runs the test binaries (--test-on).</summary>
public enum TestPlace
{
    /// <summary>Under qemu-user on this machine, through the runner in .cargo/config.toml.</summary>
    Qemu,

    /// <summary>On the device, over SSH, in a scratch folder removed afterwards.</summary>
    Device,
}

/// <summary>What one CargoTest run did: how many tests passed and were ignored.</summary>
public sealed record CargoTestResult(int Passed, int Ignored, TimeSpan Elapsed);

/// <summary>A test binary cargo built: its target's name and kind (lib, bin, test) and the file.</summary>
public sealed record TestBinary(string Name, string Kind, string Path);

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

        var output = new TestOutput(log, request.AppDir);
        var spec = Spec(request, testArguments, output.Line);
        log.Information($"cargo test --target {request.Triple}{(testArguments.Count > 0 ? " -- " + string.Join(' ', testArguments) : "")}: " +
            $"each test binary runs under the target's runner in .cargo/config.toml (log: {request.LogFile})");
        var result = runner.Run(spec, cancellation);
        SayDocTestsAreNotRun(request);
        if (!result.Succeeded)
        {
            throw output.Failure(request, spec.ToString(), result.ExitCode, "it did not build, or a test binary could not run");
        }

        return output.Passed(request.Triple, result.Elapsed);
    }

    /// <summary>
    /// Builds the test binaries without running them (<c>cargo test --no-run</c>, as <see cref="Test"/>
    /// builds them), for running elsewhere: on the device.
    /// </summary>
    public IReadOnlyList<TestBinary> Build(CargoBuildRequest request, CancellationToken cancellation = default)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(request.LogFile)!);
        File.Delete(request.LogFile);

        var binaries = new List<TestBinary>();
        var recent = new Queue<string>();
        var errors = new RustProblems(request.AppDir);
        var spec = CargoBuilder.Command(request with { Bin = null },
            ["test", "--no-run", "--target", request.Triple, "--message-format=json-render-diagnostics"], sizeProfile: false, line =>
            {
                if (line.StartsWith('{'))
                {
                    if (ParseTestBinary(line) is { } binary)
                    {
                        binaries.Add(binary);
                    }

                    return;
                }

                errors.Read(line);
                Remember(recent, line);
                log.Information(line);
            });
        log.Information($"cargo test --no-run --target {request.Triple}: the test binaries, built for the device (log: {request.LogFile})");
        var result = runner.Run(spec, cancellation);
        SayDocTestsAreNotRun(request);
        if (!result.Succeeded)
        {
            throw new CrossboardException(
                $"Building the tests for {request.Triple} failed (exit code {result.ExitCode})." + Environment.NewLine +
                $"Command: {spec}" + Environment.NewLine + "Last lines of its output:" + Environment.NewLine +
                string.Join(Environment.NewLine, recent.Select(l => "  " + l)) +
                (CargoBuilder.Hint(recent, request) is { } hint ? Environment.NewLine + hint : ""),
                request.LogFile)
            {
                Problems = errors.Problems,
            };
        }

        return binaries.GroupBy(b => b.Path).Select(g => g.Last()).ToList();
    }

    private void SayDocTestsAreNotRun(CargoBuildRequest request)
    {
        if (HasLibrary(request.AppDir))
        {
            log.Information($"Doc tests were not run: cargo cannot run them for a foreign target ({request.Triple}). `cargo test --doc` runs them on this machine.");
        }
    }

    private static void Remember(Queue<string> recent, string line)
    {
        recent.Enqueue(line);
        if (recent.Count > TailLines)
        {
            recent.Dequeue();
        }
    }

    /// <summary>A compiler-artifact message for a test binary (profile.test, with an executable).</summary>
    private static TestBinary? ParseTestBinary(string line)
    {
        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(line);
            var root = json.RootElement;
            if (!root.TryGetProperty("reason", out var reason) || reason.GetString() != "compiler-artifact" ||
                !root.TryGetProperty("executable", out var executable) || executable.ValueKind != System.Text.Json.JsonValueKind.String ||
                !root.TryGetProperty("profile", out var profile) || !profile.TryGetProperty("test", out var test) || !test.GetBoolean())
            {
                return null;
            }

            var target = root.GetProperty("target");
            var kind = target.GetProperty("kind").EnumerateArray().Select(k => k.GetString()).FirstOrDefault() ?? "";
            return new TestBinary(target.GetProperty("name").GetString() ?? "", kind, executable.GetString()!);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// libtest's output as it streams, from cargo or from a device: shown, the failed tests' names
    /// and the summaries' counts kept, and the last lines for an error.
    /// </summary>
    /// <param name="appDir">Where the app's sources are: a failed assertion's place is reported relative to it (CI annotations).</param>
    public sealed class TestOutput(IBuildLog log, string appDir)
    {
        private readonly RustProblems _problems = new(appDir);
        private readonly Queue<string> _recent = new();
        private readonly List<string> _failed = [];
        private int _passed;
        private int _ignored;

        public IReadOnlyList<string> FailedTests => _failed;

        public void Line(string line)
        {
            if (FailedTest().Match(line) is { Success: true } failure)
            {
                _failed.Add(failure.Groups[1].Value);
            }
            else if (Summary().Match(line) is { Success: true } summary)
            {
                _passed += int.Parse(summary.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
                _ignored += int.Parse(summary.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
            }

            _problems.Read(line);
            Remember(_recent, line);
            log.Information(line);
        }

        public CargoTestResult Passed(string triple, TimeSpan elapsed)
        {
            log.Information($"{_passed} test(s) passed{(_ignored > 0 ? $", {_ignored} ignored" : "")} for {triple} in {elapsed.TotalSeconds:0.0} s");
            return new CargoTestResult(_passed, _ignored, elapsed);
        }

        /// <param name="otherwise">Why it failed when no test reported failing.</param>
        public CrossboardException Failure(CargoBuildRequest request, string command, int? exitCode, string otherwise, string? logFile = null) =>
            new(
                (_failed.Count > 0
                    ? $"{_failed.Count} test(s) failed for {request.Triple}: {string.Join(", ", _failed.Distinct())}."
                    : $"The tests for {request.Triple} failed (exit code {exitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}) before they could report: {otherwise}.") + Environment.NewLine +
                $"Command: {command}" + Environment.NewLine +
                "Last lines of its output:" + Environment.NewLine +
                string.Join(Environment.NewLine, _recent.Select(l => "  " + l)) +
                (CargoBuilder.Hint(_recent, request) is { } hint ? Environment.NewLine + hint : ""),
                logFile ?? request.LogFile)
            {
                Problems = _problems.Problems,
            };
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
