using System.Security.Cryptography;
using Crossboard.Artifacts;
using Crossboard.Deploy;
using Crossboard.FastPath;
using Crossboard.Machine;
using Crossboard.Tests.Fixtures.Ssh;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.FastPath;

/// <summary>
/// What makes a deploy fast without weakening it, against real servers: one look that proves
/// "same" only by the device's own checksum and proves "different" cheaply; the connection
/// opened while the build runs; verification that still catches every wrong byte.
/// </summary>
[Tier(TestTier.NeedsNamespaces)]
public sealed class FastPathTests : IDisposable
{
    private readonly DeployKit _kit = new("fastpath");

    public void Dispose() => _kit.Dispose();

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private DeviceConnection Connect(DeviceServer server, DeviceLog log) =>
        DeviceConnection.Open(DeployKit.Target(server, [server.AdminKey]), new DeployCredentials(), log, TimeSpan.FromSeconds(15), _kit.KnownHosts);

    [Fact]
    public void The_look_proves_a_binary_different_by_size_or_first_bytes_and_the_same_only_by_its_full_checksum()
    {
        var server = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.Dropbear });
        using var log = new DeviceLog(_kit.Log, null, null);
        using var connection = Connect(server, log);
        var bytes = new byte[(int)DeviceLook.HeadCheckFrom + 1000];
        RandomNumberGenerator.Fill(bytes);
        var local = _kit.Dir.Combine("app.bin");
        File.WriteAllBytes(local, bytes);
        var expected = ExpectedBinary.Of(local, bytes.Length, Convert.ToHexStringLower(SHA256.HashData(bytes)), Convert.ToHexStringLower(MD5.HashData(bytes)));
        var installed = Path.Combine(server.UsrBin, "app");
        DeviceLook Look() => DeviceLook.Run(connection, "/usr/bin/app", expected);

        var none = Look();
        Assert.False(none.State.Exists);
        Assert.False(none.Same);

        // The same bytes, put there by hand: identical, but not "the same deploy" until crossboard's record lists them.
        File.WriteAllBytes(installed, bytes);
        var unrecorded = Look();
        Assert.False(unrecorded.Same);
        Assert.True(unrecorded.Identical);
        Assert.True(unrecorded.Target.Foreign);
        Assert.Equal(InstallRecord.SystemManifest, unrecorded.Manifest);

        Directory.CreateDirectory(Path.Combine(server.Etc, "crossboard"));
        File.WriteAllText(Path.Combine(server.Etc, "crossboard", "installed"),
            $"{InstallRecord.Header}\napp md5:{expected.Md5} {bytes.Length} 2026-01-01T00:00:00Z {TestApp.BoardName} /usr/bin/app\n");
        var same = Look();
        Assert.True(same.Same);
        Assert.Equal(new InstalledFile("app", "md5:" + expected.Md5, bytes.Length, "2026-01-01T00:00:00Z", TestApp.BoardName, "/usr/bin/app"), same.Target.Record);
        // With busybox's md5sum, the faster of its two (DeviceFacts.VerifyTool).
        Assert.Equal(expected.Md5, same.State.Checksum);
        Assert.True(same.Facts.IsRoot);
        Assert.Equal(Privilege.Root, same.Privilege);

        // A symbolic link to the same bytes is the same binary, as md5sum sees it.
        File.Move(installed, installed + ".real");
        File.CreateSymbolicLink(installed, "app.real");
        Assert.True(Look().Same);
        File.Delete(installed);

        File.WriteAllBytes(installed, bytes[..^1]);
        var shorter = Look();
        Assert.False(shorter.Same);
        Assert.Equal("size", shorter.State.Differs);
        Assert.Null(shorter.State.Checksum);
        Assert.Equal(bytes.Length - 1, shorter.State.Size);

        var firstByte = bytes.ToArray();
        firstByte[0] ^= 0xff;
        File.WriteAllBytes(installed, firstByte);
        var head = Look();
        Assert.False(head.Same);
        Assert.Equal("head", head.State.Differs);
        Assert.Null(head.State.Checksum);

        // Only the last byte differs: neither cheap look can tell, the full checksum does.
        var lastByte = bytes.ToArray();
        lastByte[^1] ^= 0xff;
        File.WriteAllBytes(installed, lastByte);
        var tail = Look();
        Assert.False(tail.Same);
        Assert.Null(tail.State.Differs);
        Assert.Equal(Convert.ToHexStringLower(MD5.HashData(lastByte)), tail.State.Checksum);
        Assert.True(tail.State.FreeBytes > 0, "free space is looked up when something will be uploaded");
    }

    [Theory]
    [InlineData(SshServerKind.Dropbear)]
    [InlineData(SshServerKind.OpenSsh)]
    public void An_upload_that_does_not_match_its_checksum_is_removed_and_the_device_keeps_its_binary(SshServerKind kind)
    {
        var server = _kit.Start(new DeviceServerOptions { Kind = kind, Sftp = kind == SshServerKind.OpenSsh });
        var target = DeployKit.Target(server, [server.AdminKey]);
        var deployer = new Deployer(_kit.Settings(smokeVersion: "v1"), _kit.Log);
        deployer.Deploy(target, _kit.App("v1"), cancellation: Cancel);
        var v2 = _kit.App("v2", paddingBytes: 300_000);
        // What the build says it made is not what arrives: as if bytes were damaged on the way.
        // (The device's busybox sh runs its own applets before any on PATH, so a test cannot
        // slip a damaging cat in.) The device checks an upload with md5sum, the faster of its two.
        var damaged = v2 with { Md5 = new string('0', 32) };

        var error = Assert.Throws<CrossboardException>(() =>
            new Deployer(_kit.Settings(smokeVersion: "v2"), _kit.Log).Deploy(target, damaged, cancellation: Cancel));

        Assert.Contains("The upload arrived damaged", error.Message);
        Assert.Contains($"md5sum of /usr/bin/{_kit.AppName}.new is {v2.Md5}, expected {damaged.Md5}", error.Message);
        Assert.Contains("the device keeps its previous binary", error.Message);
        Assert.Equal("v1", _kit.VersionOnDevice(server));
        Assert.False(File.Exists(Path.Combine(server.UsrBin, _kit.AppName + ".new")));
    }

    [Fact]
    public void A_deploy_takes_over_the_connection_opened_while_building()
    {
        var server = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.Dropbear });
        var target = DeployKit.Target(server, [server.AdminKey]);
        using var early = new EarlyConnection(() => target, _kit.Settings());
        var settings = _kit.Settings(smokeVersion: "v1") with { EarlyConnection = early };

        var result = new Deployer(settings, _kit.Log).Deploy(target, _kit.App("v1"), cancellation: Cancel);

        Assert.Equal("deployed", result.Outcome);
        Assert.Contains("Using the connection opened while building", File.ReadAllText(result.LogFile!));
        Assert.Equal("v1", _kit.VersionOnDevice(server));
        // Taken once: the next deploy connects by itself.
        Assert.Null(early.Take(target, new DeviceLog(_kit.Log, null, null)));
    }

    [Fact]
    public void A_connection_opened_early_to_another_device_or_that_failed_is_not_used_and_the_deploy_connects_itself()
    {
        var server = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.Dropbear, Address = "127.0.0.1" });
        var other = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.Dropbear, Address = "127.0.0.2" });
        var target = DeployKit.Target(server, [server.AdminKey]);
        var app = _kit.App("v1");

        using (var elsewhere = new EarlyConnection(() => DeployKit.Target(other, [other.AdminKey]), _kit.Settings()))
        {
            var result = new Deployer(_kit.Settings(smokeVersion: "v1") with { EarlyConnection = elsewhere }, _kit.Log).Deploy(target, app, cancellation: Cancel);
            Assert.Equal("deployed", result.Outcome);
            Assert.Contains("not to this device: connecting now", File.ReadAllText(result.LogFile!));
        }

        // Nothing listens there: the early attempt fails quietly, the deploy's own connection works.
        var nowhere = target with { Port = DeviceServer.FreePort() };
        using (var failed = new EarlyConnection(() => nowhere, _kit.Settings()))
        {
            var result = new Deployer(_kit.Settings(smokeVersion: "v1") with { EarlyConnection = failed }, _kit.Log).Deploy(target, app, cancellation: Cancel);
            Assert.Equal("unchanged", result.Outcome);
            Assert.Contains("The connection opened while building failed", File.ReadAllText(result.LogFile!));
        }

        Assert.DoesNotContain("[warning]", _kit.Log.Text);
    }

    [Fact]
    public void The_transfer_can_be_chosen_and_an_unavailable_one_is_refused_before_anything_is_uploaded()
    {
        var openssh = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.OpenSsh, Sftp = true, Address = "127.0.0.1" });
        var dropbear = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.Dropbear, Address = "127.0.0.2" });
        var app = _kit.App("v1", paddingBytes: 100_000);

        var exec = new Deployer(_kit.Settings(smokeVersion: "v1") with { Transfer = TransferPreference.Exec }, _kit.Log)
            .Deploy(DeployKit.Target(openssh, [openssh.AdminKey]), app, cancellation: Cancel);
        Assert.Equal(TransferMethod.Exec, exec.Method);
        Assert.Equal(app.Sha256, DeployKit.Sha256(Path.Combine(openssh.UsrBin, _kit.AppName)));

        var error = Assert.Throws<CrossboardException>(() =>
            new Deployer(_kit.Settings(smokeVersion: "v1") with { Transfer = TransferPreference.Sftp }, _kit.Log)
                .Deploy(DeployKit.Target(dropbear, [dropbear.AdminKey]), app, cancellation: Cancel));
        Assert.Contains("--transfer=sftp", error.Message);
        Assert.Contains("has no SFTP server", error.Message);
        Assert.False(File.Exists(Path.Combine(dropbear.UsrBin, _kit.AppName)));
        Assert.False(File.Exists(Path.Combine(dropbear.UsrBin, _kit.AppName + ".new")));
    }

    [Fact]
    public void The_automatic_order_is_exec_then_sftp_then_scp_and_sudo_needs_the_exec_channel()
    {
        var server = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.OpenSsh, Sftp = true, Scp = true });
        using var log = new DeviceLog(_kit.Log, null, null);
        using var connection = Connect(server, log);
        var facts = DeviceLook.Run(connection, "/usr/bin/app").Facts;

        Assert.True(facts.Has("cat"));
        Assert.Equal(TransferMethod.Exec, new TransferSelector(connection, facts, log).Choose("").Method);
        // A device whose shell has no cat: SFTP, which this one serves; without that, its scp.
        var noCat = facts with { Commands = facts.Commands.Where(c => c != "cat").ToHashSet() };
        Assert.Equal(TransferMethod.Sftp, new TransferSelector(connection, noCat, log).Choose("").Method);
        Assert.Equal(TransferMethod.Scp, new TransferSelector(connection, noCat, log, TransferPreference.Scp).Choose("").Method);
        // Under sudo only an exec channel can write.
        Assert.Equal(TransferMethod.Exec, new TransferSelector(connection, facts, log).Choose("sudo -n ").Method);
    }
}
