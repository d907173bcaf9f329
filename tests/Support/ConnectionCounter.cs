using System.Net;
using System.Net.Sockets;

namespace Crossboard.Tests.Support;

/// <summary>
/// A port on 127.0.0.1 that is no SSH server: it accepts connections, counts them and closes
/// them, so a test can prove a run never connected (a run that does fails fast there).
/// </summary>
public sealed class ConnectionCounter : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private int _connections;
    private int _probes;

    public ConnectionCounter(CancellationToken cancellation)
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _ = Task.Run(async () =>
        {
            while (true)
            {
                using var client = await _listener.AcceptTcpClientAsync(cancellation);
                Interlocked.Increment(ref _connections);
            }
        }, cancellation);
    }

    public int Port { get; }

    /// <summary>
    /// The connections made so far. A probe of its own goes first, closed by the listener once
    /// accepted: connections are accepted in order, so by then any a run made is counted too
    /// (the probes are not).
    /// </summary>
    public int Settled()
    {
        _probes++;
        using (var probe = new TcpClient())
        {
            probe.Connect(IPAddress.Loopback, Port);
            if (probe.GetStream().Read(new byte[1]) != 0)
            {
                throw new InvalidOperationException("the counter's probe got data: something else answers on its port");
            }
        }

        return Volatile.Read(ref _connections) - _probes;
    }

    public void Dispose() => _listener.Stop();
}
