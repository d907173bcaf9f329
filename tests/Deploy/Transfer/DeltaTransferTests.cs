using System.Security.Cryptography;
using Crossboard.Artifacts;
using Crossboard.Deploy;
using Crossboard.Tests.Fixtures.Ssh;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Deploy;

/// <summary>
/// Redeploys that send only what changed, or the whole binary compressed, against real dropbear
/// devices with busybox: the file installed is the build, byte for byte (checked on the device and
/// here), and whatever the device lacks or whatever goes wrong falls back to the whole binary.
/// </summary>
[Tier(TestTier.NeedsNamespaces)]
public sealed class DeltaTransferTests : IDisposable
{
    private readonly DeployKit _kit = new("delta");

    public void Dispose() => _kit.Dispose();

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static byte[] Random(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>The test app at <paramref name="version"/> followed by <paramref name="rest"/> (what stands for the rest of a real binary).</summary>
    private BuiltArtifact Build(string version, byte[] rest)
    {
        var dir = _kit.Dir.Combine("delta-build", version);
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, _kit.AppName);
        File.WriteAllBytes(path, [.. TestApp.Bytes(new TestAppBuild(_kit.AppName, version, _kit.AppPort)), .. rest]);
        return BuiltArtifact.Of(path, _kit.AppName, "x86_64-unknown-linux-gnu", "test app " + version);
    }

    /// <summary><paramref name="rest"/> with a one-line change's shape: a few bytes inserted and a few changed.</summary>
    private static byte[] Changed(byte[] rest, int seed, int inserted = 200)
    {
        var list = rest.ToList();
        list.InsertRange(rest.Length / 3, Random(inserted, seed));
        for (var at = 5000; at < list.Count; at += 97_000)
        {
            list[at] ^= 0x33;
        }

        return list.ToArray();
    }

    private DeploySettings Settings(string version, DeviceServer server) => _kit.Settings(smokeVersion: version) with { SentDir = _kit.Dir.Combine("sent") };

    private DeviceResult Deploy(DeviceServer server, BuiltArtifact app, string version, DeploySettings? settings = null) =>
        new Deployer(settings ?? Settings(version, server), _kit.Log).Deploy(DeployKit.Target(server, [server.AdminKey]), app, cancellation: Cancel);

    private string Installed(DeviceServer server) => DeployKit.Sha256(Path.Combine(server.UsrBin, _kit.AppName));

    [Fact]
    public void A_changed_build_goes_as_only_what_changed_and_the_device_assembles_the_exact_build()
    {
        var server = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.Dropbear });
        var rest = Random(1_500_000, 1);
        var v1 = Build("v1", rest);
        Assert.Equal(TransferMethod.Exec, Deploy(server, v1, "v1").Method);
        var v2 = Build("v2", Changed(rest, 2));

        var result = Deploy(server, v2, "v2");

        Assert.Equal(TransferMethod.ExecDelta, result.Method);
        Assert.True(result.BytesSent < v2.Size / 20, $"sent {result.BytesSent} of {v2.Size}");
        Assert.Contains($"Sending only what changed in {_kit.AppName}", _kit.Log.Text);
        Assert.Contains("Verified", _kit.Log.Text);
        Assert.Equal(v2.Sha256, Installed(server));
        Assert.Equal(v1.Sha256, DeployKit.Sha256(Path.Combine(server.UsrBin, _kit.AppName + ".bak")));
        Assert.Equal("v2", _kit.VersionOnDevice(server));
        Assert.False(File.Exists(Path.Combine(server.UsrBin, _kit.AppName + ".new")));
    }

    [Fact]
    public void Compressed_whole_binary_decompresses_on_the_device_to_the_exact_build_and_is_verified_there()
    {
        var server = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.Dropbear });
        var app = _kit.App("v1", paddingBytes: 1_000_000, compressiblePadding: true);

        var result = Deploy(server, app, "v1", Settings("v1", server) with { Compression = CompressionMode.Always });

        Assert.Equal(TransferMethod.ExecGzip, result.Method);
        Assert.True(result.BytesSent < app.Size * 3 / 4, $"sent {result.BytesSent} of {app.Size}");
        Assert.Matches($@"Verified /usr/bin/{_kit.AppName}\.new on the device \(md5sum {app.Md5[..12]}", _kit.Log.Text);
        Assert.Equal(app.Sha256, Installed(server));
    }

    [Fact]
    public void Without_gunzip_the_changes_go_uncompressed_and_without_tail_the_whole_binary_goes()
    {
        var server = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.Dropbear });
        // busybox-static's own shell finds every applet without its link: the device's shell is
        // dash here, so that a command whose link is gone is gone (as on a trimmed firmware).
        File.Delete(Path.Combine(server.UsrBin, "sh"));
        File.Copy("/usr/bin/dash", Path.Combine(server.UsrBin, "sh"));
        foreach (var applet in new[] { "gunzip", "gzip", "zcat" })
        {
            File.Delete(Path.Combine(server.UsrBin, applet));
        }

        var rest = Random(1_000_000, 3);
        Deploy(server, Build("v1", rest), "v1");
        var v2 = Build("v2", Changed(rest, 4));
        var delta = Deploy(server, v2, "v2");
        Assert.Equal(TransferMethod.ExecDelta, delta.Method);
        Assert.True(delta.BytesSent < v2.Size / 10, $"sent {delta.BytesSent} of {v2.Size}");
        Assert.DoesNotContain(", gzip-compressed)", _kit.Log.Text);
        Assert.Equal(v2.Sha256, Installed(server));

        File.Delete(Path.Combine(server.UsrBin, "tail"));
        var v4 = Build("v4", Changed(rest, 6));
        var whole = Deploy(server, v4, "v4");
        Assert.Equal(TransferMethod.Exec, whole.Method);
        Assert.Equal(v4.Size, whole.BytesSent);
        Assert.Contains("The device lacks tail or head: sending the whole binary", File.ReadAllText(whole.LogFile!));
        Assert.Equal(v4.Sha256, Installed(server));
    }

    [Fact]
    public void A_binary_changed_on_the_device_fails_the_assembled_checksum_and_the_whole_binary_goes_instead()
    {
        var server = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.Dropbear });
        var rest = Random(1_000_000, 7);
        Deploy(server, Build("v1", rest), "v1");
        // Edited on the device behind crossboard's back: a byte in the middle, and one more at the end
        // (so the look sees a size change and does not checksum it; the record still names v1).
        var onDevice = Path.Combine(server.UsrBin, _kit.AppName);
        var bytes = File.ReadAllBytes(onDevice);
        bytes[bytes.Length / 2] ^= 0xff;
        File.WriteAllBytes(onDevice + ".edit", [.. bytes, 0]);
        if (OperatingSystem.IsLinux())
        {
            File.SetUnixFileMode(onDevice + ".edit", (UnixFileMode)0b111_101_101);
        }

        File.Move(onDevice + ".edit", onDevice, overwrite: true);
        var v2 = Build("v2", Changed(rest, 8));

        var result = Deploy(server, v2, "v2");

        Assert.True(result.Succeeded);
        Assert.NotEqual(TransferMethod.ExecDelta, result.Method);
        Assert.Contains("did not match the build", _kit.Log.Text);
        Assert.Equal(v2.Sha256, Installed(server));
        Assert.Equal("v2", _kit.VersionOnDevice(server));
    }

    [Fact]
    public void A_device_killed_during_a_delta_upload_keeps_its_old_binary_and_runs_it()
    {
        var server = _kit.Start(new DeviceServerOptions { Kind = SshServerKind.Dropbear });
        var rest = Random(6_000_000, 9);
        var v1 = Build("v1", rest);
        Deploy(server, v1, "v1");
        // 600 KB of new, incompressible data: the delta is several chunks, and the power goes in the first third.
        var v2 = Build("v2", Changed(rest, 10, inserted: 600_000));
        var killed = 0;
        var settings = Settings("v2", server) with
        {
            OnUploadProgress = (done, total) =>
            {
                if (done > total / 3 && Interlocked.Exchange(ref killed, 1) == 0)
                {
                    server.Kill();
                }
            },
        };

        var error = Assert.ThrowsAny<Exception>(() => Deploy(server, v2, "v2", settings));

        Assert.Equal(1, killed);
        Assert.Contains("The device keeps its previous binary", error.Message);
        Assert.Contains("exec channel, delta", _kit.Log.Text);
        Assert.Equal(v1.Sha256, Installed(server));
        var restarted = server.Restart();
        _kit.Own(restarted);
        Assert.Equal("v1", _kit.VersionOnDevice(restarted));
        var again = Deploy(restarted, v2, "v2");
        Assert.Equal(TransferMethod.ExecDelta, again.Method);
        Assert.Equal(v2.Sha256, Installed(restarted));
    }
}
