using Renci.SshNet.Common;

namespace Crossboard.Deploy;

/// <summary>
/// Upload by streaming into "cat &gt; file" (or "gunzip -c &gt; file") over an exec channel of the
/// connection already open: works on any device with a shell, including stock OpenWrt, which has
/// no SFTP server, and needs no second login (SSH.NET's SFTP and SCP clients each open a
/// connection of their own). Given a script to run then, the same command goes on to
/// it once the file is written (the deploy's verify-and-install), so that costs no round trip of
/// its own. (Checksumming the stream as it arrives, through tee, was measured slower: with
/// busybox's small pipe reads, on a PC's two cores, 0.6 s for 50 MB against 0.3 s for writing
/// and then reading the file.)
/// </summary>
/// <param name="then">Runs after the file is written, in the same shell; its output and exit status are the command's (<see cref="ThenResult"/>).</param>
/// <param name="write">A command of its own that writes the file (given its path) from the stream instead of cat or gunzip (a delta's, <see cref="DeltaUpload"/>).</param>
public sealed class ExecUpload(DeviceConnection connection, bool compressed, string sudo = "", string? then = null, Func<string, string>? write = null) : IUpload
{
    /// <summary>The exit status of a command whose write failed (the device could not store the upload).</summary>
    public const int WriteFailed = 6;

    private const int ChunkSize = 128 * 1024;

    public TransferMethod Method => write is not null ? TransferMethod.ExecDelta : compressed ? TransferMethod.ExecGzip : TransferMethod.Exec;

    /// <summary>What the script run after the write answered (null without one).</summary>
    public RemoteResult? ThenResult { get; private set; }

    /// <summary>The command that writes the upload to <paramref name="remotePath"/>, then runs <paramref name="then"/>.</summary>
    public static string Script(string remotePath, bool compressed, string? then, Func<string, string>? write = null)
    {
        var command = write?.Invoke(remotePath) ?? (compressed ? "gunzip -c > " : "cat > ") + RemoteShell.Quote(remotePath);
        return then is null ? command : $"{command} || exit {WriteFailed}\n{then}";
    }

    public void Upload(Stream source, long length, string remotePath, Action<long> progress, CancellationToken cancellation)
    {
        var writeTo = Script(remotePath, compressed, then, write);
        var script = sudo.Length > 0 ? $"{sudo}sh -c {RemoteShell.Quote(writeTo)}" : writeTo;
        Stream(connection, script, source, progress, cancellation, out var result, out var complete);
        // Without a follow-up script any failure is the write's; with one, only WriteFailed (or a
        // command that stopped reading early) is: the script's own answer is the caller's to read.
        if (result.ExitStatus != 0 && (then is null || !complete || result.ExitStatus is not { } status || status == WriteFailed || status >= 126))
        {
            throw new UploadRejectedException(
                $"the device could not write {remotePath} (exit {result.ExitStatus?.ToString() ?? "signal " + result.ExitSignal}): {result.Diagnostic}");
        }

        ThenResult = then is null ? null : result;
    }

    /// <summary>
    /// Streams <paramref name="source"/> into the standard input of <paramref name="script"/>. The
    /// command must run before its input stream exists, and disposing that stream sends EOF. If
    /// the device stops reading (disk full, bad path), writes would block on the channel window
    /// until the connection's timeout: the writer runs beside the command and the first to end
    /// decides; a stuck channel is cleared by reconnecting.
    /// </summary>
    public static void Stream(DeviceConnection connection, string script, Stream source, Action<long> progress, CancellationToken cancellation, out RemoteResult result) =>
        Stream(connection, script, source, progress, cancellation, out result, out _);

    /// <param name="complete">Whether the command took all of the input (false: it ended before, see above).</param>
    public static void Stream(DeviceConnection connection, string script, Stream source, Action<long> progress, CancellationToken cancellation, out RemoteResult result, out bool complete)
    {
        complete = true;
        if (source.CanSeek && source.Length == 0)
        {
            // SSH.NET sends EOF on disposing the input stream only after a byte was written: an
            // empty input would leave "cat" waiting forever. Nothing to send: give it /dev/null.
            result = connection.Run($"{script} < /dev/null", script);
            return;
        }

        using var command = connection.Ssh.CreateCommand(script);
        var run = command.ExecuteAsync(cancellation);
        var input = command.CreateInputStream();
        // A thread of its own, not the pool's: the writer blocks whenever the device's SSH window is
        // full, and a fleet's uploads at once would starve a 2-core host's pool (16 devices took
        // 10.8 s against parallel-scp's 4.1 s, bench figure 10).
        var writer = Task.Factory.StartNew(() =>
        {
            var buffer = new byte[ChunkSize];
            long sent = 0;
            try
            {
                int read;
                while ((read = source.Read(buffer, 0, buffer.Length)) > 0)
                {
                    cancellation.ThrowIfCancellationRequested();
                    input.Write(buffer, 0, read);
                    sent += read;
                    progress(sent);
                }
            }
            finally
            {
                // EOF for the remote command; without it "cat" never exits.
                input.Dispose();
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        try
        {
            var first = Task.WhenAny(writer, run).GetAwaiter().GetResult();
            if (first == run && !writer.IsCompleted)
            {
                if (run.Exception is { } failed)
                {
                    throw connection.Lost(failed.InnerException ?? failed, "the upload");
                }

                // The command ended before taking all the data (disk full, bad path): the writer
                // may hang on the channel window, and only a new connection clears it.
                var stopped = new RemoteResult(command.ExitStatus ?? 1, command.ExitSignal, command.Result,
                    command.Error.Length > 0 ? command.Error : "the device stopped reading the upload");
                try
                {
                    connection.Reconnect();
                }
                catch (CrossboardException)
                {
                    // Reported by the next command; the device's answer is what matters here.
                }

                result = stopped;
                complete = false;
                return;
            }

            writer.GetAwaiter().GetResult();
            run.GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is SshConnectionException or SshException or System.Net.Sockets.SocketException or ObjectDisposedException or IOException)
        {
            throw connection.Lost(ex, "the upload");
        }

        result = new RemoteResult(command.ExitStatus, command.ExitSignal, command.Result, command.Error);
    }
}

/// <summary>The device refused or failed to store an upload (not a broken connection).</summary>
public sealed class UploadRejectedException(string message) : Exception(message);
