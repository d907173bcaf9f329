using Cake.Docker;
using Crossboard.Machine;

namespace Crossboard.Container;

/// <summary>How one <see cref="ProcessSpec"/> is run in the builder container (for tests and messages).</summary>
public sealed record ContainerInvocation(DockerContainerRunSettings Settings, string Command, IReadOnlyList<string> Arguments);

/// <summary>
/// Runs a stage's commands (git, make, cargo) inside the builder container instead of on this
/// machine. Each command is one `docker run --rm` of the builder image with the work dir, the app,
/// cargo's home (its registry cache) and any other <see cref="Mounts"/> mounted at the SAME absolute
/// paths, so a <see cref="ProcessSpec"/>'s paths mean the same in both places and what a stage
/// builds in the container is found where it expects it. It runs as the calling user's uid:gid,
/// so the files it writes into those mounts are the caller's, not root's.
/// </summary>
public sealed class ContainerCommandRunner : ICommandRunner
{
    // Host directories a mount must never hide inside the container: the image's own system.
    private static readonly string[] ImageSystemDirs = ["/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/opt/cargo", "/opt/rustup", "/proc", "/sbin", "/sys", "/usr"];

    private IReadOnlyList<string>? _imagePath;

    /// <param name="client">The docker CLI and engine.</param>
    /// <param name="image">The builder image (BuilderImage's tag).</param>
    /// <param name="mounts">Host directories to mount at the same path (nested ones are covered by their parent).</param>
    /// <param name="user">Who to run as; null leaves the image's user (Windows hosts, where docker maps ownership).</param>
    /// <param name="home">HOME inside the container: a caller-owned directory under a mount (git and cargo write there).</param>
    /// <param name="cargoHome">CARGO_HOME inside the container (mounted; its registry cache is shared with the host's cargo).</param>
    public ContainerCommandRunner(DockerClient client, string image, IEnumerable<string> mounts, HostUser? user, string home, string? cargoHome = null)
    {
        Client = client;
        Image = image;
        Mounts = NormalizeMounts([.. mounts, home, .. cargoHome is null ? Array.Empty<string>() : [cargoHome]]);
        User = user;
        Home = Full(home);
        CargoHome = cargoHome is null ? null : Full(cargoHome);
    }

    /// <summary>
    /// The runner the build's stages use: the work dir (SDKs, toolchains, download cache), the app,
    /// cargo's home and any <paramref name="extraMounts"/> mounted; HOME in the work dir; the caller's uid:gid.
    /// </summary>
    public static ContainerCommandRunner ForBuild(DockerClient client, string image, string workDir, string appDir, string cargoHome, IEnumerable<string>? extraMounts = null) =>
        new(client, image, [workDir, appDir, .. extraMounts ?? []], HostUser.Current, Path.Combine(workDir, "docker", "home"), cargoHome);

    public DockerClient Client { get; }
    public string Image { get; }
    public IReadOnlyList<string> Mounts { get; }
    public HostUser? User { get; }
    public string Home { get; }
    public string? CargoHome { get; }

    public async Task<ProcessResult> RunAsync(ProcessSpec spec, CancellationToken cancellation = default)
    {
        // Made here, by the caller, so that they are the caller's (docker would create a missing
        // mount source as root).
        foreach (var mount in Mounts)
        {
            Directory.CreateDirectory(mount);
        }

        var name = "crossboard-" + Guid.NewGuid().ToString("N")[..12];
        var invocation = Translate(spec, name);
        var io = new DockerIo(spec.OnLine, spec.LogFile, spec.StandardInput, spec.Timeout);
        // The client removes the named container when the run is stopped (timeout, Ctrl+C).
        return await Client.RunAsync(invocation.Settings, Image, invocation.Command, invocation.Arguments, io, cancellation);
    }

    /// <summary>The docker run settings and command for <paramref name="spec"/>.</summary>
    public ContainerInvocation Translate(ProcessSpec spec, string containerName)
    {
        var settings = new DockerContainerRunSettings
        {
            Name = containerName,
            Rm = true,
            Interactive = spec.StandardInput is not null,
            User = User?.ToString(),
            // Rootless podman maps the caller to root inside unless told to keep the caller's id.
            Userns = Client.Kind == DockerCliKind.Podman && Client.DockerHost is null && User is { IsRoot: false } ? "keep-id" : null,
            Volume = Mounts.Select(m => DockerVolume.SamePath(m)).ToList(),
            Label = { ["crossboard"] = "builder-run" },
        };

        if (spec.WorkingDirectory is { } workDir)
        {
            var full = Full(workDir);
            if (!Mounts.Any(m => IsUnder(full, m)))
            {
                throw new CrossboardException(
                    $"'{spec}' runs in {full}, which the builder container does not see (it mounts only {string.Join(", ", Mounts)}). " +
                    "Keep the SDK, caches and the app under --work-dir or --app.");
            }

            settings.Workdir = full;
        }

        settings.Env["HOME"] = Home;
        if (CargoHome is not null)
        {
            settings.Env["CARGO_HOME"] = CargoHome;
        }

        var unset = new List<string>();
        foreach (var (key, value) in spec.Environment)
        {
            if (value is null)
            {
                settings.Env.Remove(key);
                unset.Add(key);
            }
            else if (key == "PATH")
            {
                settings.Env["PATH"] = ContainerPath(value);
            }
            else
            {
                settings.Env[key] = value;
            }
        }

        // docker run cannot remove a variable the image sets; env -u can.
        return unset.Count == 0
            ? new ContainerInvocation(settings, spec.FileName, spec.Arguments.ToList())
            : new ContainerInvocation(settings, "env", [.. unset.SelectMany(k => new[] { "-u", k }), spec.FileName, .. spec.Arguments]);
    }

    /// <summary>
    /// A stage's PATH, as the container should see it: entries under the mounts (a toolchain's
    /// bin/ in the work dir) first, then the image's own PATH. Other host entries (and cargo's
    /// bin/, which holds host programs) name nothing usable inside the container.
    /// </summary>
    public string ContainerPath(string hostPath)
    {
        var mounted = hostPath.Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Where(e => Path.IsPathFullyQualified(e) && Mounts.Any(m => IsUnder(Full(e), m)))
            .Where(e => CargoHome is null || !IsUnder(Full(e), CargoHome));
        return string.Join(':', mounted.Concat(ImagePath).Distinct(StringComparer.Ordinal));
    }

    /// <summary>The image's PATH (read once from the image).</summary>
    public IReadOnlyList<string> ImagePath => _imagePath ??=
        (Client.ImageEnvironment(Image).TryGetValue("PATH", out var path) ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
        .Split(':', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Full paths, without those inside another; refuses paths that would hide the image's own system.</summary>
    public static IReadOnlyList<string> NormalizeMounts(IEnumerable<string> paths)
    {
        var result = new List<string>();
        foreach (var path in paths.Select(Full).Distinct(StringComparer.Ordinal).OrderBy(p => p.Length))
        {
            if (path == "/" || ImageSystemDirs.Any(system => IsUnder(path, system)))
            {
                throw new CrossboardException(
                    $"{path} cannot be mounted into the builder container at the same path: it would hide the image's own {(path == "/" ? "/" : ImageSystemDirs.First(s => IsUnder(path, s)))}. " +
                    "Use a --work-dir (and --app) under your home directory or /var/tmp.");
            }

            if (!result.Any(parent => IsUnder(path, parent)))
            {
                result.Add(path);
            }
        }

        return result;
    }

    public static bool IsUnder(string path, string root) =>
        path == root || path.StartsWith(root.EndsWith('/') ? root : root + "/", StringComparison.Ordinal);

    private static string Full(string path) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
}
