using Crossboard.Cargo;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Cargo;

/// <summary>rustc's errors and failed tests' panics read from cargo's output, each at its place in the app (what a CI annotates).</summary>
[Tier(TestTier.Unit)]
public sealed class RustProblemsTests : IDisposable
{
    private readonly TempDir _app = new("rustc-errors");

    public void Dispose() => _app.Dispose();

    private IReadOnlyList<SourceProblem> Read(string output)
    {
        var errors = new RustProblems(_app.Path);
        foreach (var line in output.Split('\n'))
        {
            errors.Read(line);
        }

        return errors.Problems;
    }

    [Fact]
    public void Each_error_is_at_the_place_its_arrow_names_and_warnings_are_left_out()
    {
        var main = _app.Write("src/main.rs", "fn main() {}\n");
        var util = _app.Write("src/util.rs", "\n");

        var problems = Read(
            "   Compiling hello v0.1.0 (/src/hello)\n" +
            "warning: unused variable: `x`\n" +
            " --> src/main.rs:2:9\n" +
            "  |\n" +
            "2 |     let x = 1;\n" +
            "  |         ^ help: if this is intentional, prefix it with an underscore: `_x`\n" +
            "\n" +
            "error[E0308]: mismatched types\n" +
            "  --> src/main.rs:12:22\n" +
            "   |\n" +
            "12 | fn broken() -> u32 { \"not a number\" }\n" +
            "   |                ---   ^^^^^^^^^^^^^^ expected `u32`, found `&str`\n" +
            "\n" +
            "\u001b[0m\u001b[1m\u001b[38;5;9merror\u001b[0m\u001b[1m: cannot find value `y` in this scope\u001b[0m\n" +
            "\u001b[0m \u001b[0m\u001b[0m\u001b[1m\u001b[38;5;12m--> \u001b[0m\u001b[0msrc/util.rs:3:5\u001b[0m\n" +
            "\n" +
            "error: aborting due to 2 previous errors\n" +
            "error: could not compile `hello` due to 2 previous errors\n");

        Assert.Equal(
            [
                new SourceProblem(main, 12, 22, "error[E0308]: mismatched types"),
                new SourceProblem(util, 3, 5, "error: cannot find value `y` in this scope"),
            ],
            problems);
    }

    [Fact]
    public void A_place_outside_the_apps_files_is_left_out()
    {
        var problems = Read(
            "error[E0425]: cannot find function `gone` in this scope\n" +
            "  --> /root/.cargo/registry/src/index.crates.io-6f17d22bba15001f/some-crate-1.0.0/src/lib.rs:4:5\n" +
            "error[E0425]: cannot find function `also_gone`\n" +
            "  --> src/missing.rs:1:1\n");

        Assert.Empty(problems);
    }

    [Fact]
    public void A_failed_tests_panic_is_at_its_place_in_both_of_Rusts_forms()
    {
        var lib = _app.Write("src/lib.rs", "\n");

        var problems = Read(
            "running 2 tests\n" +
            "test tests::fails_on_purpose ... FAILED\n" +
            "---- tests::fails_on_purpose stdout ----\n" +
            // Rust before 1.73 (Debian 12's 1.63): the message in quotes, over three lines here.
            "thread 'tests::fails_on_purpose' panicked at 'assertion failed: `(left == right)`\n" +
            "  left: `2`,\n" +
            " right: `3`: this test fails on purpose', src/lib.rs:35:9\n" +
            "stack backtrace:\n" +
            "---- tests::one_liner stdout ----\n" +
            "thread 'tests::one_liner' panicked at 'explicit panic', src/lib.rs:40:5\n" +
            // Rust 1.73 on: the place first, the message on the next line.
            "thread 'tests::newer' panicked at src/lib.rs:44:9:\n" +
            "assertion `left == right` failed: this test fails on purpose\n" +
            "  left: 2\n");

        Assert.Equal(
            [
                new SourceProblem(lib, 35, 9, "tests::fails_on_purpose panicked: assertion failed: `(left == right)`\n  left: `2`,\n right: `3`: this test fails on purpose"),
                new SourceProblem(lib, 40, 5, "tests::one_liner panicked: explicit panic"),
                new SourceProblem(lib, 44, 9, "tests::newer panicked: assertion `left == right` failed: this test fails on purpose"),
            ],
            problems);
    }
}
