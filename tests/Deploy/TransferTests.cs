using Crossboard.Deploy;
using Crossboard.Tests.Fixtures.Ssh;

namespace Crossboard.Tests.Deploy;

/// <summary>Deploys to real servers: OpenSSH with SFTP, and dropbear without it (stock OpenWrt), by key and by password.</summary>
public sealed class TransferTests : IDisposable
{
    private readonly DeployKit _kit = new("transfer");

    public void Dispose() => _kit.Dispose();

    [Fact]
    public void Dropbear_without_sftp_or_scp_by_password_streams_over_an_exec_channel()
    {
        var server = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.Dropbear, Password = "dev1ce-pw" });
        var app = _kit.App("v1", paddingBytes: 200_000);

        var result = new Deployer(_kit.Settings(passwordVariable: _kit.Secret("dev1ce-pw"), smokeVersion: "v1"), _kit.Log)
            .Deploy(DeployKit.Target(server), app, cancellation: TestContext.Current.CancellationToken);

        Assert.True(result.Succeeded);
        Assert.Equal("deployed", result.Outcome);
        Assert.Equal(TransferMethod.Exec, result.Method);
        Assert.Equal(app.Sha256, DeployKit.Sha256(Path.Combine(server.UsrBin, _kit.AppName)));
        Assert.Equal("v1", _kit.VersionOnDevice(server));
        Assert.Contains("neither an SFTP server nor scp", _kit.Log.Text);
        Assert.Contains("Smoke check passed", result.Detail);
    }

    [Fact]
    public void OpenSsh_with_sftp_by_ed25519_key_with_passphrase_uses_sftp()
    {
        var (key, publicLine) = DeviceServer.GenerateKey(_kit.Dir.Combine("keys"), "id_ed25519", "ed25519", "key-passphrase-42");
        var server = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.OpenSsh, Sftp = true, AuthorizedKeys = [publicLine] });
        var app = _kit.App("v1", paddingBytes: 200_000);

        var result = new Deployer(_kit.Settings(passphraseVariable: _kit.Secret("key-passphrase-42"), smokeVersion: "v1"), _kit.Log)
            .Deploy(DeployKit.Target(server, [key]), app, cancellation: TestContext.Current.CancellationToken);

        Assert.Equal(TransferMethod.Sftp, result.Method);
        Assert.Equal(app.Sha256, DeployKit.Sha256(Path.Combine(server.UsrBin, _kit.AppName)));
        Assert.Equal("v1", _kit.VersionOnDevice(server));
    }
}
