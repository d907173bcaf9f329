using Cake.Docker;
using Crossboard.Container;
using Crossboard.Machine;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Addins;

/// <summary>Every setting renders as its own argument(s), exactly, with no shell in between.</summary>
[Tier(TestTier.Unit)]
public sealed class DockerArgumentsTests
{
    [Fact]
    public void Build_renders_every_setting_and_keeps_paths_with_spaces_whole()
    {
        var settings = new DockerImageBuildSettings
        {
            Tag = { "crossboard-builder:abc", "crossboard-builder:latest" },
            File = "/home/me/my project/docker/builder/Dockerfile",
            BuildArg = { ["RUST_FROM"] = "rustup", ["BASE_IMAGE"] = "local/bookworm" },
            Label = { ["note"] = "a \"quoted\" value with spaces" },
            Platform = "linux/arm64",
            Network = "host",
            Target = "builder",
            Pull = true,
            NoCache = true,
            ForceRm = true,
            Quiet = true,
        };

        var args = DockerArguments.Build(settings, "/home/me/my project/docker/builder");

        Assert.Equal(
            [
                "build",
                "--tag", "crossboard-builder:abc",
                "--tag", "crossboard-builder:latest",
                "--file", "/home/me/my project/docker/builder/Dockerfile",
                "--build-arg", "BASE_IMAGE=local/bookworm",
                "--build-arg", "RUST_FROM=rustup",
                "--label", "note=a \"quoted\" value with spaces",
                "--platform", "linux/arm64",
                "--network", "host",
                "--target", "builder",
                "--pull", "--no-cache", "--force-rm", "--quiet",
                "/home/me/my project/docker/builder",
            ],
            args);
    }

    [Fact]
    public void Run_renders_every_setting_with_volumes_env_workdir_user_platform_rm_and_name()
    {
        var settings = new DockerContainerRunSettings
        {
            Name = "crossboard-1",
            Rm = true,
            Detach = true,
            Interactive = true,
            Tty = true,
            Init = true,
            User = "1000:1000",
            Userns = "keep-id",
            Platform = "linux/amd64",
            Network = "none",
            Entrypoint = "/bin/sh",
            Workdir = "/home/me/work dir/sdk",
            Volume =
            {
                DockerVolume.SamePath("/home/me/work dir"),
                new DockerVolume("/home/me/.cargo", "/cargo", ReadOnly: true),
            },
            Env = { ["MAKEFLAGS"] = "-j2 V=s", ["CFLAGS"] = "-O2 -DNAME='x y'", ["EMPTY"] = "" },
            Label = { ["crossboard"] = "builder-run" },
        };

        var args = DockerArguments.Run(settings, "crossboard-builder:abc", "make", ["-C", "/home/me/work dir/sdk", "defconfig"]);

        Assert.Equal(
            [
                "run",
                "--name", "crossboard-1",
                "--rm", "--detach", "--interactive", "--tty", "--init",
                "--user", "1000:1000",
                "--userns", "keep-id",
                "--platform", "linux/amd64",
                "--network", "none",
                "--entrypoint", "/bin/sh",
                "--workdir", "/home/me/work dir/sdk",
                "--volume", "/home/me/work dir:/home/me/work dir",
                "--volume", "/home/me/.cargo:/cargo:ro",
                "--env", "CFLAGS=-O2 -DNAME='x y'",
                "--env", "EMPTY=",
                "--env", "MAKEFLAGS=-j2 V=s",
                "--label", "crossboard=builder-run",
                "crossboard-builder:abc",
                "make", "-C", "/home/me/work dir/sdk", "defconfig",
            ],
            args);
    }

    [Fact]
    public void Run_with_default_settings_is_just_the_image_and_its_default_command()
    {
        Assert.Equal(["run", "debian:bookworm"], DockerArguments.Run(new DockerContainerRunSettings(), "debian:bookworm"));
    }

    [Fact]
    public void Exec_renders_every_setting()
    {
        var settings = new DockerContainerExecSettings
        {
            Detach = true,
            Interactive = true,
            Tty = true,
            Privileged = true,
            User = "build",
            Workdir = "/home/me/my app",
            Env = { ["RUST_LOG"] = "debug info" },
        };

        var args = DockerArguments.Exec(settings, "crossboard-1", "cargo", ["build", "--manifest-path", "/home/me/my app/Cargo.toml"]);

        Assert.Equal(
            [
                "exec", "--detach", "--interactive", "--tty", "--privileged",
                "--user", "build",
                "--workdir", "/home/me/my app",
                "--env", "RUST_LOG=debug info",
                "crossboard-1",
                "cargo", "build", "--manifest-path", "/home/me/my app/Cargo.toml",
            ],
            args);
    }

    [Fact]
    public void Rm_renders_force_and_volumes_and_needs_a_container()
    {
        Assert.Equal(["rm", "--force", "--volumes", "a", "b c"],
            DockerArguments.Rm(new DockerContainerRmSettings { Force = true, Volumes = true }, ["a", "b c"]));
        Assert.Equal(["rm", "a"], DockerArguments.Rm(new DockerContainerRmSettings(), ["a"]));
        Assert.Throws<ArgumentException>(() => DockerArguments.Rm(new DockerContainerRmSettings(), []));
    }

    [Fact]
    public void A_relative_volume_source_is_refused_because_docker_would_make_a_named_volume_of_it()
    {
        var settings = new DockerContainerRunSettings { Volume = { new DockerVolume("work", "/work") } };

        var error = Assert.Throws<CrossboardException>(() => DockerArguments.Run(settings, "img"));

        Assert.Contains("'work'", error.Message);
        Assert.Contains("must be absolute", error.Message);
        Assert.Contains("name of a volume", error.Message);
    }

    [Fact]
    public void A_path_with_a_colon_is_refused_because_the_volume_syntax_cannot_express_it()
    {
        var error = Assert.Throws<CrossboardException>(() => DockerArguments.Volume(DockerVolume.SamePath("/home/me/a:b")));

        Assert.Contains("'/home/me/a:b'", error.Message);
        Assert.Contains("containing ':'", error.Message);
    }

    [Fact]
    public void An_environment_name_docker_would_misread_is_refused()
    {
        var settings = new DockerContainerRunSettings { Env = { ["A=B"] = "c" } };

        var error = Assert.Throws<CrossboardException>(() => DockerArguments.Run(settings, "img"));

        Assert.Contains("'A=B' is not a valid name for --env", error.Message);
    }

    [Fact]
    public void The_docker_CLI_gets_the_engine_as_DOCKER_HOST_and_podman_as_url()
    {
        var docker = new DockerClient("/usr/bin/docker", DockerCliKind.Docker, "unix:///tmp/my engine/podman.sock");
        var podman = new DockerClient("/usr/bin/podman", DockerCliKind.Podman, "unix:///tmp/my engine/podman.sock");
        var defaultEngine = new DockerClient("/usr/bin/docker", DockerCliKind.Docker, dockerHost: "");

        var viaDocker = docker.Spec(["ps"]);
        var viaPodman = podman.Spec(["ps"]);
        var viaDefault = defaultEngine.Spec(["ps"]);

        Assert.Equal("/usr/bin/docker", viaDocker.FileName);
        Assert.Equal(["ps"], viaDocker.Arguments);
        Assert.Equal("unix:///tmp/my engine/podman.sock", viaDocker.Environment["DOCKER_HOST"]);
        Assert.Equal(["--url", "unix:///tmp/my engine/podman.sock", "ps"], viaPodman.Arguments);
        Assert.False(viaPodman.Environment.ContainsKey("DOCKER_HOST"));
        Assert.Null(defaultEngine.DockerHost);
        Assert.False(viaDefault.Environment.ContainsKey("DOCKER_HOST")); // the CLI's own default (or the inherited variable)
    }

    [Fact]
    public void A_docker_cli_choice_other_than_docker_or_podman_is_refused_with_the_choices()
    {
        var error = Assert.Throws<CrossboardException>(() => DockerClient.Create("nerdctl", null));

        Assert.Contains("--docker-cli=nerdctl is not supported", error.Message);
        Assert.Contains("--docker-cli=docker or --docker-cli=podman", error.Message);
    }

    [Fact]
    public void The_podman_choice_runs_podman()
    {
        var client = DockerClient.Create("podman", "unix:///tmp/x.sock");

        Assert.Equal(DockerCliKind.Podman, client.Kind);
        Assert.Equal(ProcessRunner.Which("podman"), client.Cli);
    }
}
