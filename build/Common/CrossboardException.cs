namespace Crossboard;

/// <summary>
/// A failure users can act on: the message says what is wrong and what to do, and is all that is
/// printed (no stack trace). <see cref="LogPath"/> points at the full log of a long step.
/// </summary>
public class CrossboardException(string message, string? logPath = null, Exception? inner = null)
    : Exception(logPath is null ? message : $"{message}{Environment.NewLine}Full log: {logPath}", inner)
{
    public string? LogPath { get; } = logPath;
}
