using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Crossboard.Tests.Toolchains;

/// <summary>
/// A real HTTP server (python3 -m http.server) serving a folder on 127.0.0.1 at a free port, and
/// the requests it answered (its access log), so tests can tell whether a run used the network.
/// </summary>
public sealed class StaticHttpServer : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _requests = new();

    public StaticHttpServer(string root)
    {
        _process = Process.Start(new ProcessStartInfo("python3", ["-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", root])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        var port = new TaskCompletionSource<int>();
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line && Regex.Match(line, @"port (\d+)") is { Success: true } m)
            {
                port.TrySetResult(int.Parse(m.Groups[1].Value));
            }
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line && Regex.Match(line, "\"GET (\\S+) HTTP") is { Success: true } m)
            {
                lock (_requests)
                {
                    _requests.Add(m.Groups[1].Value);
                }
            }
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        if (!port.Task.Wait(TimeSpan.FromSeconds(30)))
        {
            Dispose();
            throw new InvalidOperationException("python3 -m http.server did not start");
        }

        Url = $"http://127.0.0.1:{port.Task.Result}";
    }

    public string Url { get; }

    public IReadOnlyList<string> Requests
    {
        get
        {
            lock (_requests)
            {
                return _requests.ToList();
            }
        }
    }

    public void Dispose()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }
}
