using Crossboard.Deploy;
using Crossboard.Machine;
using Crossboard.Tests.Fixtures.Ssh;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Deploy;

/// <summary>Never half there: interrupted uploads, full disks, repeats and rollbacks, against real servers.</summary>
[Tier(TestTier.NeedsNamespaces)]
public sealed class AtomicInstallTests : IDisposable
{
    private readonly DeployKit _kit = new("atomic");

    public void Dispose() => _kit.Dispose();

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(SshServerKind.Dropbear, TransferPreference.Auto)]
    [InlineData(SshServerKind.OpenSsh, TransferPreference.Auto)]
    [InlineData(SshServerKind.OpenSsh, TransferPreference.Sftp)]
    public void A_server_killed_mid_upload_leaves_the_old_binary_intact_and_runnable_and_the_leftover_is_cleaned_next_time(SshServerKind kind, TransferPreference transfer)
    {
        var server = _kit.Start(new DeviceServerOptions { Kind = kind, Sftp = kind == SshServerKind.OpenSsh, Password = "pw" });
        var password = _kit.Secret("pw");
        new Deployer(_kit.Settings(passwordVariable: password, smokeVersion: "v1"), _kit.Log).Deploy(DeployKit.Target(server), _kit.App("v1"), cancellation: Cancel);
        var v1 = DeployKit.Sha256(Path.Combine(server.UsrBin, _kit.AppName));
        var big = _kit.App("v2", paddingBytes: 48 << 20);
        var killed = 0;
        var settings = _kit.Settings(passwordVariable: password, smokeVersion: "v2") with
        {
            Transfer = transfer,
            // The power cut: the device's init and everything on it die a third of the way in.
            OnUploadProgress = (done, total) =>
            {
                if (done > total / 3 && Interlocked.Exchange(ref killed, 1) == 0)
                {
                    server.Kill();
                }
            },
        };

        var error = Assert.Throws<CrossboardException>(() => new Deployer(settings, _kit.Log).Deploy(DeployKit.Target(server), big, cancellation: Cancel));

        Assert.Equal(1, killed);
        Assert.Contains("The device keeps its previous binary", error.Message);
        Assert.Contains($"/usr/bin/{_kit.AppName}.new will be removed by the next deploy", error.Message);
        Assert.Equal(v1, DeployKit.Sha256(Path.Combine(server.UsrBin, _kit.AppName)));
        var partial = new FileInfo(Path.Combine(server.UsrBin, _kit.AppName + ".new"));
        Assert.True(partial.Exists && partial.Length < big.Size, "a partial upload is what a real interruption leaves");

        // Power back: the old binary runs, and the next deploy removes the leftover and succeeds.
        var restarted = server.Restart();
        _kit.Own(restarted);
        Assert.Equal("v1", _kit.VersionOnDevice(restarted));
        var result = new Deployer(_kit.Settings(passwordVariable: password, smokeVersion: "v2"), _kit.Log).Deploy(DeployKit.Target(restarted), big, cancellation: Cancel);

        Assert.True(result.Succeeded);
        Assert.Contains($"Removed /usr/bin/{_kit.AppName}.new, a partial upload left by an interrupted deploy.", _kit.Log.Text);
        Assert.Equal("v2", _kit.VersionOnDevice(restarted));
        Assert.False(File.Exists(partial.FullName));
    }

    [Fact]
    public void Not_enough_free_space_is_refused_with_numbers_before_anything_is_uploaded()
    {
        var server = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.Dropbear, Password = "pw", SmallFilesystemKb = 1024 });
        var password = _kit.Secret("pw");
        new Deployer(_kit.Settings(passwordVariable: password, installDir: server.SmallDir, smokeVersion: "v1"), _kit.Log)
            .Deploy(DeployKit.Target(server), _kit.App("v1", paddingBytes: 100_000), cancellation: Cancel);
        var installed = server.DevicePath($"{server.SmallDir}/{_kit.AppName}");
        var v1 = DeployKit.Sha256(installed);
        var uploaded = 0L;
        var settings = _kit.Settings(passwordVariable: password, installDir: server.SmallDir, smokeVersion: "v1") with
        {
            OnUploadProgress = (done, _) => Interlocked.Exchange(ref uploaded, done),
        };
        var big = _kit.App("v2", paddingBytes: 2 << 20);

        var error = Assert.Throws<CrossboardException>(() => new Deployer(settings, _kit.Log).Deploy(DeployKit.Target(server), big, cancellation: Cancel));

        Assert.Matches(@"Not enough space on device '[^']+' for app\w+: it needs 2\.0 MiB \(\d+ bytes\) plus 128\.0 KiB kept free, but .*small has \d+(\.\d)? KiB \(\d+ KiB\) free \(df -Pk\)\. Nothing was uploaded", error.Message);
        Assert.Equal(0, Interlocked.Read(ref uploaded));
        Assert.False(File.Exists(installed + ".new"));
        Assert.Equal(v1, DeployKit.Sha256(installed));
        Assert.Equal("v1", _kit.VersionOnDevice(server, server.SmallDir));
    }

    [Fact]
    public void When_only_the_old_backup_is_in_the_way_it_is_removed_to_make_room()
    {
        var server = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.Dropbear, Password = "pw", SmallFilesystemKb = 1024 });
        var deployer = new Deployer(_kit.Settings(passwordVariable: _kit.Secret("pw"), installDir: server.SmallDir, smokeVersion: null), _kit.Log);
        foreach (var version in new[] { "v1", "v2", "v3" })
        {
            // 400 KB each: v3 fits only once v1's backup is gone (v2 stays, as the new backup).
            deployer.Deploy(DeployKit.Target(server), _kit.App(version, paddingBytes: 400_000), cancellation: Cancel);
        }

        Assert.Contains($"Removed the old backup {server.SmallDir}/{_kit.AppName}.bak", _kit.Log.Text);
        Assert.Equal("v3", _kit.VersionOnDevice(server, server.SmallDir));
        Assert.Equal("v2", server.Shell($"{server.SmallDir}/{_kit.AppName}.bak --version").StandardOutput.Trim());
    }

    [Fact]
    public void The_same_binary_again_transfers_nothing_and_Rollback_restores_the_previous_one()
    {
        var server = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.OpenSsh, Sftp = true, Password = "pw" });
        var password = _kit.Secret("pw");
        var v1 = _kit.App("v1");
        var v2 = _kit.App("v2");
        var target = DeployKit.Target(server);
        var uploads = 0;
        DeploySettings Settings(string version) => _kit.Settings(passwordVariable: password, smokeVersion: version) with
        {
            OnUploadProgress = (_, _) => Interlocked.Increment(ref uploads),
        };

        new Deployer(Settings("v1"), _kit.Log).Deploy(target, v1, cancellation: Cancel);
        var first = uploads;
        var again = new Deployer(Settings("v1"), _kit.Log).Deploy(target, v1, cancellation: Cancel);

        Assert.True(first > 0);
        Assert.Equal(first, uploads);
        Assert.Equal("unchanged", again.Outcome);
        Assert.Null(again.Method);
        Assert.Equal(0, again.BytesSent);
        Assert.Contains($"The device already has this build of {_kit.AppName} (md5sum {v1.Md5[..12]}...): nothing transferred.", _kit.Log.Text);
        Assert.Contains("Already running in the background", _kit.Log.Text);

        // v2 replaces v1: the running v1 is stopped (else v2 could not take the port) and v1 is kept as the backup.
        new Deployer(Settings("v2"), _kit.Log).Deploy(target, v2, cancellation: Cancel);
        Assert.Matches(@"Started in the background \(pid \d+, the previous one \(pid \d+\) (stopped|killed)\)", _kit.Log.Text);
        Assert.Equal("v2", _kit.VersionOnDevice(server));
        Assert.Equal("v1", server.Shell($"/usr/bin/{_kit.AppName}.bak --version").StandardOutput.Trim());

        var rolledBack = new Deployer(Settings("v1"), _kit.Log).Rollback(target, _kit.AppName, cancellation: Cancel);

        Assert.Equal("rolled back", rolledBack.Outcome);
        Assert.Equal("v1", _kit.VersionOnDevice(server));
        Assert.Equal(v1.Sha256, DeployKit.Sha256(Path.Combine(server.UsrBin, _kit.AppName)));
        Assert.Equal(v2.Sha256, DeployKit.Sha256(Path.Combine(server.UsrBin, _kit.AppName + ".bak")));
        Assert.StartsWith("smoke check passed", rolledBack.Detail);
        Assert.Contains("with \"hello world v1\"", _kit.Log.Text);

        // Rolling back twice undoes the first rollback.
        new Deployer(Settings("v2"), _kit.Log).Rollback(target, _kit.AppName, cancellation: Cancel);
        Assert.Equal("v2", _kit.VersionOnDevice(server));
    }

    [Fact]
    public void Rollback_without_a_backup_says_so_and_changes_nothing()
    {
        var server = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.Dropbear, Password = "pw" });
        var deployer = new Deployer(_kit.Settings(passwordVariable: _kit.Secret("pw"), smokeVersion: "v1"), _kit.Log);
        deployer.Deploy(DeployKit.Target(server), _kit.App("v1"), cancellation: Cancel);

        var error = Assert.Throws<CrossboardException>(() => deployer.Rollback(DeployKit.Target(server), _kit.AppName, cancellation: Cancel));

        Assert.Contains($"There is no backup to roll back to on device '{DeployKit.Target(server).Name}': /usr/bin/{_kit.AppName}.bak does not exist", error.Message);
        Assert.Equal("v1", _kit.VersionOnDevice(server));
    }
}
