using Crossboard.Deploy;
using Crossboard.Machine;
using Crossboard.Tests.Fixtures.Ssh;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Deploy;

/// <summary>A login user that cannot write the install directory (a Pi's "pi" and /usr/local/bin): real sudo, or a clear refusal.</summary>
[Tier(TestTier.NeedsNamespaces)]
public sealed class LoginUserTests : IDisposable
{
    private readonly DeployKit _kit = new("sudo");

    public void Dispose() => _kit.Dispose();

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public void A_user_with_passwordless_sudo_deploys_through_sudo()
    {
        var (key, publicLine) = DeviceServer.GenerateKey(_kit.Dir.Combine("keys"), "id_pi");
        var server = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.OpenSsh, Sftp = true, LoginUser = "pi", Sudo = true, AuthorizedKeys = [publicLine] });
        var target = DeployKit.Target(server, [key]) with { User = "pi" };

        var result = new Deployer(_kit.Settings(smokeVersion: "v1"), _kit.Log).Deploy(target, _kit.App("v1"), cancellation: Cancel);

        Assert.True(result.Succeeded);
        // SFTP cannot write as root; the exec channel can, through sudo.
        Assert.Equal(TransferMethod.Exec, result.Method);
        Assert.Contains("Writing needs sudo", _kit.Log.Text);
        Assert.Equal("v1", _kit.VersionOnDevice(server));
        Assert.Equal("0 0", server.Shell($"stat -c '%u %g' /usr/bin/{_kit.AppName}").StandardOutput.Trim());
    }

    [Fact]
    public void A_user_without_rights_is_refused_before_anything_is_uploaded()
    {
        var (key, publicLine) = DeviceServer.GenerateKey(_kit.Dir.Combine("keys"), "id_pi");
        var server = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.Dropbear, LoginUser = "pi", AuthorizedKeys = [publicLine] });
        var target = DeployKit.Target(server, [key]) with { User = "pi" };

        var error = Assert.Throws<CrossboardException>(() =>
            new Deployer(_kit.Settings(smokeVersion: "v1"), _kit.Log).Deploy(target, _kit.App("v1"), cancellation: Cancel));

        Assert.Contains($"User pi cannot write /usr/bin on device '{target.Name}', and has no passwordless sudo there.", error.Message);
        Assert.Contains("--install-dir=DIR", error.Message);
        Assert.False(File.Exists(Path.Combine(server.UsrBin, _kit.AppName)));
    }
}
