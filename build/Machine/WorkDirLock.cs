namespace Crossboard.Machine;

/// <summary>
/// An exclusive lock on a folder of the work dir (an SDK, a toolchain, the device image), held
/// for as long as the object lives: two runs on the same work dir must not build into the same
/// tree at once. The OS releases it when the process dies, so a crash leaves no stale lock.
/// </summary>
public sealed class WorkDirLock : IDisposable
{
    private readonly FileStream _stream;

    private WorkDirLock(FileStream stream, string path)
    {
        _stream = stream;
        Path = path;
    }

    public string Path { get; }

    /// <summary>Takes the lock on <paramref name="dir"/>, waiting up to <paramref name="wait"/> for another run to finish.</summary>
    public static WorkDirLock Acquire(string dir, string purpose, TimeSpan wait, Action<string>? log = null)
    {
        Directory.CreateDirectory(dir);
        var path = System.IO.Path.Combine(dir, ".crossboard.lock");
        var deadline = DateTime.UtcNow + wait;
        var told = false;
        while (true)
        {
            try
            {
                var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                stream.SetLength(0);
                var owner = System.Text.Encoding.UTF8.GetBytes($"{Environment.ProcessId} {purpose} {DateTime.UtcNow:O}\n");
                stream.Write(owner);
                stream.Flush();
                return new WorkDirLock(stream, path);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                if (!told)
                {
                    log?.Invoke($"Waiting for another crossboard run that holds {path} ({Owner(path)})");
                    told = true;
                }

                Thread.Sleep(500);
            }
            catch (IOException)
            {
                throw new CrossboardException(
                    $"Another crossboard run is using {dir} ({Owner(path)}). Wait for it to finish, or use another --work-dir.");
            }
        }
    }

    public void Dispose() => _stream.Dispose();

    private static string Owner(string path)
    {
        try
        {
            using var reader = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var text = new StreamReader(reader);
            var parts = text.ReadToEnd().Trim().Split(' ', 3);
            return parts.Length >= 2 ? $"PID {parts[0]}, {parts[1]}" : "unknown owner";
        }
        catch (IOException)
        {
            return "owner unknown";
        }
    }
}
