using Crossboard.Host;

namespace Crossboard.Tests.Support;

/// <summary>Runs the real build program as users do (a separate process), without colour.</summary>
public static class BuildCli
{
    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public string All => Output + Error;
    }

    public static Result Run(IEnumerable<string> args, IDictionary<string, string?>? environment = null, TimeSpan? timeout = null)
    {
        // dotnet by full path: a test may hand the program a PATH without it.
        var spec = new ProcessSpec(Dotnet, [RepoPaths.BuildDll, .. args])
        {
            WorkingDirectory = RepoPaths.Root,
            Timeout = timeout ?? TimeSpan.FromMinutes(10),
        };
        spec.Environment["NO_COLOR"] = "1";
        spec.Environment["CROSSBOARD_ROOT"] = RepoPaths.Root;
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            spec.Environment[key] = value;
        }

        var result = ProcessRunner.Run(spec);
        return new Result(result.ExitCode, result.StandardOutput, result.StandardError);
    }

    public static Result Run(params string[] args) => Run((IEnumerable<string>)args);

    private static readonly string Dotnet = ProcessRunner.Which("dotnet") ?? "dotnet";
}
