namespace Cake.Docker;

// Typed settings in the shape of Cake.Docker's (which the NuGet registry here does not serve):
// the same class and property names, with typed values where Cake.Docker takes raw strings
// (volumes, environment, build arguments), so that nothing has to be quoted or joined by hand.
// DockerArguments renders them as an argument list; no shell ever parses them.

/// <summary>A bind mount: a host directory seen inside the container at <see cref="Target"/>.</summary>
public sealed record DockerVolume(string Source, string Target, bool ReadOnly = false)
{
    /// <summary>The host directory at the same absolute path inside the container.</summary>
    public static DockerVolume SamePath(string path, bool readOnly = false) => new(path, path, readOnly);
}

/// <summary>docker build [options] PATH.</summary>
public sealed class DockerImageBuildSettings
{
    /// <summary>--tag, one per name.</summary>
    public List<string> Tag { get; init; } = new();

    /// <summary>--file: the Dockerfile, when not PATH/Dockerfile.</summary>
    public string? File { get; set; }

    /// <summary>--build-arg NAME=VALUE.</summary>
    public Dictionary<string, string> BuildArg { get; init; } = new(StringComparer.Ordinal);

    /// <summary>--label NAME=VALUE.</summary>
    public Dictionary<string, string> Label { get; init; } = new(StringComparer.Ordinal);

    public string? Platform { get; set; }
    public string? Network { get; set; }

    /// <summary>--target: the stage of a multi-stage Dockerfile to stop at.</summary>
    public string? Target { get; set; }

    /// <summary>--pull: always look for a newer base image.</summary>
    public bool Pull { get; set; }

    public bool NoCache { get; set; }

    /// <summary>--force-rm: remove intermediate containers even when a step fails.</summary>
    public bool ForceRm { get; set; }

    public bool Quiet { get; set; }

    /// <summary>
    /// Build with the classic builder (DOCKER_BUILDKIT=0 for the docker CLI): the one every engine
    /// serving the docker API has, podman's included. Images that use BuildKit features set false.
    /// </summary>
    public bool LegacyBuilder { get; set; } = true;
}

/// <summary>docker run [options] IMAGE [COMMAND [ARG...]].</summary>
public sealed class DockerContainerRunSettings
{
    public string? Name { get; set; }

    /// <summary>--rm: remove the container when it exits.</summary>
    public bool Rm { get; set; }

    public bool Detach { get; set; }

    /// <summary>--interactive: keep standard input open (needed to feed the container input).</summary>
    public bool Interactive { get; set; }

    public bool Tty { get; set; }

    /// <summary>--volume SOURCE:TARGET[:ro]; sources must be absolute (a relative one would name a volume).</summary>
    public List<DockerVolume> Volume { get; init; } = new();

    /// <summary>--env NAME=VALUE.</summary>
    public Dictionary<string, string> Env { get; init; } = new(StringComparer.Ordinal);

    /// <summary>--workdir.</summary>
    public string? Workdir { get; set; }

    /// <summary>--user NAME|UID[:GID].</summary>
    public string? User { get; set; }

    /// <summary>--platform, e.g. linux/amd64 (an Apple Silicon Mac runs amd64 images under emulation).</summary>
    public string? Platform { get; set; }

    public string? Entrypoint { get; set; }
    public string? Network { get; set; }

    /// <summary>--init: an init process as PID 1 that reaps zombies and forwards signals.</summary>
    public bool Init { get; set; }

    /// <summary>--userns, e.g. keep-id (rootless podman: the caller's uid inside is the caller's uid outside).</summary>
    public string? Userns { get; set; }

    /// <summary>--label NAME=VALUE.</summary>
    public Dictionary<string, string> Label { get; init; } = new(StringComparer.Ordinal);

    /// <summary>A shallow copy (the lists are shared): for changing a flag or the name without changing the caller's settings.</summary>
    public DockerContainerRunSettings ShallowCopy() => (DockerContainerRunSettings)MemberwiseClone();
}

/// <summary>docker exec [options] CONTAINER COMMAND [ARG...].</summary>
public sealed class DockerContainerExecSettings
{
    public bool Detach { get; set; }
    public bool Interactive { get; set; }
    public bool Tty { get; set; }
    public Dictionary<string, string> Env { get; init; } = new(StringComparer.Ordinal);
    public string? Workdir { get; set; }
    public string? User { get; set; }
    public bool Privileged { get; set; }
}

/// <summary>docker rm [options] CONTAINER...</summary>
public sealed class DockerContainerRmSettings
{
    /// <summary>--force: stop a running container first.</summary>
    public bool Force { get; set; }

    /// <summary>--volumes: remove the container's anonymous volumes too.</summary>
    public bool Volumes { get; set; }
}
