using Crossboard.Deploy;
using Crossboard.Tests.Fixtures.Ssh;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Deploy;

/// <summary>Deploys to real servers: OpenSSH with SFTP, and dropbear without it (stock OpenWrt), by key and by password.</summary>
[Tier(TestTier.NeedsNamespaces)]
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
        Assert.Contains("Uploading over an exec channel of this connection", _kit.Log.Text);
        Assert.Contains("Smoke check passed: GET http://127.0.0.1:", _kit.Log.Text);
        Assert.StartsWith("smoke check passed (", result.Detail);
    }

    [Fact]
    public void OpenSsh_with_sftp_by_ed25519_key_with_passphrase_uploads_with_sftp_when_asked()
    {
        var (key, publicLine) = DeviceServer.GenerateKey(_kit.Dir.Combine("keys"), "id_ed25519", "ed25519", "key-passphrase-42");
        var server = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.OpenSsh, Sftp = true, AuthorizedKeys = [publicLine] });
        var app = _kit.App("v1", paddingBytes: 200_000);

        // SFTP logs in again on a connection of its own: with the same key and passphrase.
        var result = new Deployer(_kit.Settings(passphraseVariable: _kit.Secret("key-passphrase-42"), smokeVersion: "v1") with { Transfer = TransferPreference.Sftp }, _kit.Log)
            .Deploy(DeployKit.Target(server, [key]), app, cancellation: TestContext.Current.CancellationToken);

        Assert.Equal(TransferMethod.Sftp, result.Method);
        Assert.Equal(app.Sha256, DeployKit.Sha256(Path.Combine(server.UsrBin, _kit.AppName)));
        Assert.Equal("v1", _kit.VersionOnDevice(server));
    }

    [Fact]
    public void Dropbear_with_scp_but_no_sftp_by_rsa_key_uploads_with_the_scp_protocol_when_asked()
    {
        var (key, publicLine) = DeviceServer.GenerateKey(_kit.Dir.Combine("keys"), "id_rsa", "rsa");
        var server = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.Dropbear, Scp = true, AuthorizedKeys = [publicLine] });
        var app = _kit.App("v1", paddingBytes: 100_000);

        var result = new Deployer(_kit.Settings(smokeVersion: "v1") with { Transfer = TransferPreference.Scp }, _kit.Log)
            .Deploy(DeployKit.Target(server, [key]), app, cancellation: TestContext.Current.CancellationToken);

        Assert.Equal(TransferMethod.Scp, result.Method);
        Assert.Equal(app.Sha256, DeployKit.Sha256(Path.Combine(server.UsrBin, _kit.AppName)));
        Assert.Equal("v1", _kit.VersionOnDevice(server));
    }

    [Fact]
    public void OpenSsh_by_password_and_dropbear_by_ecdsa_key_both_deploy()
    {
        var (key, publicLine) = DeviceServer.GenerateKey(_kit.Dir.Combine("keys"), "id_ecdsa", "ecdsa");
        var openssh = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.OpenSsh, Sftp = true, Password = "0pen-pw", Address = "127.0.0.1" });
        var dropbear = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.Dropbear, AuthorizedKeys = [publicLine], Address = "127.0.0.2" });
        var app = _kit.App("v1");
        var settings = _kit.Settings(passwordVariable: _kit.Secret("0pen-pw"), smokeVersion: "v1");

        // SFTP's own connection logs in by password too.
        var byPassword = new Deployer(settings with { Transfer = TransferPreference.Sftp }, _kit.Log)
            .Deploy(DeployKit.Target(openssh), app, cancellation: TestContext.Current.CancellationToken);
        var byKey = new Deployer(settings, _kit.Log).Deploy(DeployKit.Target(dropbear, [key]), app, cancellation: TestContext.Current.CancellationToken);

        Assert.Equal(TransferMethod.Sftp, byPassword.Method);
        Assert.Equal(TransferMethod.Exec, byKey.Method);
        Assert.Equal("v1", _kit.VersionOnDevice(openssh));
        Assert.Equal("v1", _kit.VersionOnDevice(dropbear));
    }

    [Fact]
    public void A_wrong_password_is_refused_with_what_was_tried_and_nothing_is_uploaded()
    {
        var server = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.Dropbear, Password = "right-pw" });
        var variable = _kit.Secret("wrong-pw");

        var error = Assert.Throws<CrossboardException>(() =>
            new Deployer(_kit.Settings(passwordVariable: variable), _kit.Log).Deploy(DeployKit.Target(server), _kit.App("v1"), cancellation: TestContext.Current.CancellationToken));

        Assert.Contains("refused the login as root", error.Message);
        Assert.Contains($"password from ${variable}", error.Message);
        Assert.DoesNotContain("wrong-pw", error.Message);
        Assert.False(File.Exists(Path.Combine(server.UsrBin, _kit.AppName)));
    }
}
