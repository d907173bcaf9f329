using System.Diagnostics;
using Crossboard.Deploy;
using Crossboard.Machine;

namespace Crossboard.FastPath;

/// <summary>
/// The SSH connection to the deploy target, opened while the build runs: the device is known
/// before the first task, and a handshake and key login cost a round trip or more (on a small device, its CPU's
/// key exchange most of all) that a deploy after a no-op build would otherwise wait for.
/// It only connects: everything it would decide (the installed binary, free space, the service)
/// is looked at by the deploy itself, on this connection, so nothing it sees can be stale.
/// It never asks for anything (no passphrase prompt: an encrypted key without --passphrase-env is
/// skipped), prints nothing, and gives up sooner than a deploy would; whenever it is not usable
/// (failed, another device, dropped) the deploy connects as it always did and reports its own
/// errors.
/// </summary>
public sealed class EarlyConnection : IDisposable
{
    /// <summary>The longest the early attempt waits for a device; the deploy's own attempt has the full timeout.</summary>
    public static readonly TimeSpan MaxConnectTime = TimeSpan.FromSeconds(5);

    private readonly RecordingBuildLog _messages = new();
    private readonly DeviceLog _log;
    private readonly Task<(DeviceTarget Target, DeviceConnection Connection)> _opening;
    private readonly Stopwatch _age = Stopwatch.StartNew();
    private int _claimed;
    private TimeSpan _openedAfter;

    /// <param name="resolve">Who the device is (run in the background too: it may read ~/.ssh/config or the emulator's record).</param>
    /// <param name="speculation">
    /// The program's <see cref="SpeculativeConnection"/>: its connection, started before the
    /// device was known, is adopted when it is to this device, else closed; and the device this
    /// resolves is recorded for the next run's guess.
    /// </param>
    public EarlyConnection(Func<DeviceTarget> resolve, DeploySettings settings, SpeculativeConnection? speculation = null)
    {
        var guess = speculation?.Claim();
        _log = new DeviceLog(_messages, null, null);
        var credentials = settings.Credentials with { PromptSecret = null };
        var timeout = settings.ConnectTimeout < MaxConnectTime ? settings.ConnectTimeout : MaxConnectTime;
        // A thread of its own (SSH.NET connects synchronously): a blocked thread-pool thread would
        // stall the build's tasks, which wait on the pool for their processes.
        _opening = Task.Factory.StartNew(() =>
        {
            DeviceTarget target;
            try
            {
                target = resolve();
            }
            catch
            {
                SpeculativeConnection.Close(guess);
                throw;
            }

            speculation?.Remember(target, settings);
            var connection = Adopt(guess, target, settings) ?? DeviceConnection.Open(target, credentials, _log, timeout, settings.DefaultKnownHosts);
            _openedAfter = _age.Elapsed;
            return (target, connection);
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>
    /// The connection, when it is to <paramref name="target"/> and still up; from now on it logs to
    /// <paramref name="log"/>. Null otherwise: the caller connects itself. Waits for an attempt
    /// still under way (it is the same handshake the caller would start).
    /// </summary>
    public DeviceConnection? Take(DeviceTarget target, DeviceLog log)
    {
        if (Interlocked.Exchange(ref _claimed, 1) != 0)
        {
            return null;
        }

        DeviceTarget opened;
        DeviceConnection connection;
        var asked = _age.Elapsed;
        try
        {
            (opened, connection) = _opening.GetAwaiter().GetResult();
        }
        catch (Exception ex)
        {
            log.Detail($"The connection opened while building failed ({ex.GetType().Name}: {FirstLine(ex.Message)}): connecting now.");
            _log.Dispose();
            return null;
        }

        Replay(log);
        if (!SameDevice(opened, target) || !connection.IsConnected)
        {
            log.Detail(connection.IsConnected
                ? $"The connection opened while building is to {opened.User}@{opened.Host}:{opened.Port}, not to this device: connecting now."
                : "The connection opened while building has dropped: connecting now.");
            connection.Dispose();
            return null;
        }

        connection.UseLog(log);
        _log.Dispose();
        // Whether the handshake was still the slower path: what a no-op deploy waits for.
        var waited = _openedAfter - asked;
        log.Detail($"Using the connection opened while building (connected in {_openedAfter.TotalSeconds:0.000} s, " +
            (waited > TimeSpan.Zero ? $"{waited.TotalSeconds:0.000} s after the deploy asked for it)." : $"{-waited.TotalSeconds:0.000} s before the deploy asked for it)."));
        return connection;
    }

    /// <summary>Closes the connection if nobody took it (the build failed, or the run did not deploy).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _claimed, 1) != 0)
        {
            return;
        }

        // An attempt still connecting is not waited for: it closes when it ends.
        _opening.ContinueWith(t =>
        {
            if (t.IsCompletedSuccessfully)
            {
                t.Result.Connection.Dispose();
            }

            _log.Dispose();
        }, TaskScheduler.Default);
    }

    /// <summary>The guessed connection when it is to <paramref name="target"/>, verified as <paramref name="settings"/> would, and up; else null (and it is closed).</summary>
    private DeviceConnection? Adopt(Task<SpeculativeConnection.Guess?>? guess, DeviceTarget target, DeploySettings settings)
    {
        if (guess is null)
        {
            return null;
        }

        try
        {
            if (guess.GetAwaiter().GetResult() is not var (guessed, knownHosts, connection, took))
            {
                return null;
            }

            if (SameDevice(guessed, target) && knownHosts == settings.DefaultKnownHosts && connection.IsConnected)
            {
                connection.UseLog(_log);
                _log.Verbose($"Connected as the last run with this command line did, before the device was known (the guess matched; connected {took.TotalSeconds:0.000} s after the program started).");
                return connection;
            }

            _log.Verbose($"The last run's device ({guessed.User}@{guessed.Host}:{guessed.Port}) is not this run's: connecting to this one.");
            connection.Dispose();
        }
        catch (Exception ex)
        {
            _log.Verbose($"Connecting as the last run did failed ({ex.GetType().Name}): connecting now.");
        }

        return null;
    }

    /// <summary>Whether two resolved targets are the same login to the same device, verified the same way.</summary>
    public static bool SameDevice(DeviceTarget a, DeviceTarget b) =>
        a.Host == b.Host && a.Port == b.Port && a.User == b.User &&
        a.HostKeyPin == b.HostKeyPin && a.KnownHostsFile == b.KnownHostsFile &&
        a.IdentityFiles.SequenceEqual(b.IdentityFiles);

    /// <summary>What the early attempt said (e.g. a key it skipped) goes to the device's log file.</summary>
    private void Replay(DeviceLog log)
    {
        foreach (var line in _messages.Lines)
        {
            log.Detail("while building: " + line);
        }
    }

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();
}
