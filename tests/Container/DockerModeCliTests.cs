using Crossboard.Tests.Support;

namespace Crossboard.Tests.Container;

/// <summary>
/// --docker through the real program: the SDK and cargo stages' commands run in the builder
/// container, which has Debian's cross compiler and Rust std; the binary lands in the app's folder
/// on the host, checked like any other.
/// </summary>
[Tier(TestTier.Slow)]
[Collection(DockerEngineCollection.Name)]
public sealed class DockerModeCliTests(DockerEngineFixture engine) : IDisposable
{
    private readonly TempDir _dir = new("docker-mode");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void CargoBuild_with_docker_builds_in_the_container_and_skips_the_case_sensitive_volume()
    {
        engine.Require();
        var app = _dir.Combine("hello");
        CrossBuilds.CopyTree(Path.Combine(RepoPaths.Root, "samples", "hello"), app);

        var result = BuildCli.Run(
            ["--target=CargoBuild", "--docker", $"--docker-base={engine.BaseImage}", $"--work-dir={_dir.Combine("work")}", $"--app={app}"],
            new Dictionary<string, string?> { ["DOCKER_HOST"] = engine.DockerHost, ["CI"] = "true" });

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Contains("PrepareVolume: not needed with --docker", result.Output);
        // Debian's std comes with the image's rustc: nothing is fetched on the host.
        Assert.Contains("(installed with rustc)", result.Output);
        Assert.DoesNotContain("Fetching Debian's Rust std", result.Output);
        Assert.Matches(@"hello: 1\.\d MiB .* ELF32 little-endian MIPS .* static", result.Output);
        Assert.True(File.Exists(Path.Combine(app, "target", "mipsel-unknown-linux-gnu", "release", "hello")));
    }
}
