using Crossboard.Host;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.EndToEnd;

/// <summary>
/// build.sh, the README's first command's bootstrap, on a copy of this working tree: it builds
/// the build host when there is none or a source changed, runs the built one otherwise, and
/// says where the log is when the build fails (with the quick, framework-dependent publish);
/// and by default it publishes the self-contained composite host and runs that. The packs it
/// restores were fetched by tests/setup/warm-caches.sh: no network here. A collection of its
/// own, run alone: the composite publish takes a minute of both cores, which the other tests'
/// devices and timeouts should not have to share.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
[Collection(Name)]
public sealed class BootstrapTests : IDisposable
{
    public const string Name = "build.sh bootstrap (runs alone)";
    private const string Building = "build.sh: building the build host";
    private readonly TempDir _dir = new("bootstrap");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Build_sh_builds_the_host_once_rebuilds_when_a_source_changes_and_reports_a_broken_build()
    {
        var repo = CopyWorkingTree();

        var first = BuildSh(repo, "--target=Boards");
        Assert.True(first.Succeeded, first.StandardError + first.StandardOutput);
        Assert.Contains(Building, first.StandardError);
        Assert.Contains("malta-le", first.StandardOutput);
        Assert.Matches(@"Boards\s+\d\d:\d\d:\d\d\.\d+\s+Succeeded", first.StandardOutput);

        var second = BuildSh(repo, "--target=Boards");
        Assert.True(second.Succeeded, second.StandardError + second.StandardOutput);
        Assert.DoesNotContain(Building, second.StandardError);
        Assert.Contains("malta-le", second.StandardOutput);

        // A source changes: built again.
        var program = Path.Combine(repo, "build", "Program.cs");
        File.AppendAllText(program, "\n// changed\n");
        var changed = BuildSh(repo, "--target=Boards");
        Assert.True(changed.Succeeded, changed.StandardError + changed.StandardOutput);
        Assert.Contains(Building, changed.StandardError);

        // A source that does not compile: the error, the log's path, a non-zero exit; and the
        // next run tries again rather than running a host that no longer matches the sources.
        File.AppendAllText(program, "this is not C#\n");
        var broken = BuildSh(repo, "--target=Boards");
        Assert.NotEqual(0, broken.ExitCode);
        Assert.Contains("Program.cs", broken.StandardError);
        Assert.Matches(@"building the build host failed; full log: /\S+\.log", broken.StandardError);
        var again = BuildSh(repo, "--target=Boards");
        Assert.NotEqual(0, again.ExitCode);
        Assert.Contains(Building, again.StandardError);
    }

    [Fact]
    public void Build_sh_by_default_publishes_the_self_contained_composite_host_and_runs_it()
    {
        var repo = CopyWorkingTree();

        var first = BuildSh(repo, quick: false, "--target=Boards");
        Assert.True(first.Succeeded, first.StandardError + first.StandardOutput);
        Assert.Contains(Building, first.StandardError);
        var host = Path.Combine(repo, "build", "bin", "host");
        Assert.True(File.Exists(Path.Combine(host, "Build.r2r.dll")), "the composite image");
        Assert.True(File.Exists(Path.Combine(host, "libcoreclr.so")), "a runtime of its own (self-contained)");
        Assert.False(Directory.Exists(Path.Combine(repo, "build", "bin", ".host")), "the intermediate files are removed");

        var second = BuildSh(repo, quick: false, "--target=Boards");
        Assert.True(second.Succeeded, second.StandardError + second.StandardOutput);
        Assert.DoesNotContain(Building, second.StandardError);
        Assert.Contains("malta-le", second.StandardOutput);
    }

    private string CopyWorkingTree() => WorkingTree.CopyTo(_dir.Combine("repo"));

    private ProcessResult BuildSh(string repo, params string[] args) => BuildSh(repo, quick: true, args);

    private ProcessResult BuildSh(string repo, bool quick, params string[] args) => ProcessRunner.Run(
        new ProcessSpec(Path.Combine(repo, "build.sh"), args)
        {
            WorkingDirectory = repo,
            Timeout = TimeSpan.FromMinutes(10),
            Environment =
            {
                ["CROSSBOARD_HOST_BUILD"] = quick ? "quick" : null,
                ["NO_COLOR"] = "1",
                ["TMPDIR"] = _dir.Path,
                // The dotnet build servers would outlive the test (and hold its folder).
                ["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0",
                ["MSBUILDDISABLENODEREUSE"] = "1",
                ["UseSharedCompilation"] = "false",
            },
        }, TestContext.Current.CancellationToken);
}

[CollectionDefinition(BootstrapTests.Name, DisableParallelization = true)]
public sealed class BootstrapCollection;
