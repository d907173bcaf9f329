namespace Crossboard;

/// <summary>
/// How the stage services (which know nothing of Cake) talk to the user. Tasks pass
/// <see cref="CakeBuildLog"/>; tests pass a <see cref="RecordingBuildLog"/>.
/// </summary>
public interface IBuildLog
{
    void Information(string message);
    void Verbose(string message);
    void Warning(string message);
}

/// <summary>Collects messages (tests assert on them; nothing is printed).</summary>
public sealed class RecordingBuildLog : IBuildLog
{
    private readonly List<string> _lines = new();

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return _lines.ToList();
            }
        }
    }

    public string Text => string.Join(Environment.NewLine, Lines);

    public void Information(string message) => Add(message);
    public void Verbose(string message) => Add("[verbose] " + message);
    public void Warning(string message) => Add("[warning] " + message);

    private void Add(string line)
    {
        lock (_lines)
        {
            _lines.Add(line);
        }
    }
}
