using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Crossboard.Tests.Fixtures.Ssh;

/// <summary>
/// A slow link on loopback: a TCP relay that passes client-to-server bytes at most at
/// <c>bytesPerSecond</c> (the seed's Omega2 upload ran at 93 KB/s) and the other way unthrottled.
/// Real TCP and real SSH go through it; only the rate is shaped.
/// </summary>
public sealed class ThrottledRelay : IDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly int _targetPort;
    private readonly double _bytesPerSecond;
    private readonly List<TcpClient> _clients = new();

    public ThrottledRelay(int targetPort, double bytesPerSecond)
    {
        _targetPort = targetPort;
        _bytesPerSecond = bytesPerSecond;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _ = AcceptLoop();
    }

    public int Port { get; }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        lock (_clients)
        {
            foreach (var client in _clients)
            {
                client.Dispose();
            }
        }
    }

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient inbound;
            try
            {
                inbound = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            var outbound = new TcpClient { NoDelay = true };
            try
            {
                await outbound.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException)
            {
                inbound.Dispose();
                outbound.Dispose();
                continue;
            }

            inbound.NoDelay = true;
            lock (_clients)
            {
                _clients.Add(inbound);
                _clients.Add(outbound);
            }

            _ = Pump(inbound.GetStream(), outbound.GetStream(), _bytesPerSecond, inbound, outbound);
            _ = Pump(outbound.GetStream(), inbound.GetStream(), double.PositiveInfinity, inbound, outbound);
        }
    }

    private async Task Pump(NetworkStream from, NetworkStream to, double rate, TcpClient a, TcpClient b)
    {
        // Small chunks keep the rate smooth: ~20 per second at the configured rate.
        var chunk = double.IsPositiveInfinity(rate) ? 64 * 1024 : (int)Math.Clamp(rate / 20, 512, 64 * 1024);
        var buffer = new byte[chunk];
        var watch = Stopwatch.StartNew();
        // When the link is next free. An idle link earns no credit: a real slow link does not
        // send faster after a pause (a naive bytes/elapsed budget would let a burst through).
        var free = TimeSpan.Zero;
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer, _stop.Token)) > 0)
            {
                if (!double.IsPositiveInfinity(rate))
                {
                    free = (free > watch.Elapsed ? free : watch.Elapsed) + TimeSpan.FromSeconds(read / rate);
                    var due = free - watch.Elapsed;
                    if (due > TimeSpan.Zero)
                    {
                        await Task.Delay(due, _stop.Token);
                    }
                }

                await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            a.Dispose();
            b.Dispose();
        }
    }
}
