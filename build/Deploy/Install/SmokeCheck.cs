using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Crossboard.Machine;

namespace Crossboard.Deploy;

/// <summary>
/// The check that ends a deploy: the URL the recipe (smoke-url) or --smoke-url names answers, and
/// its body contains the expected text, within a timeout. "{host}" becomes the device's address,
/// and the URL's port is mapped through <see cref="DeviceTarget.Reach"/> (the emulator forwards
/// device ports to free local ones). http(s):// is fetched with GET; tcp://host:port only has to
/// accept a connection.
/// </summary>
public static class SmokeCheck
{
    /// <summary>The URL to check for a device: the template with {host} filled in and the port made reachable.</summary>
    public static Uri Resolve(string template, DeviceTarget target)
    {
        var host = target.Host.Contains(':') ? $"[{target.Host}]" : target.Host;
        var uri = Validate(template, "the recipe's smoke-url or --smoke-url", host);
        var devicePort = uri.IsDefaultPort ? (uri.Scheme == "https" ? 443 : 80) : uri.Port;
        var reachable = target.Reach(devicePort);
        return reachable == devicePort && !uri.IsDefaultPort ? uri : new UriBuilder(uri) { Port = reachable }.Uri;
    }

    /// <summary>
    /// Checks that the template is an http://, https:// or tcp:// URL once {host} is filled in
    /// (the build context checks --smoke-url with a stand-in host before anything runs).
    /// </summary>
    /// <param name="source">Where the template came from, for the message.</param>
    public static Uri Validate(string template, string source, string host = "device")
    {
        var text = template.Replace("{host}", host, StringComparison.Ordinal);
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https" or "tcp") || (uri.Scheme == "tcp" && uri.IsDefaultPort))
        {
            throw new CrossboardException(
                $"The smoke check URL '{template}' (from {source}) is not an http://, https:// or tcp://HOST:PORT URL. Example: http://{{host}}:8000/text, or 'none' for no check.");
        }

        return uri;
    }

    /// <summary>Polls until the check passes; throws with what was last seen when the timeout ends.</summary>
    /// <returns>One line for the log (the table's short form is <see cref="Short"/>).</returns>
    /// <param name="afterFailure">What the user can do after a failure (depends on what ran before).</param>
    public static string Run(Uri url, string? expect, TimeSpan timeout, CancellationToken cancellation, Func<string>? deviceOutput = null, string? afterFailure = null)
    {
        var watch = Stopwatch.StartNew();
        var last = "no attempt";
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, ConnectTimeout = TimeSpan.FromSeconds(5) })
        {
            Timeout = TimeSpan.FromSeconds(10),
        };
        while (true)
        {
            cancellation.ThrowIfCancellationRequested();
            try
            {
                if (url.Scheme == "tcp")
                {
                    using var client = new TcpClient();
                    client.ConnectAsync(url.Host, url.Port, cancellation).AsTask().Wait(TimeSpan.FromSeconds(5), cancellation);
                    if (client.Connected)
                    {
                        return $"Smoke check passed: {url.Host}:{url.Port} accepts connections ({watch.Elapsed.TotalSeconds:0.0} s).";
                    }

                    last = "the connection did not complete";
                }
                else
                {
                    using var response = http.GetAsync(url, cancellation).GetAwaiter().GetResult();
                    var body = response.Content.ReadAsStringAsync(cancellation).GetAwaiter().GetResult();
                    var ok = response.IsSuccessStatusCode && (string.IsNullOrEmpty(expect) || body.Contains(expect, StringComparison.Ordinal));
                    if (ok)
                    {
                        return $"Smoke check passed: GET {url} answered {(int)response.StatusCode}" +
                            (string.IsNullOrEmpty(expect) ? "" : $" with \"{expect}\"") + $" ({watch.Elapsed.TotalSeconds:0.0} s).";
                    }

                    last = $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}, body \"{Shorten(body)}\"";
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or SocketException or AggregateException or IOException)
            {
                if (cancellation.IsCancellationRequested)
                {
                    throw new OperationCanceledException(cancellation);
                }

                last = (ex is AggregateException a ? a.InnerException ?? a : ex) switch
                {
                    HttpRequestException { InnerException: SocketException s } => s.Message,
                    var e => e.Message,
                };
            }

            if (watch.Elapsed >= timeout)
            {
                var output = deviceOutput?.Invoke() ?? "";
                throw new CrossboardException(
                    $"Smoke check failed: {(url.Scheme == "tcp" ? $"nothing accepted connections on {url.Host}:{url.Port}" : $"GET {url} did not answer" + (string.IsNullOrEmpty(expect) ? " successfully" : $" with \"{expect}\""))} " +
                    $"within {timeout.TotalSeconds:0} s. Last attempt: {last}." +
                    (output.Length > 0 ? Environment.NewLine + "The app's last output on the device:" + Environment.NewLine + Indent(output) : "") +
                    (afterFailure is null ? "" : Environment.NewLine + afterFailure) +
                    Environment.NewLine + "Change the check with --smoke-url=URL / --smoke-expect=TEXT / --smoke-timeout=SECONDS, or skip it with --smoke-url=none.");
            }

            Thread.Sleep(TimeSpan.FromMilliseconds(500));
        }
    }

    /// <summary>
    /// Makes the first smoke check of the process fast: .NET's HTTP stack is slow the first time
    /// it is used (bench/README.md, "The fast path") (types, statics, the connection pool), which a no-op Deploy would pay after
    /// everything else. One request to a throwaway listener on 127.0.0.1, made while the build
    /// runs, pays it early; nothing reaches the device.
    /// </summary>
    /// <returns>Whether the request went through (false changes nothing: the real check reports its own failures).</returns>
    public static Task<bool> WarmUp() => Task.Factory.StartNew(() =>
    {
        try
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            try
            {
                var port = ((IPEndPoint)listener.LocalEndpoint).Port;
                var serve = Serve(listener);
                using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, ConnectTimeout = TimeSpan.FromSeconds(5) }) { Timeout = TimeSpan.FromSeconds(5) };
                using var response = http.GetAsync($"http://127.0.0.1:{port}/").GetAwaiter().GetResult();
                var body = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
                serve.Wait(TimeSpan.FromSeconds(5));
                return response.IsSuccessStatusCode && body == "ok";
            }
            finally
            {
                listener.Stop();
            }
        }
        catch (Exception ex) when (ex is SocketException or IOException or HttpRequestException or TaskCanceledException or AggregateException or ObjectDisposedException)
        {
            // Only a warm-up: the real check reports its own failures.
            return false;
        }
    }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    // LongRunning: a thread of its own. Blocking a thread-pool thread while the build's tasks wait
    // on the pool for process exits stalls them until the pool grows (a second, measured).

    /// <summary>Answers one HTTP request with 200 "ok" (async: it holds no thread while it waits).</summary>
    private static async Task Serve(TcpListener listener)
    {
        using var client = await listener.AcceptTcpClientAsync();
        await using var stream = client.GetStream();
        var request = new List<byte>();
        var buffer = new byte[1024];
        int read;
        while (!EndsWithBlankLine(request) && (read = await stream.ReadAsync(buffer)) > 0)
        {
            request.AddRange(buffer.AsSpan(0, read).ToArray());
        }

        await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"u8.ToArray());
    }

    private static bool EndsWithBlankLine(List<byte> request) =>
        request.Count >= 4 && request[^4] == '\r' && request[^3] == '\n' && request[^2] == '\r' && request[^1] == '\n';

    /// <summary>"smoke check passed (0.4 s)": the fleet table's column, from the line <see cref="Run"/> returned.</summary>
    public static string Short(string line)
    {
        var seconds = System.Text.RegularExpressions.Regex.Match(line, @"\(([\d.]+ s)\)\.?$");
        return seconds.Success ? $"smoke check passed ({seconds.Groups[1].Value})" : line;
    }

    private static string Shorten(string body)
    {
        var line = body.ReplaceLineEndings(" ").Trim();
        // Long enough for an app's own error line (which server it could not reach, and why).
        return line.Length > 240 ? line[..240] + "..." : line;
    }

    private static string Indent(string text) => string.Join(Environment.NewLine, text.Split('\n').Select(l => "  " + l.TrimEnd('\r')));
}
