using Crossboard.Host;

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
}

/// <summary>Puts a stream into a file on the device, reporting bytes sent (possibly out of order, from several threads).</summary>
public interface IUpload
{
    TransferMethod Method { get; }

    void Upload(Stream source, long length, string remotePath, Action<long> progress, CancellationToken cancellation);
}

/// <summary>
/// Picks the transfer once per connection: SFTP when the device serves it, else SCP when it has
/// an scp program, else an exec channel. Stock OpenWrt has no sftp-server, and OpenSSH 9's scp
/// client speaks SFTP, so plain `scp` fails there; this does not.
/// </summary>
public sealed class TransferSelector(DeviceConnection connection, DeviceFacts facts, IBuildLog log)
{
    private IUpload? _chosen;

    /// <summary>The upload to use; <paramref name="sudo"/> forces the exec channel (only it can run under sudo).</summary>
    public IUpload Choose(string sudo)
    {
        if (_chosen is not null)
        {
            return _chosen;
        }

        if (sudo.Length > 0)
        {
            log.Verbose("Writing needs sudo: uploading over an exec channel (SFTP and SCP cannot use sudo).");
            return _chosen = new ExecUpload(connection, compressed: false, sudo);
        }

        if (connection.TryOpenSftp() is { } sftp)
        {
            log.Verbose("The device serves SFTP: uploading with it.");
            return _chosen = new SftpUpload(sftp);
        }

        if (facts.Has("scp"))
        {
            log.Information("The device has no SFTP server (stock OpenWrt has none): uploading with the SCP protocol.");
            return _chosen = new ScpUpload(connection);
        }

        log.Information("The device has neither an SFTP server nor scp: streaming over an exec channel (cat > file).");
        return _chosen = new ExecUpload(connection, compressed: false, sudo);
    }
}
