namespace Crossboard;

/// <summary>
/// A failure users can act on: the message says what is wrong and what to do, and is all that is
/// printed (no stack trace). <see cref="LogPath"/> points at the full log of a long step.
/// </summary>
public class CrossboardException(string message, string? logPath = null, Exception? inner = null)
    : Exception(logPath is null ? message : $"{message}{Environment.NewLine}Full log: {logPath}", inner)
{
    public string? LogPath { get; } = logPath;

    /// <summary>
    /// The failure's problems that are at a place in a file (a compiler error in the app's source),
    /// when it knows them: a CI shows each at its place. The message says them too.
    /// </summary>
    public IReadOnlyList<SourceProblem> Problems { get; init; } = [];
}

/// <summary>A problem at a place in a file: 1-based line and column, and what is wrong there.</summary>
public sealed record SourceProblem(string File, int Line, int Column, string Message);

/// <summary>
/// Bad input: a switch, a recipe or a fleet file, a name on the command line, a binary given with
/// --artifact. Fixing the input is the remedy; the run exits with <see cref="ExitCodes.BadInput"/>.
/// </summary>
public class InputException(string message, Exception? inner = null) : CrossboardException(message, null, inner);

/// <summary>
/// A device failed: it could not be resolved, reached or logged in to, or the deploy or rollback
/// failed on it (a fleet: on any of them). The run exits with <see cref="ExitCodes.DeviceFailed"/>.
/// </summary>
public class DeviceException(string message, string? logPath = null, Exception? inner = null) : CrossboardException(message, logPath, inner);
