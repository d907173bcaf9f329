using Cake.Common;
using Cake.Core;
using Cake.Core.Diagnostics;
using Crossboard.Docker;
using Crossboard.Host;

namespace Cake.Docker;

/// <summary>
/// Cake.Docker's aliases (DockerBuild, DockerRun, DockerExec, DockerRm) over <see cref="DockerClient"/>:
/// the CLI from --docker-cli (docker, else podman), the engine from DOCKER_HOST, output streamed to
/// Cake's log, and a non-zero exit thrown as a message with the command and its output's tail.
/// </summary>
public static class DockerAliases
{
    /// <summary>The client these aliases use: the build's own when the context has one.</summary>
    public static DockerClient DockerClient(this ICakeContext context) => context switch
    {
        Crossboard.BuildContext build => build.Docker,
        _ => Crossboard.Docker.DockerClient.Create(
            context.HasArgument("docker-cli") ? context.Argument<string>("docker-cli") : null,
            context.Environment.GetEnvironmentVariable("DOCKER_HOST")),
    };

    /// <summary>docker build [settings] PATH.</summary>
    public static void DockerBuild(this ICakeContext context, DockerImageBuildSettings settings, string path) =>
        context.DockerClient().Build(settings, path, Streamed(context));

    /// <summary>docker run [settings] IMAGE [COMMAND [ARGS]]; throws when the container exits non-zero.</summary>
    public static ProcessResult DockerRun(this ICakeContext context, DockerContainerRunSettings settings, string image, string? command, params string[] args) =>
        context.DockerClient().RunChecked(settings, image, command, args, Streamed(context));

    /// <summary>docker exec [settings] CONTAINER COMMAND [ARGS]; throws when the command exits non-zero.</summary>
    public static ProcessResult DockerExec(this ICakeContext context, DockerContainerExecSettings settings, string container, string command, params string[] args) =>
        context.DockerClient().ExecChecked(settings, container, command, args, Streamed(context));

    /// <summary>docker rm [settings] CONTAINER...</summary>
    public static void DockerRm(this ICakeContext context, DockerContainerRmSettings settings, params string[] containers) =>
        context.DockerClient().RmChecked(settings, containers, Streamed(context));

    // Braces in output (JSON, shell) must not be read as a format string.
    private static DockerIo Streamed(ICakeContext context) => new(OnLine: line => context.Log.Information("{0}", line));
}
