using Crossboard.Machine;

namespace Crossboard.Deploy;

/// <summary>
/// The log of one device's deploy: every message goes to the build log (prefixed with the device's
/// name when several devices run at once) and, with details, to a file whose path failures print.
/// </summary>
public sealed class DeviceLog : IBuildLog, IDisposable
{
    private readonly IBuildLog _inner;
    private readonly string _prefix;
    private readonly StreamWriter? _file;
    private readonly object _gate = new();
    private bool _closed;

    public DeviceLog(IBuildLog inner, string? prefix, string? logFile)
    {
        _inner = inner;
        _prefix = prefix is null ? "" : $"[{prefix}] ";
        LogFile = logFile;
        if (logFile is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(logFile))!);
            _file = new StreamWriter(logFile, append: false) { AutoFlush = true };
        }
    }

    public string? LogFile { get; }

    /// <summary>Values never written (the app's environment: a database URL may hold a password): each is replaced by *** in every message and detail.</summary>
    public IReadOnlyList<string> Secrets { get; init; } = [];

    private string Mask(string message) => AppLaunch.Mask(message, Secrets);

    public void Information(string message)
    {
        message = Mask(message);
        _inner.Information(_prefix + message);
        Write("info", message);
    }

    public void Verbose(string message)
    {
        message = Mask(message);
        _inner.Verbose(_prefix + message);
        Write("verbose", message);
    }

    public void Warning(string message)
    {
        message = Mask(message);
        _inner.Warning(_prefix + message);
        Write("warning", message);
    }

    /// <summary>Only to the file: remote commands and their output, too much for the console.</summary>
    public void Detail(string message) => Write("detail", Mask(message));

    public void Dispose()
    {
        lock (_gate)
        {
            _closed = true;
            _file?.Dispose();
        }
    }

    private void Write(string level, string message)
    {
        if (_file is null)
        {
            return;
        }

        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            _file.WriteLine($"{DateTime.Now:HH:mm:ss.fff} {level,-7} {message}");
        }
    }

    /// <summary>A file name for a device: what the user called it, with anything unsafe replaced.</summary>
    public static string FileNameFor(string device) =>
        new string(device.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_').ToArray()) + ".log";
}
