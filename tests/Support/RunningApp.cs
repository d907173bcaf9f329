using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace Crossboard.Tests.Support;

/// <summary>
/// A built binary running under qemu-user (the runner ConfigureCargo wrote) on 127.0.0.1 with a
/// port the app picks itself (--listen 127.0.0.1:0) and reports on stderr: no port races.
/// </summary>
public sealed partial class RunningApp : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _stderr = new();
    private readonly TaskCompletionSource<int> _port = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private RunningApp(Process process)
    {
        _process = process;
    }

    public string Output
    {
        get
        {
            lock (_stderr)
            {
                return string.Join('\n', _stderr);
            }
        }
    }

    public int Port { get; private set; }

    /// <summary>Starts <c>runner... binary args...</c> and waits for the "listening on" line.</summary>
    public static async Task<RunningApp> StartAsync(IReadOnlyList<string> runner, string binary, params string[] args)
    {
        var info = new ProcessStartInfo(runner[0]) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in runner.Skip(1).Append(binary).Concat(args))
        {
            info.ArgumentList.Add(arg);
        }

        var app = new RunningApp(new Process { StartInfo = info, EnableRaisingEvents = true });
        app._process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                app._port.TrySetException(new InvalidOperationException("the app closed stderr before listening: " + app.Output));
                return;
            }

            lock (app._stderr)
            {
                app._stderr.Add(e.Data);
            }

            if (Listening().Match(e.Data) is { Success: true } match)
            {
                app._port.TrySetResult(int.Parse(match.Groups[1].Value));
            }
        };
        app._process.Start();
        app._process.BeginErrorReadLine();
        app._process.BeginOutputReadLine();
        app.Port = await app._port.Task.WaitAsync(TimeSpan.FromSeconds(60));
        return app;
    }

    public async Task<(int Status, string Body)> GetAsync(string path)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var response = await client.GetAsync($"http://127.0.0.1:{Port}{path}");
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public const int SigInt = 2;
    public const int SigTerm = 15;

    /// <summary>Sends SIGTERM (what procd/systemd send) or another signal and returns the exit code.</summary>
    public async Task<int> TerminateAsync(int signal = SigTerm)
    {
        Assert.Equal(0, kill(_process.Id, signal));
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        _process.WaitForExit(); // drain the redirected streams
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    [GeneratedRegex(@"listening on http://127\.0\.0\.1:(\d+)")]
    private static partial Regex Listening();

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
