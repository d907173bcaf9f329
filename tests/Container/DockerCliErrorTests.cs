using Cake.Docker;
using Crossboard.Container;
using Crossboard.Machine;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Container;

/// <summary>--docker's errors as users meet them: no engine, a wrong CLI, and what happens without --docker.</summary>
[Tier(TestTier.Unit)]
public sealed class DockerCliErrorTests : IDisposable
{
    private readonly TempDir _dir = new("docker-cli");

    public void Dispose() => _dir.Dispose();

    private string NoEngine => "unix://" + _dir.Combine("no-engine-here.sock");

    public static TheoryData<string> Clis => new(DockerClient.CliChoices.Where(c => ProcessRunner.Which(c) is not null));

    [Theory]
    [MemberData(nameof(Clis))]
    public void No_engine_at_DOCKER_HOST_says_where_it_looked_and_how_to_start_one(string cli)
    {
        var client = DockerClient.Create(cli, NoEngine);

        var error = Assert.Throws<CrossboardException>(() => client.EnsureEngine());

        Assert.Contains($"No container engine answers at DOCKER_HOST={NoEngine} (through the {cli} CLI).", error.Message);
        Assert.Contains("sudo systemctl start docker", error.Message);
        Assert.Contains("podman system service --time=0 unix:///tmp/podman.sock", error.Message);
        Assert.Contains("export DOCKER_HOST=", error.Message);
    }

    [Fact]
    public void The_BuilderImage_task_without_an_engine_fails_with_that_message_and_no_stack_trace()
    {
        var result = BuildCli.Run(
            ["--target=BuilderImage", "--docker", $"--work-dir={_dir.Path}"],
            new Dictionary<string, string?> { ["DOCKER_HOST"] = NoEngine });

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"No container engine answers at DOCKER_HOST={NoEngine}", result.All);
        Assert.DoesNotContain("   at ", result.All);
        Assert.Matches(@"BuilderImage\s+\d\d:\d\d:\d\d\.\d+\s+Failed", result.Output);
    }

    [Fact]
    public void Without_docker_the_BuilderImage_task_is_skipped_and_says_to_add_docker()
    {
        var result = BuildCli.Run(
            ["--target=BuilderImage", $"--work-dir={_dir.Path}"],
            new Dictionary<string, string?> { ["DOCKER_HOST"] = NoEngine });

        // As a dependency it is skipped quietly; as the target, Cake reports the skipped target (exit 1).
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("BuilderImage skipped: the builder image is for --docker runs; add --docker to build it", result.Output);
        Assert.DoesNotContain("No container engine", result.All); // no engine was asked
    }

    [Fact]
    public void An_unknown_docker_cli_is_refused_before_any_task_runs()
    {
        var result = BuildCli.Run("--target=Boards", "--docker", "--docker-cli=nerdctl");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("--docker-cli=nerdctl is not supported: use --docker-cli=docker or --docker-cli=podman", result.All);
        Assert.DoesNotContain("   at ", result.All);
    }

    [Fact]
    public void The_docker_switches_are_known_and_listed_in_the_help()
    {
        var help = BuildCli.Run("--help");
        var boards = BuildCli.Run("--target=Boards", "--docker=false", "--docker-cli=podman", "--docker-base=local/bookworm");

        Assert.Contains("--docker=true", help.Output);
        Assert.Contains("--docker-cli=docker|podman", help.Output);
        Assert.Contains("--docker-base=IMAGE", help.Output);
        Assert.Equal(0, boards.ExitCode);
        Assert.DoesNotContain("is not one crossboard knows", boards.All);
    }

    [Fact]
    public void Doctor_prerequisites_for_docker_are_the_container_cli_of_the_choice()
    {
        var any = Assert.Single(HostPrerequisites.ForDocker(null));
        var podman = Assert.Single(HostPrerequisites.ForDocker("podman"));
        var docker = Assert.Single(HostPrerequisites.ForDocker("docker"));

        Assert.Equal("docker or podman", any.Name);
        Assert.Equal(ProcessRunner.Which("docker") is not null || ProcessRunner.Which("podman") is not null, any.IsPresent());
        Assert.Equal("podman", podman.Name);
        Assert.Equal(ProcessRunner.Which("podman") is not null, podman.IsPresent());
        Assert.Equal(["podman"], podman.DebianPackages);
        Assert.Equal("docker", docker.Name);
        Assert.Equal(ProcessRunner.Which("docker") is not null, docker.IsPresent());
    }
}
