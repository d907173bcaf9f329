using Cake.Docker;
using Crossboard.Container;
using Crossboard.Machine;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Container;

/// <summary>The builder image on a real engine: built from the local base, once per definition, failures with their log.</summary>
[Tier(TestTier.Slow)]
[Collection(DockerEngineCollection.Name)]
public sealed class BuilderImageTests(DockerEngineFixture engine) : IDisposable
{
    private readonly TempDir _dir = new("builder-image");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _dir.Dispose();

    private string Definition(string dockerfile)
    {
        var dir = _dir.Combine("def " + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "Dockerfile"), dockerfile);
        return dir;
    }

    [Fact]
    public void The_builder_image_has_what_the_stages_need_and_is_found_by_its_tag_the_second_time()
    {
        engine.Require();
        var log = new RecordingBuildLog();

        var again = BuilderImageService.Ensure(engine.Client, engine.Definition, _dir.Path, log, Ct);

        Assert.Equal(engine.Definition.Tag, engine.ImageTag);
        Assert.False(again.Built);
        Assert.Equal(engine.ImageTag, again.Tag);
        Assert.Contains($"Builder image {engine.ImageTag} is up to date", log.Text);
        var label = engine.Cli("image", "inspect", "--format", "{{index .Config.Labels \"crossboard.definition\"}}", engine.ImageTag);
        Assert.Equal(engine.Definition.Hash, label.StandardOutput.Trim());

        // OpenWrt's host prerequisites, Kconfig, a cross gcc and Rust with rust-src, as a non-root user.
        var check = engine.Client.RunChecked(new DockerContainerRunSettings { Rm = true }, engine.ImageTag, "sh", ["-c", """
            set -e
            for tool in make gcc g++ gawk rsync unzip python3 file git curl wget patch perl bzip2 xz zstd flex bison swig kconfig-conf mipsel-linux-gnu-gcc rustc cargo; do
              command -v "$tool" > /dev/null || { echo "missing $tool"; exit 1; }
            done
            test -f /usr/include/ncurses.h
            test -d "$(rustc --print sysroot)/lib/rustlib/src/rust/library"
            for target in mipsel-unknown-linux-gnu armv7-unknown-linux-gnueabihf aarch64-unknown-linux-gnu; do
              ls "$(rustc --print sysroot)/lib/rustlib/$target/lib/" | grep -q '^libstd-.*\.rlib$' || { echo "no std for $target"; exit 1; }
            done
            whoami
            """], cancellation: Ct);
        Assert.Equal("build", check.StandardOutput.Trim());
    }

    [Fact]
    public void A_changed_definition_builds_a_new_image_once()
    {
        engine.Require();
        var dir = Definition($"ARG BASE_IMAGE\nFROM ${{BASE_IMAGE}}\nRUN echo built > /built.txt\nLABEL crossboard.test=\"{Guid.NewGuid():N}\"\n");
        var definition = new BuilderImageDefinition(dir, engine.BaseImage);
        try
        {
            var first = BuilderImageService.Ensure(engine.Client, definition, _dir.Path, new RecordingBuildLog(), Ct);
            var log = new RecordingBuildLog();
            var second = BuilderImageService.Ensure(engine.Client, definition, _dir.Path, log, Ct);

            Assert.True(first.Built);
            Assert.NotEqual(engine.ImageTag, first.Tag);
            Assert.True(File.Exists(first.LogFile), first.LogFile);
            Assert.Contains("STEP", File.ReadAllText(first.LogFile!), StringComparison.OrdinalIgnoreCase);
            Assert.False(second.Built);
            Assert.Equal(first.Tag, second.Tag);
            Assert.DoesNotContain(log.Lines, l => l.StartsWith("Building", StringComparison.Ordinal));
        }
        finally
        {
            engine.Cli("rmi", definition.Tag);
        }
    }

    [Fact]
    public void A_failing_image_build_shows_the_failing_step_and_the_log_and_leaves_no_image()
    {
        engine.Require();
        var dir = Definition("ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nRUN echo 'crossboard-marker: the package list is broken' && exit 3\n");
        var definition = new BuilderImageDefinition(dir, engine.BaseImage);

        var error = Assert.Throws<CrossboardException>(() => BuilderImageService.Ensure(engine.Client, definition, _dir.Path, new RecordingBuildLog(), Ct));

        Assert.Contains($"Building the image {definition.Tag} from {dir} failed (exit code", error.Message);
        Assert.Contains("crossboard-marker: the package list is broken", error.Message);
        Assert.NotNull(error.LogPath);
        Assert.Contains("crossboard-marker", File.ReadAllText(error.LogPath!));
        Assert.False(engine.Client.ImageExists(definition.Tag));
    }

    [Fact]
    public void A_container_that_exits_non_zero_fails_DockerRun_with_the_docker_command_and_the_output_tail()
    {
        engine.Require();

        var error = Assert.Throws<CrossboardException>(() => engine.Client.RunChecked(
            new DockerContainerRunSettings { Rm = true }, engine.ImageTag, "sh", ["-c", "echo 'crossboard-marker: bad thing' >&2; exit 4"], cancellation: Ct));

        Assert.Contains($"The container ({engine.ImageTag}) exited with an error (exit code 4).", error.Message);
        Assert.Matches(@"Command: \S*(docker|podman)( --url \S+)? run ", error.Message);
        Assert.Contains($"{engine.ImageTag} sh -c 'echo '\\''crossboard-marker", error.Message);
        Assert.Contains("crossboard-marker: bad thing", error.Message);
    }

    [Fact]
    public void The_BuilderImage_task_reuses_the_image_and_says_so()
    {
        engine.Require();

        var result = BuildCli.Run(
            ["--target=BuilderImage", "--docker", $"--docker-base={engine.BaseImage}", $"--work-dir={_dir.Path}"],
            new Dictionary<string, string?> { ["DOCKER_HOST"] = engine.DockerHost });

        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"Builder image {engine.ImageTag} is up to date", result.Output);
        Assert.Matches(@"BuilderImage\s+\d\d:\d\d:\d\d\.\d+\s+Succeeded", result.Output);
    }
}
