using System.Text.Json;
using Cake.Docker;
using Crossboard;
using Crossboard.Machine;

namespace Cake.Docker;

public enum DockerCliKind
{
    Docker,
    Podman,
}

/// <summary>How a docker command's output is shown and kept: live lines, a log file, input, a time limit.</summary>
public sealed record DockerIo(Action<string>? OnLine = null, string? LogFile = null, string? StandardInput = null, TimeSpan? Timeout = null)
{
    public static readonly DockerIo Quiet = new();
}

/// <summary>
/// The docker CLI (or podman's, which takes the same commands), run as a process with argument
/// lists and streamed output. <see cref="DockerHost"/> is the engine: for the docker CLI it is
/// passed as DOCKER_HOST, for podman as --url (podman does not read DOCKER_HOST), so one setting
/// reaches a Docker daemon, Docker Desktop or a `podman system service` socket alike.
/// </summary>
public sealed class DockerClient
{
    public static readonly IReadOnlyList<string> CliChoices = ["docker", "podman"];

    public DockerClient(string cli, DockerCliKind kind, string? dockerHost = null)
    {
        Cli = cli;
        Kind = kind;
        DockerHost = string.IsNullOrEmpty(dockerHost) ? null : dockerHost;
    }

    /// <summary>The program run: a name on PATH or a full path.</summary>
    public string Cli { get; }

    public DockerCliKind Kind { get; }

    /// <summary>The engine's address (unix:///..., tcp://..., ssh://...); null for the CLI's default.</summary>
    public string? DockerHost { get; }

    /// <summary>The engine as users would name it in a message.</summary>
    public string EngineDescription => DockerHost is null
        ? $"the {Cli} CLI's default engine (DOCKER_HOST is not set)"
        : $"DOCKER_HOST={DockerHost} (through the {Kind.ToString().ToLowerInvariant()} CLI)";

    /// <summary>
    /// The client for a --docker-cli choice (null: docker if it is on PATH, else podman) and a
    /// DOCKER_HOST value (usually the environment's).
    /// </summary>
    public static DockerClient Create(string? cliChoice, string? dockerHost)
    {
        ValidateChoice(cliChoice);
        if (cliChoice is null)
        {
            if (ProcessRunner.Which("docker") is { } docker)
            {
                return new DockerClient(docker, DockerCliKind.Docker, dockerHost);
            }

            if (ProcessRunner.Which("podman") is { } podman)
            {
                return new DockerClient(podman, DockerCliKind.Podman, dockerHost);
            }

            throw new CrossboardException(
                "--docker needs a container CLI, and neither docker nor podman is on PATH. Install one: " +
                "Docker (https://docs.docker.com/engine/install/, or Docker Desktop on macOS), or podman " +
                "(Debian/Ubuntu: sudo apt-get install podman; macOS: brew install podman).");
        }

        var kind = cliChoice == "podman" ? DockerCliKind.Podman : DockerCliKind.Docker;
        var path = ProcessRunner.Which(cliChoice) ?? throw new CrossboardException(
            $"--docker-cli={cliChoice}: '{cliChoice}' is not on PATH. Install it " +
            (kind == DockerCliKind.Podman
                ? "(Debian/Ubuntu: sudo apt-get install podman; macOS: brew install podman)"
                : "(https://docs.docker.com/engine/install/, or Docker Desktop on macOS)") +
            $", or choose the other CLI with --docker-cli={(kind == DockerCliKind.Podman ? "docker" : "podman")}.");
        return new DockerClient(path, kind, dockerHost);
    }

    /// <summary>Throws the user-facing error for a --docker-cli value that is neither docker nor podman.</summary>
    public static void ValidateChoice(string? cliChoice)
    {
        if (cliChoice is not null && !CliChoices.Contains(cliChoice))
        {
            throw new CrossboardException(
                $"--docker-cli={cliChoice} is not supported: use --docker-cli=docker or --docker-cli=podman (the engine itself is chosen with DOCKER_HOST).");
        }
    }

    /// <summary>The process that runs `cli ARGS` against <see cref="DockerHost"/>.</summary>
    public ProcessSpec Spec(IEnumerable<string> arguments, DockerIo? io = null, IDictionary<string, string?>? environment = null)
    {
        io ??= DockerIo.Quiet;
        var global = Kind == DockerCliKind.Podman && DockerHost is not null ? new[] { "--url", DockerHost } : [];
        var spec = new ProcessSpec(Cli, [.. global, .. arguments])
        {
            OnLine = io.OnLine,
            LogFile = io.LogFile,
            StandardInput = io.StandardInput,
            Timeout = io.Timeout,
        };
        if (Kind == DockerCliKind.Docker && DockerHost is not null)
        {
            spec.Environment["DOCKER_HOST"] = DockerHost;
        }

        // Keep the docker CLI's "What's next" hints out of logs.
        spec.Environment["DOCKER_CLI_HINTS"] = "false";
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            spec.Environment[key] = value;
        }

        return spec;
    }

    /// <summary>Checks an engine answers; returns its version. Throws the what-to-do message when none does.</summary>
    public string EnsureEngine()
    {
        var spec = Spec(["version", "--format", "{{.Server.Version}}"], new DockerIo(Timeout: TimeSpan.FromSeconds(60)));
        var result = ProcessRunner.Run(spec);
        var version = result.StandardOutput.Trim();
        if (!result.Succeeded || version.Length == 0 || version == "<no value>")
        {
            throw NoEngine(result);
        }

        return version;
    }

    public bool ImageExists(string image)
    {
        var result = ProcessRunner.Run(Spec(["image", "inspect", "--format", "{{.Id}}", image]));
        ThrowIfNoEngine(result);
        return result.Succeeded && result.StandardOutput.Trim().Length > 0;
    }

    /// <summary>The image's configured environment (ENV lines), e.g. its PATH.</summary>
    public IReadOnlyDictionary<string, string> ImageEnvironment(string image)
    {
        var spec = Spec(["image", "inspect", "--format", "{{json .Config.Env}}", image]);
        var result = ProcessRunner.Run(spec);
        ThrowIfNoEngine(result);
        if (!result.Succeeded)
        {
            throw ProcessRunner.Failure(spec, result, $"Cannot read the environment of the image {image}");
        }

        var pairs = JsonSerializer.Deserialize(result.StandardOutput.Trim(), DockerJson.Default.StringArray) ?? [];
        return pairs.Select(p => p.Split('=', 2))
            .Where(p => p.Length == 2)
            .GroupBy(p => p[0], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Last()[1], StringComparer.Ordinal);
    }

    /// <summary>docker build; throws with the output's tail and the log's path when it fails.</summary>
    public ProcessResult Build(DockerImageBuildSettings settings, string contextPath, DockerIo? io = null, CancellationToken cancellation = default)
    {
        var environment = new Dictionary<string, string?>();
        if (Kind == DockerCliKind.Docker)
        {
            environment["DOCKER_BUILDKIT"] = settings.LegacyBuilder ? "0" : "1";
        }

        var spec = Spec(DockerArguments.Build(settings, contextPath), io, environment);
        var result = ProcessRunner.Run(spec, cancellation);
        ThrowIfNoEngine(result);
        return result.Succeeded
            ? result
            : throw ProcessRunner.Failure(spec, result, $"Building the image {string.Join(", ", settings.Tag.DefaultIfEmpty("(untagged)"))} from {contextPath} failed");
    }

    /// <summary>
    /// docker run. The result's exit code is the container's; a non-zero one is returned, not
    /// thrown (<see cref="RunChecked"/> throws). Engine failures (no engine, no such image, a
    /// refused mount, a command missing from the image) are thrown, since they say nothing about
    /// the command.
    /// </summary>
    public async Task<ProcessResult> RunAsync(DockerContainerRunSettings settings, string image, string? command, IEnumerable<string>? args, DockerIo? io = null, CancellationToken cancellation = default) =>
        (await RunCoreAsync(settings, image, command, args, io, cancellation)).Result;

    public ProcessResult RunChecked(DockerContainerRunSettings settings, string image, string? command, IEnumerable<string>? args, DockerIo? io = null, CancellationToken cancellation = default)
    {
        var (spec, result) = RunCoreAsync(settings, image, command, args, io, cancellation).GetAwaiter().GetResult();
        return result.Succeeded ? result : throw ProcessRunner.Failure(spec, result, $"The container ({image}) exited with an error");
    }

    private async Task<(ProcessSpec Spec, ProcessResult Result)> RunCoreAsync(DockerContainerRunSettings settings, string image, string? command, IEnumerable<string>? args, DockerIo? io, CancellationToken cancellation)
    {
        // `docker run --rm` against podman's docker API (4.3) exits 0 whatever the container's exit
        // code was. So the docker CLI runs without --rm, under a known name, and the container is
        // removed after it exits; podman's own CLI and the container's code are right with --rm.
        var removeAfter = settings.Rm && !settings.Detach && Kind == DockerCliKind.Docker;
        if (removeAfter)
        {
            settings = settings.ShallowCopy();
            settings.Rm = false;
            settings.Name ??= "crossboard-" + Guid.NewGuid().ToString("N")[..12];
        }

        var spec = Spec(DockerArguments.Run(settings, image, command, args), io);
        try
        {
            var result = await ProcessRunner.RunAsync(spec, cancellation);
            ThrowIfNoEngine(result);
            ThrowIfEngineRefused(spec, result, $"The container engine could not start a container from {image}");
            return (spec, result);
        }
        catch (Exception ex) when (!removeAfter && settings.Name is not null && ex is OperationCanceledException or CrossboardException)
        {
            // Stopping the CLI (a timeout, Ctrl+C) does not stop the container it started.
            RemoveQuietly(settings.Name);
            throw;
        }
        finally
        {
            if (removeAfter)
            {
                RemoveQuietly(settings.Name!);
            }
        }
    }

    public ProcessResult ExecChecked(DockerContainerExecSettings settings, string container, string command, IEnumerable<string>? args, DockerIo? io = null, CancellationToken cancellation = default)
    {
        var spec = Spec(DockerArguments.Exec(settings, container, command, args), io);
        var result = ProcessRunner.Run(spec, cancellation);
        ThrowIfNoEngine(result);
        return result.Succeeded ? result : throw ProcessRunner.Failure(spec, result, $"'{command}' in the container {container} failed");
    }

    public ProcessResult RmChecked(DockerContainerRmSettings settings, IEnumerable<string> containers, DockerIo? io = null)
    {
        var spec = Spec(DockerArguments.Rm(settings, containers), io);
        var result = ProcessRunner.Run(spec);
        ThrowIfNoEngine(result);
        return result.Succeeded ? result : throw ProcessRunner.Failure(spec, result, "Removing the container(s) failed");
    }

    /// <summary>Removes a container if it exists (after a cancelled or timed-out run); never throws.</summary>
    public void RemoveQuietly(string container)
    {
        try
        {
            ProcessRunner.Run(Spec(DockerArguments.Rm(new DockerContainerRmSettings { Force = true }, [container]), new DockerIo(Timeout: TimeSpan.FromSeconds(60))));
        }
        catch (CrossboardException)
        {
            // Best effort: the engine may be gone too; the container was started with --rm.
        }
    }

    private void ThrowIfNoEngine(ProcessResult result)
    {
        var error = result.StandardError;
        if (!result.Succeeded && (error.Contains("Cannot connect to the Docker daemon", StringComparison.Ordinal)
                                  || error.Contains("Cannot connect to Podman", StringComparison.Ordinal)
                                  || error.Contains("unable to connect to Podman", StringComparison.Ordinal)
                                  || error.Contains("error during connect", StringComparison.Ordinal)))
        {
            throw NoEngine(result);
        }
    }

    /// <summary>
    /// Exit code 125 from `docker run` means the engine failed before the command started (docker
    /// prints "Error response from daemon", podman "Error: ..."); 126/127 that the command could
    /// not be run in the image. Those become errors naming the engine's reason; the command's own
    /// exit codes pass through.
    /// </summary>
    private static void ThrowIfEngineRefused(ProcessSpec spec, ProcessResult result, string whatFailed)
    {
        var error = result.StandardError;
        var engineSaid = error.Contains("Error response from daemon", StringComparison.Ordinal)
                         || error.Split('\n').Any(l => l.StartsWith("Error: ", StringComparison.Ordinal) || l.StartsWith("docker: ", StringComparison.Ordinal));
        var notRunnable = error.Contains("executable file not found", StringComparison.Ordinal)
                          || error.Contains("no such file or directory: OCI runtime", StringComparison.Ordinal)
                          || error.Contains("permission denied: OCI", StringComparison.Ordinal);
        // The docker CLI talking to podman's service loses the reason when the start fails; the
        // usual one is a command that is not in the image.
        var attachRefused = error.Contains("unable to upgrade to tcp, received 409", StringComparison.Ordinal);
        if ((result.ExitCode == 125 && engineSaid) || (result.ExitCode is 126 or 127 && notRunnable) || (result.ExitCode != 0 && attachRefused))
        {
            throw ProcessRunner.Failure(spec, result, result.ExitCode == 125
                ? whatFailed
                : $"{whatFailed}: the command cannot be run inside the image (is it installed there, and on its PATH?)");
        }
    }

    private CrossboardException NoEngine(ProcessResult result)
    {
        var said = ProcessRunner.TailOf(result.StandardError.Length > 0 ? result.StandardError : result.StandardOutput, 3).Trim();
        return new CrossboardException(
            $"No container engine answers at {EngineDescription}." +
            (said.Length > 0 ? $" {Path.GetFileName(Cli)} said: {said}" : "") + Environment.NewLine +
            "--docker needs a running engine that serves the docker API. Either:" + Environment.NewLine +
            "  - Docker: start Docker Desktop, or `sudo systemctl start docker` (and join the docker group: `sudo usermod -aG docker $USER`);" + Environment.NewLine +
            "  - podman: `podman system service --time=0 unix:///tmp/podman.sock &` then `export DOCKER_HOST=unix:///tmp/podman.sock`;" + Environment.NewLine +
            "    on macOS first `podman machine init && podman machine start`." + Environment.NewLine +
            "Then check with `docker version` (or `podman version`).");
    }
}
