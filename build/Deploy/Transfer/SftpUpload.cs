using Renci.SshNet;

namespace Crossboard.Deploy;

/// <summary>Upload over SFTP; its progress callback fires out of order from several threads.</summary>
public sealed class SftpUpload(SftpClient sftp) : IUpload
{
    public TransferMethod Method => TransferMethod.Sftp;

    public void Upload(Stream source, long length, string remotePath, Action<long> progress, CancellationToken cancellation)
    {
        sftp.UploadFile(source, remotePath, canOverride: true, uploaded => progress((long)uploaded));
    }
}
