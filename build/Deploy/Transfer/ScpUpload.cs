namespace Crossboard.Deploy;

/// <summary>
/// Upload with the classic SCP protocol: the device runs "scp -t" (dropbear's scp on OpenWrt, or
/// OpenSSH's). Used when the device has no SFTP server.
/// </summary>
public sealed class ScpUpload(DeviceConnection connection) : IUpload
{
    public TransferMethod Method => TransferMethod.Scp;

    public void Upload(Stream source, long length, string remotePath, Action<long> progress, CancellationToken cancellation)
    {
        using var scp = connection.OpenScp();
        scp.Uploading += (_, e) => progress(e.Uploaded);
        scp.Upload(source, remotePath);
    }
}
