using System.Security.Cryptography;
using System.Text;
using Cake.Docker;
using Crossboard.Machine;

namespace Crossboard.Container;

/// <summary>
/// The builder image's definition: the folder with its Dockerfile (docker/builder) and the build
/// arguments. Its tag is a hash of all of that, so an image with the tag was built from exactly
/// this definition, and a changed definition gets a new tag (and a build).
/// </summary>
public sealed record BuilderImageDefinition(string Directory, string BaseImage = BuilderImageDefinition.DefaultBaseImage, string RustFrom = "debian")
{
    public const string Repository = "crossboard-builder";
    public const string DefaultBaseImage = "debian:bookworm";

    public string Dockerfile => Path.Combine(Directory, "Dockerfile");

    public IReadOnlyDictionary<string, string> BuildArgs => new SortedDictionary<string, string>(StringComparer.Ordinal)
    {
        ["BASE_IMAGE"] = BaseImage,
        ["RUST_FROM"] = RustFrom,
    };

    /// <summary>The first 16 hex digits of a SHA-256 over every file of the folder (path and bytes) and the build arguments.</summary>
    public string Hash
    {
        get
        {
            if (!File.Exists(Dockerfile))
            {
                throw new CrossboardException($"The builder image definition {Dockerfile} is missing. Restore it from git (git checkout -- docker/builder).");
            }

            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var files = System.IO.Directory.EnumerateFiles(Directory, "*", SearchOption.AllDirectories)
                .Select(f => (Relative: Path.GetRelativePath(Directory, f).Replace('\\', '/'), Full: f))
                .OrderBy(f => f.Relative, StringComparer.Ordinal);
            foreach (var (relative, full) in files)
            {
                var bytes = File.ReadAllBytes(full);
                sha.AppendData(Encoding.UTF8.GetBytes($"file\0{relative}\0{bytes.Length}\0"));
                sha.AppendData(bytes);
            }

            foreach (var (key, value) in BuildArgs)
            {
                sha.AppendData(Encoding.UTF8.GetBytes($"arg\0{key}\0{value}\0"));
            }

            return Convert.ToHexStringLower(sha.GetHashAndReset())[..16];
        }
    }

    public string Tag => $"{Repository}:{Hash}";
}

/// <summary>The builder image ready to use, and whether this run had to build it.</summary>
public sealed record BuilderImageResult(string Tag, bool Built, string? LogFile);

/// <summary>Builds the builder image when no image has its definition's tag yet.</summary>
public static class BuilderImageService
{
    public static BuilderImageResult Ensure(DockerClient client, BuilderImageDefinition definition, string workDir, IBuildLog log, CancellationToken cancellation = default)
    {
        var hash = definition.Hash;
        var tag = $"{BuilderImageDefinition.Repository}:{hash}";
        var version = client.EnsureEngine();
        log.Verbose($"Container engine {version} at {client.EngineDescription}");

        // Two runs on one work dir build once: the second waits and then finds the tag.
        using var workLock = WorkDirLock.Acquire(Path.Combine(workDir, "docker"), "builds the builder image", TimeSpan.FromMinutes(30), log.Information);
        if (client.ImageExists(tag))
        {
            log.Information($"Builder image {tag} is up to date (its definition {definition.Directory} has not changed).");
            return new BuilderImageResult(tag, false, null);
        }

        var logFile = Path.Combine(workDir, "logs", $"builder-image-{hash}.log");
        Directory.CreateDirectory(Path.GetDirectoryName(logFile)!);
        File.Delete(logFile);
        var baseIsLocal = client.ImageExists(definition.BaseImage);
        log.Information($"Building the builder image {tag} from {definition.Directory} on {definition.BaseImage} (a few minutes, once); log: {logFile}");

        var settings = new DockerImageBuildSettings
        {
            Tag = { tag },
            File = definition.Dockerfile,
            ForceRm = true,
            Label = { ["crossboard.definition"] = hash },
        };
        foreach (var (key, value) in definition.BuildArgs)
        {
            settings.BuildArg[key] = value;
        }

        var io = new DockerIo(OnLine: line => Progress(line, log), LogFile: logFile, Timeout: TimeSpan.FromMinutes(60));
        try
        {
            client.Build(settings, definition.Directory, io, cancellation);
        }
        catch (CrossboardException ex) when (!baseIsLocal)
        {
            throw new CrossboardException(
                WithoutLogLine(ex) + Environment.NewLine +
                $"The base image {definition.BaseImage} is not on this machine, so the engine had to pull it. Where no registry is reachable, make a local one " +
                "(debootstrap --variant=minbase bookworm rootfs && tar -C rootfs -c . | docker import - local/bookworm) and pass --docker-base=local/bookworm.",
                logFile);
        }

        if (!client.ImageExists(tag))
        {
            throw new CrossboardException($"The build of {tag} reported success, but the engine has no image with that tag.", logFile);
        }

        log.Information($"Builder image {tag} built.");
        return new BuilderImageResult(tag, true, logFile);
    }

    private static string WithoutLogLine(CrossboardException ex) =>
        ex.LogPath is null ? ex.Message : ex.Message.Replace($"{Environment.NewLine}Full log: {ex.LogPath}", "");

    // The build's steps are its progress; the rest (apt's output) goes to the log and --verbosity=verbose.
    private static void Progress(string line, IBuildLog log)
    {
        if (line.StartsWith("STEP ", StringComparison.Ordinal) || line.StartsWith("Step ", StringComparison.Ordinal))
        {
            // A RUN step is a long shell line: its start is enough to follow along.
            var step = string.Join(' ', line.Split(' ', StringSplitOptions.RemoveEmptyEntries));
            log.Information("  " + (step.Length > 110 ? step[..110] + " ..." : step));
        }
        else
        {
            log.Verbose(line);
        }
    }
}
