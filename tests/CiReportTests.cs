using Cake.Frosting;
using Crossboard.Recipes;
using Crossboard.Tests.Support;

namespace Crossboard.Tests;

/// <summary>What the build tells the host's CI output: each problem at its place, or nothing (the host then writes the message).</summary>
[Tier(TestTier.Unit)]
public sealed class CiReportTests
{
    [Fact]
    public void Recipe_problems_and_compile_errors_are_records_at_their_places_anything_else_is_left_to_the_host()
    {
        var recipes = CiReport.Issues(new RecipeException([new("/repo/recipes/a.toml", 2, 1, "unknown key 'x'"), new("/repo/recipes/b.toml", 1, 1, "missing [cpu]")]));
        var compile = new CrossboardException("cargo build for x failed (exit code 101).\nLast lines of its output:\n  error[E0308]: ...", "/work/logs/cargo-build-x.log")
        {
            Problems = [new SourceProblem("/app/src/main.rs", 12, 22, "error[E0308]: mismatched types")],
        };

        Assert.Equal([new BuildIssue("unknown key 'x'", "/repo/recipes/a.toml", 2, 1), new BuildIssue("missing [cpu]", "/repo/recipes/b.toml", 1, 1)], recipes);
        Assert.Equal(
            [
                new BuildIssue("error[E0308]: mismatched types", "/app/src/main.rs", 12, 22),
                new BuildIssue("cargo build for x failed (exit code 101)." + Environment.NewLine + "Full log: /work/logs/cargo-build-x.log"),
            ],
            CiReport.Issues(compile));
        Assert.Null(CiReport.Issues(new CrossboardException("the device is off")));
    }
}
