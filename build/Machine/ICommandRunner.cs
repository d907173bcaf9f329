namespace Crossboard.Machine;

/// <summary>
/// Where a stage's commands (git, make, cargo) run: on this machine, or (with --docker) inside
/// the builder container, which mounts the work dir and the app at the same absolute paths so
/// that a <see cref="ProcessSpec"/> means the same in both places.
/// </summary>
public interface ICommandRunner
{
    Task<ProcessResult> RunAsync(ProcessSpec spec, CancellationToken cancellation = default);
}

public static class CommandRunnerExtensions
{
    public static ProcessResult Run(this ICommandRunner runner, ProcessSpec spec, CancellationToken cancellation = default) =>
        runner.RunAsync(spec, cancellation).GetAwaiter().GetResult();

    /// <summary>Runs and throws a <see cref="CrossboardException"/> (command, output tail, log path) on a non-zero exit.</summary>
    public static ProcessResult RunChecked(this ICommandRunner runner, ProcessSpec spec, string whatFailed, CancellationToken cancellation = default)
    {
        var result = runner.Run(spec, cancellation);
        return result.Succeeded ? result : throw ProcessRunner.Failure(spec, result, whatFailed);
    }
}

/// <summary>Runs commands on this machine.</summary>
public sealed class LocalCommandRunner : ICommandRunner
{
    public static readonly LocalCommandRunner Instance = new();

    public Task<ProcessResult> RunAsync(ProcessSpec spec, CancellationToken cancellation = default) =>
        ProcessRunner.RunAsync(spec, cancellation);
}
