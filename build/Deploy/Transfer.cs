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

/// <summary>--transfer: how to upload: auto (SFTP, else SCP, else an exec channel) or one method.</summary>
public enum TransferPreference
{
    Auto,
    Exec,
    Sftp,
    Scp,
}

/// <summary>
/// Picks the transfer once per connection: SFTP when the device serves it, else SCP when it has
/// an scp program, else an exec channel. Stock OpenWrt has no sftp-server, and OpenSSH 9's scp
/// client speaks SFTP, so plain `scp` fails there; this does not. --transfer picks one instead.
/// </summary>
public sealed class TransferSelector(DeviceConnection connection, DeviceFacts facts, IBuildLog log, TransferPreference preference = TransferPreference.Auto)
{
    private IUpload? _chosen;

    /// <summary>The upload to use; <paramref name="sudo"/> rules out SFTP and SCP (only an exec channel can run under sudo).</summary>
    public IUpload Choose(string sudo) => _chosen ??= Pick(sudo);

    private IUpload Pick(string sudo)
    {
        // The exec channel reads the written file back in the same command.
        var exec = new ExecUpload(connection, compressed: false, sudo, facts.ChecksumTool);
        switch (preference)
        {
            case TransferPreference.Exec:
                return exec;
            case TransferPreference.Sftp or TransferPreference.Scp when sudo.Length > 0:
                throw new CrossboardException(
                    $"--transfer={preference.ToString().ToLowerInvariant()}: writing to device '{connection.Target.Name}' needs sudo, and only an exec channel can write through it. Use --transfer=auto or exec.");
            case TransferPreference.Sftp:
                return connection.TryOpenSftp() is { } sftp
                    ? new SftpUpload(sftp)
                    : throw new CrossboardException($"--transfer=sftp: device '{connection.Target.Name}' has no SFTP server (stock OpenWrt has none). Use --transfer=auto.");
            case TransferPreference.Scp:
                return facts.Has("scp")
                    ? new ScpUpload(connection)
                    : throw new CrossboardException($"--transfer=scp: device '{connection.Target.Name}' has no scp program. Use --transfer=auto.");
        }

        if (sudo.Length > 0)
        {
            log.Verbose("Writing needs sudo: uploading over an exec channel (SFTP and SCP cannot use sudo).");
            return exec;
        }

        if (connection.TryOpenSftp() is { } served)
        {
            log.Verbose("The device serves SFTP: uploading with it.");
            return new SftpUpload(served);
        }

        if (facts.Has("scp"))
        {
            log.Information("The device has no SFTP server (stock OpenWrt has none): uploading with the SCP protocol.");
            return new ScpUpload(connection);
        }

        log.Information("The device has neither an SFTP server nor scp: streaming over an exec channel (cat > file).");
        return exec;
    }
}
