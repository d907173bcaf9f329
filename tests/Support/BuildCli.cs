using Crossboard.Machine;

namespace Crossboard.Tests.Support;

/// <summary>Runs the real build program as users do (a separate process), without colour.</summary>
public static class BuildCli
{
    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public string All => Output + Error;
    }

    /// <param name="umask">Run the program with this umask (octal, e.g. "077"), as a user whose shell sets it.</param>
    public static Result Run(IEnumerable<string> args, IDictionary<string, string?>? environment = null, TimeSpan? timeout = null, string? umask = null)
    {
        // dotnet by full path: a test may hand the program a PATH without it.
        string[] command = umask is null
            ? [Dotnet, RepoPaths.BuildDll, .. args]
            : ["/bin/sh", "-c", $"umask {umask} && exec \"$0\" \"$@\"", Dotnet, RepoPaths.BuildDll, .. args];
        var spec = new ProcessSpec(command[0], command[1..])
        {
            WorkingDirectory = RepoPaths.Root,
            Timeout = timeout ?? TimeSpan.FromMinutes(10),
        };
        spec.Environment["NO_COLOR"] = "1";

        // Not under the CI this test run may itself run under: its groups and error records would
        // change the text the tests compare. A test that wants one sets its variables.
        foreach (var variable in CiVariables)
        {
            spec.Environment[variable] = null;
        }

        spec.Environment["CROSSBOARD_ROOT"] = RepoPaths.Root;
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            spec.Environment[key] = value;
        }

        var result = ProcessRunner.Run(spec);
        return new Result(result.ExitCode, result.StandardOutput, result.StandardError);
    }

    public static Result Run(params string[] args) => Run((IEnumerable<string>)args);

    /// <summary>The command line that runs the build program, for a shell (e.g. on a pseudo-terminal).</summary>
    public static string CommandLine(params string[] args) =>
        string.Join(' ', new[] { Dotnet, RepoPaths.BuildDll }.Concat(args).Select(ProcessSpec.ShellQuote));

    /// <summary>What makes the program write for a CI system (GitHub Actions, Azure Pipelines, GitLab CI, as Cake detects them).</summary>
    public static readonly string[] CiVariables = ["GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "TF_BUILD", "CI_SERVER", "GITLAB_CI"];

    private static readonly string Dotnet = ProcessRunner.Which("dotnet") ?? "dotnet";
}
