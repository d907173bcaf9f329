using Renci.SshNet;

namespace Crossboard.FastPath;

/// <summary>
/// Saves 40 ms on the first channel of every connection to an OpenSSH server. Right after the
/// login, sshd sends a host-key notice (hostkeys-00@openssh.com) and then, with Nagle's algorithm
/// holding it until that notice is acknowledged, the answer to the client's first channel. Linux
/// delays an acknowledgement by 40 ms when it has nothing to send, and the client, waiting for
/// that answer, has nothing to send. A few SSH_MSG_IGNORE messages (which every server must
/// ignore) every <see cref="Interval"/> during the first moments carry the acknowledgement at once:
/// what it saves is measured in bench/README.md ("The fast path, piece by piece").
/// </summary>
public static class AckNudge
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(10);

    /// <summary>How long a connected client nudges when no first command ends it sooner.</summary>
    public static readonly TimeSpan Longest = TimeSpan.FromMilliseconds(300);

    /// <summary>For an <see cref="SshClient"/> just connected: nudges until <see cref="Stop"/> (after its first command) or <see cref="Longest"/>.</summary>
    public static void Start(BaseClient client)
    {
        if (!FastPathSwitch.Enabled)
        {
            return;
        }

        client.KeepAliveInterval = Interval;
        _ = Task.Delay(Longest).ContinueWith(_ => Stop(client), TaskScheduler.Default);
    }

    public static void Stop(BaseClient client)
    {
        try
        {
            client.KeepAliveInterval = Timeout.InfiniteTimeSpan;
        }
        catch (ObjectDisposedException)
        {
            // Closed already: nothing to stop.
        }
    }

    /// <summary>Nudges while <paramref name="connecting"/> opens its channel inside Connect (SFTP's subsystem, SCP's exec).</summary>
    public static IDisposable During(BaseClient connecting)
    {
        if (!FastPathSwitch.Enabled)
        {
            return new MemoryStream(); // nothing to stop
        }

#pragma warning disable CS0618 // SendKeepAlive is obsolete in favour of KeepAliveInterval, whose timer starts only after the channel is open.
        var timer = new Timer(_ =>
        {
            try
            {
                connecting.SendKeepAlive();
            }
            catch (Exception ex) when (ex is ObjectDisposedException or InvalidOperationException or Renci.SshNet.Common.SshException)
            {
                // Not connected (yet, or any more): nothing to nudge.
            }
        }, null, Interval, Interval);
#pragma warning restore CS0618
        return timer;
    }
}

/// <summary>SSH.NET's SFTP client, nudging acknowledgements while it opens its subsystem (see <see cref="AckNudge"/>).</summary>
public sealed class NudgedSftpClient(ConnectionInfo info) : SftpClient(info)
{
    protected override void OnConnected()
    {
        using (AckNudge.During(this))
        {
            base.OnConnected();
        }
    }
}
