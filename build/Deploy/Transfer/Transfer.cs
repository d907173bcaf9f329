using Crossboard.Machine;

namespace Crossboard.Deploy;

/// <summary>How bytes reach the device.</summary>
public enum TransferMethod
{
    /// <summary>The SFTP subsystem (OpenSSH, or dropbear with openssh-sftp-server installed).</summary>
    Sftp,
    /// <summary>The classic SCP protocol ("scp -t" on the device): dropbear's scp on stock OpenWrt.</summary>
    Scp,
    /// <summary>"cat &gt; file" over an exec channel: works wherever there is a shell.</summary>
    Exec,
    /// <summary>Gzip-compressed over an exec channel into "gunzip -c &gt; file", for slow links.</summary>
    ExecGzip,
    /// <summary>Only what changed against the binary the device has, over an exec channel, assembled there with tail and head (<see cref="DeltaUpload"/>).</summary>
    ExecDelta,
}

/// <summary>Puts a stream into a file on the device, reporting bytes sent (possibly out of order, from several threads).</summary>
public interface IUpload
{
    TransferMethod Method { get; }

    void Upload(Stream source, long length, string remotePath, Action<long> progress, CancellationToken cancellation);
}

/// <summary>--transfer: how to upload: auto (an exec channel, else SFTP, else SCP) or one method.</summary>
public enum TransferPreference
{
    Auto,
    Exec,
    Sftp,
    Scp,
}

/// <summary>
/// Picks the transfer once per connection. Automatically: an exec channel ("cat &gt; file") on the
/// connection already open, which every device with a shell and cat has; else SFTP when the
/// device serves it; else SCP when it has an scp program. The exec channel comes first because it
/// is the fastest whole deploy (bench/run.py, figure "upload"): SSH.NET's SFTP and SCP clients
/// each open a second connection, with a second key exchange (on a small MIPS board that is its
/// CPU's slowest work), and the exec command goes on to verify and install in the same round
/// trip. Stock OpenWrt has no sftp-server, and OpenSSH 9's scp client speaks SFTP, so plain
/// `scp` fails there; none of this does. --transfer picks one instead.
/// </summary>
public sealed class TransferSelector(DeviceConnection connection, DeviceFacts facts, IBuildLog log, TransferPreference preference = TransferPreference.Auto)
{
    private TransferMethod? _chosen;

    /// <summary>
    /// The upload to use; <paramref name="sudo"/> rules out SFTP and SCP (only an exec channel can
    /// run under sudo). <paramref name="then"/>: a script the exec channel runs once the file is
    /// written (see <see cref="ExecUpload"/>); the other methods leave it to the caller.
    /// </summary>
    public IUpload Choose(string sudo, string? then = null)
    {
        _chosen ??= Pick(sudo);
        return _chosen switch
        {
            TransferMethod.Sftp => new SftpUpload(connection.TryOpenSftp()
                ?? throw new CrossboardException($"Device '{connection.Target.Name}' stopped serving SFTP during the deploy. Deploy again.")),
            TransferMethod.Scp => new ScpUpload(connection),
            _ => new ExecUpload(connection, compressed: false, sudo, then),
        };
    }

    private TransferMethod Pick(string sudo)
    {
        switch (preference)
        {
            case TransferPreference.Exec:
                return TransferMethod.Exec;
            case TransferPreference.Sftp or TransferPreference.Scp when sudo.Length > 0:
                throw new CrossboardException(
                    $"--transfer={preference.ToString().ToLowerInvariant()}: writing to device '{connection.Target.Name}' needs sudo, and only an exec channel can write through it. Use --transfer=auto or exec.");
            case TransferPreference.Sftp:
                return connection.TryOpenSftp() is not null
                    ? TransferMethod.Sftp
                    : throw new CrossboardException($"--transfer=sftp: device '{connection.Target.Name}' has no SFTP server (stock OpenWrt has none). Use --transfer=auto.");
            case TransferPreference.Scp:
                return facts.Has("scp")
                    ? TransferMethod.Scp
                    : throw new CrossboardException($"--transfer=scp: device '{connection.Target.Name}' has no scp program. Use --transfer=auto.");
        }

        if (sudo.Length > 0)
        {
            log.Verbose("Writing needs sudo: uploading over an exec channel (SFTP and SCP cannot use sudo).");
            return TransferMethod.Exec;
        }

        if (facts.Has("cat"))
        {
            log.Verbose("Uploading over an exec channel of this connection (cat > file).");
            return TransferMethod.Exec;
        }

        if (connection.TryOpenSftp() is not null)
        {
            log.Information("The device has no cat: uploading with SFTP.");
            return TransferMethod.Sftp;
        }

        if (facts.Has("scp"))
        {
            log.Information("The device has neither cat nor an SFTP server: uploading with the SCP protocol.");
            return TransferMethod.Scp;
        }

        throw new CrossboardException(
            $"Device '{connection.Target.Name}' offers no way to receive a file: no cat in its shell, no SFTP server, no scp. Enable busybox's cat applet in its firmware.");
    }
}
