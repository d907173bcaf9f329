using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace Crossboard.Tests.Fixtures.Ssh;

/// <summary>
/// An emulated link in front of one device: a TCP relay that delivers each direction's bytes at
/// most at <c>bytesPerSecond</c> and <c>oneWay</c> later than they were put on it, in order, with
/// a bounded queue (~0.5 s at the rate: a Wi-Fi router's buffer) so a sender cannot run ahead of
/// the link. The benches would use tc netem, but this machine's kernel has no sch_netem (its
/// qdiscs: htb, tbf, pfifo): the relay gives the application the same round trips and rate, which
/// is what SSH's own flow control and each command's round trip see. Real TCP and SSH go through
/// it. The tests' slow link (the seed's Omega2 upload ran at 93 KB/s) and the benches' links.
/// </summary>
public sealed class LinkRelay : IDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly IPEndPoint _target;
    private readonly double _rate;
    private readonly TimeSpan _oneWay;
    private readonly List<TcpClient> _clients = new();

    public LinkRelay(IPAddress listen, IPEndPoint target, double bytesPerSecond, TimeSpan oneWay)
    {
        _target = target;
        _rate = bytesPerSecond;
        _oneWay = oneWay;
        _listener = new TcpListener(listen, 0);
        _listener.Start(128);
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _ = AcceptLoop();
    }

    public int Port { get; }

    /// <summary>A slow link on loopback to <paramref name="targetPort"/>, without delay.</summary>
    public static LinkRelay Throttled(int targetPort, double bytesPerSecond) =>
        new(IPAddress.Loopback, new IPEndPoint(IPAddress.Loopback, targetPort), bytesPerSecond, TimeSpan.Zero);

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

            _ = Connect(inbound);
        }
    }

    private async Task Connect(TcpClient inbound)
    {
        // The SYN crosses the link too: the connection is there a round trip later.
        await Task.Delay(_oneWay * 2, _stop.Token).ConfigureAwait(false);
        var outbound = new TcpClient { NoDelay = true };
        try
        {
            await outbound.ConnectAsync(_target, _stop.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException)
        {
            inbound.Dispose();
            outbound.Dispose();
            return;
        }

        inbound.NoDelay = true;
        lock (_clients)
        {
            _clients.Add(inbound);
            _clients.Add(outbound);
        }

        _ = Pump(inbound.GetStream(), outbound.GetStream(), inbound, outbound);
        _ = Pump(outbound.GetStream(), inbound.GetStream(), inbound, outbound);
    }

    private async Task Pump(NetworkStream from, NetworkStream to, TcpClient a, TcpClient b)
    {
        var limited = !double.IsPositiveInfinity(_rate);
        var chunk = limited ? (int)Math.Clamp(_rate / 50, 512, 64 * 1024) : 64 * 1024;
        var capacity = limited ? Math.Max(4, (int)(_rate / 2 / chunk)) : 64;
        var queue = Channel.CreateBounded<(byte[] Data, int Length, TimeSpan Due)>(new BoundedChannelOptions(capacity) { SingleReader = true, SingleWriter = true });
        var watch = Stopwatch.StartNew();
        var writer = Task.Run(async () =>
        {
            try
            {
                await foreach (var (data, length, due) in queue.Reader.ReadAllAsync(_stop.Token))
                {
                    var wait = due - watch.Elapsed;
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait, _stop.Token);
                    }

                    await to.WriteAsync(data.AsMemory(0, length), _stop.Token);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException or ChannelClosedException)
            {
            }
            finally
            {
                a.Dispose();
                b.Dispose();
            }
        });

        // When the link is next free: an idle link earns no credit.
        var free = TimeSpan.Zero;
        try
        {
            while (true)
            {
                var buffer = new byte[chunk];
                var read = await from.ReadAsync(buffer, _stop.Token);
                if (read == 0)
                {
                    break;
                }

                var now = watch.Elapsed;
                free = (free > now ? free : now) + (limited ? TimeSpan.FromSeconds(read / _rate) : TimeSpan.Zero);
                await queue.Writer.WriteAsync((buffer, read, free + _oneWay), _stop.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            queue.Writer.TryComplete();
        }

        await writer;
    }
}
