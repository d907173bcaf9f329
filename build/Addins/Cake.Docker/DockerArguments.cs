using Cake.Docker;
using Crossboard;
using Crossboard.Machine;

namespace Cake.Docker;

/// <summary>
/// Renders the typed settings as the docker CLI's argument list: one list element per argument,
/// so a path with spaces or a value with quotes reaches docker exactly as given. Values docker
/// itself would misread (a relative volume source, a colon in a bind path, a name with '=') are
/// refused here with a message that says why.
/// </summary>
public static class DockerArguments
{
    public static List<string> Build(DockerImageBuildSettings settings, string contextPath)
    {
        var args = new List<string> { "build" };
        foreach (var tag in settings.Tag)
        {
            args.Add("--tag");
            args.Add(NotEmpty(tag, "--tag"));
        }

        Option(args, "--file", settings.File);
        Pairs(args, "--build-arg", settings.BuildArg);
        Pairs(args, "--label", settings.Label);
        Option(args, "--platform", settings.Platform);
        Option(args, "--network", settings.Network);
        Option(args, "--target", settings.Target);
        Flag(args, "--pull", settings.Pull);
        Flag(args, "--no-cache", settings.NoCache);
        Flag(args, "--force-rm", settings.ForceRm);
        Flag(args, "--quiet", settings.Quiet);
        args.Add(NotEmpty(contextPath, "the build context"));
        return args;
    }

    public static List<string> Run(DockerContainerRunSettings settings, string image, string? command = null, IEnumerable<string>? commandArgs = null)
    {
        var args = new List<string> { "run" };
        Option(args, "--name", settings.Name);
        Flag(args, "--rm", settings.Rm);
        Flag(args, "--detach", settings.Detach);
        Flag(args, "--interactive", settings.Interactive);
        Flag(args, "--tty", settings.Tty);
        Flag(args, "--init", settings.Init);
        Option(args, "--user", settings.User);
        Option(args, "--userns", settings.Userns);
        Option(args, "--platform", settings.Platform);
        Option(args, "--network", settings.Network);
        Option(args, "--entrypoint", settings.Entrypoint);
        Option(args, "--workdir", settings.Workdir);
        foreach (var volume in settings.Volume)
        {
            args.Add("--volume");
            args.Add(Volume(volume));
        }

        Pairs(args, "--env", settings.Env);
        Pairs(args, "--label", settings.Label);
        args.Add(NotEmpty(image, "the image"));
        AddCommand(args, command, commandArgs);
        return args;
    }

    public static List<string> Exec(DockerContainerExecSettings settings, string container, string command, IEnumerable<string>? commandArgs = null)
    {
        var args = new List<string> { "exec" };
        Flag(args, "--detach", settings.Detach);
        Flag(args, "--interactive", settings.Interactive);
        Flag(args, "--tty", settings.Tty);
        Flag(args, "--privileged", settings.Privileged);
        Option(args, "--user", settings.User);
        Option(args, "--workdir", settings.Workdir);
        Pairs(args, "--env", settings.Env);
        args.Add(NotEmpty(container, "the container"));
        AddCommand(args, NotEmpty(command, "the command"), commandArgs);
        return args;
    }

    public static List<string> Rm(DockerContainerRmSettings settings, IEnumerable<string> containers)
    {
        var args = new List<string> { "rm" };
        Flag(args, "--force", settings.Force);
        Flag(args, "--volumes", settings.Volumes);
        var names = containers.ToList();
        if (names.Count == 0)
        {
            throw new ArgumentException("docker rm needs at least one container name or id.", nameof(containers));
        }

        args.AddRange(names.Select(n => NotEmpty(n, "a container name")));
        return args;
    }

    /// <summary>SOURCE:TARGET[:ro], after checking docker will read it as a bind mount of exactly those paths.</summary>
    public static string Volume(DockerVolume volume)
    {
        CheckBindPath(volume.Source, "host");
        CheckBindPath(volume.Target, "container");
        return $"{volume.Source}:{volume.Target}{(volume.ReadOnly ? ":ro" : "")}";
    }

    private static void CheckBindPath(string path, string side)
    {
        if (!Path.IsPathFullyQualified(path) || (side == "container" && !path.StartsWith('/')))
        {
            // docker reads `-v data:/x` as a named volume called "data", not as the folder ./data.
            throw new CrossboardException(
                $"Cannot mount '{path}' into the container: the {side} path must be absolute (docker reads a relative one as the name of a volume).");
        }

        // A drive letter (C:\...) is the only colon docker's -v syntax understands.
        var rest = OperatingSystem.IsWindows() && side == "host" && path.Length > 2 && path[1] == ':' ? path[2..] : path;
        if (rest.Contains(':'))
        {
            throw new CrossboardException(
                $"Cannot mount '{path}' into the container: docker's volume syntax separates paths with ':', so a path containing ':' cannot be mounted. Move it (or pick a --work-dir / --app) to a path without ':'.");
        }
    }

    private static void AddCommand(List<string> args, string? command, IEnumerable<string>? commandArgs)
    {
        if (command is null)
        {
            if (commandArgs?.Any() == true)
            {
                throw new ArgumentException("Arguments were given without a command.", nameof(commandArgs));
            }

            return;
        }

        args.Add(command);
        args.AddRange(commandArgs ?? []);
    }

    private static void Option(List<string> args, string name, string? value)
    {
        if (value is null)
        {
            return;
        }

        args.Add(name);
        args.Add(NotEmpty(value, name));
    }

    private static void Flag(List<string> args, string name, bool on)
    {
        if (on)
        {
            args.Add(name);
        }
    }

    private static void Pairs(List<string> args, string option, IDictionary<string, string> pairs)
    {
        foreach (var (key, value) in pairs.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            // The CLI splits NAME=VALUE at the first '=': a name with '=' (or none) would be misread.
            if (key.Length == 0 || key.Contains('=') || key.Any(char.IsWhiteSpace))
            {
                throw new CrossboardException($"'{key}' is not a valid name for {option} (it must be non-empty, without '=' or spaces).");
            }

            args.Add(option);
            args.Add($"{key}={value}");
        }
    }

    private static string NotEmpty(string value, string what) =>
        value.Length > 0 ? value : throw new ArgumentException($"{what} must not be empty.");
}
