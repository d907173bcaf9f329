using Crossboard.Emulator;
using Crossboard.Machine;
using Crossboard.Recipes;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Emulator;

/// <summary>The device image: made of real Debian mipsel packages, cached, rebuilt only on change.</summary>
[Tier(TestTier.Slow)]
[Collection(EmulatorCollection.Name)]
public sealed class DeviceImageTests(EmulatorFixture fixture) : IDisposable
{
    private readonly TempDir _recipes = new("emu-recipes");

    public void Dispose() => _recipes.Dispose();

    [Fact]
    public void The_image_is_built_once_and_a_second_build_is_a_no_op()
    {
        Assert.Contains(fixture.FirstBuildLog.Lines, l => l.StartsWith("Building the device image for malta-le: kernel linux-image-", StringComparison.Ordinal));
        var kernelTime = File.GetLastWriteTimeUtc(fixture.Image.Kernel);
        var initramfsTime = File.GetLastWriteTimeUtc(fixture.Image.Initramfs);

        var log = new RecordingBuildLog();
        var again = fixture.BuildImage(fixture.WorkDir, fixture.Board, log);

        Assert.Equal(fixture.Image, again with { Packages = fixture.Image.Packages });
        Assert.Equal(fixture.Image.Packages, again.Packages);
        Assert.Contains($"Device image for malta-le is up to date ({Path.Combine(fixture.WorkDir, "emulator", "malta-le", "image")})", log.Lines);
        Assert.DoesNotContain(log.Lines, l => l.StartsWith("Downloading", StringComparison.Ordinal) || l.Contains("Building", StringComparison.Ordinal));
        Assert.Equal(kernelTime, File.GetLastWriteTimeUtc(again.Kernel));
        Assert.Equal(initramfsTime, File.GetLastWriteTimeUtc(again.Initramfs));
    }

    [Fact]
    public void The_image_holds_busybox_dropbear_and_the_libraries_they_load_but_no_sftp_server_or_scp()
    {
        var entries = CpioEntries.Read(fixture.Image.Initramfs);

        Assert.True(entries["init"].IsFile && (entries["init"].Permissions & 0b001_000_000) != 0, "/init must be executable");
        Assert.True(entries["bin/busybox"].IsFile);
        Assert.True(entries["usr/sbin/dropbear"].IsFile);
        Assert.True(entries["lib/ld.so.1"].IsSymlink);
        Assert.True(entries["lib/mipsel-linux-gnu/libc.so.6"].IsFile);
        // Found through libtomcrypt's ELF header: dropbear-bin's own dependencies do not list it.
        Assert.True(entries.ContainsKey("usr/lib/mipsel-linux-gnu/libgmp.so.10"));
        Assert.True(entries["lib/modules/pcnet32.ko"].IsFile);
        Assert.True(entries["lib/modules/mii.ko"].IsFile);
        Assert.True(entries["dev/console"].IsCharDevice && entries["dev/console"].RdevMajor == 5 && entries["dev/console"].RdevMinor == 1);
        Assert.Equal("tmp", entries["var"].Text);

        Assert.DoesNotContain(entries.Keys, p => p.Contains("sftp", StringComparison.Ordinal) || p.EndsWith("/scp", StringComparison.Ordinal) || p.Contains("openssh", StringComparison.Ordinal));

        var authorized = entries["root/.ssh/authorized_keys"];
        Assert.Equal(File.ReadAllText(fixture.Image.DeployKey + ".pub").Trim(), authorized.Text.Trim());
        Assert.Equal(0b110_000_000, authorized.Permissions);
        Assert.Equal(0b111_000_000, entries["root/.ssh"].Permissions);
        Assert.Equal(0b111_000_000, entries["root"].Permissions);
        Assert.Contains(DeviceImage.ReadyMarker, entries["etc/init.d/rcS"].Text);
        Assert.Contains("insmod", entries["etc/init.d/rcS"].Text);
        Assert.Equal(Path.Combine(fixture.WorkDir, "keys", "id_ed25519"), fixture.Image.DeployKey);
    }

    [Fact]
    public void The_host_key_in_the_image_is_the_one_whose_fingerprint_is_recorded()
    {
        var entries = CpioEntries.Read(fixture.Image.Initramfs);
        var key = fixture.NewWorkDir("hostkey");
        var keyFile = Path.Combine(key, "dropbear_ed25519_host_key");
        File.WriteAllBytes(keyFile, entries["etc/dropbear/dropbear_ed25519_host_key"].Data);

        // dropbear's own tool reads the converted key back (dropbear-bin is a test prerequisite).
        var dropbearkey = ProcessRunner.Which("dropbearkey");
        if (dropbearkey is null)
        {
            Assert.Skip("dropbearkey is not installed (tests/setup/install-prereqs.sh installs dropbear-bin)");
        }

        var shown = ProcessRunner.RunChecked(new ProcessSpec(dropbearkey, "-y", "-f", keyFile), "dropbearkey -y", TestContext.Current.CancellationToken);
        Assert.Contains($"Fingerprint: {fixture.Image.HostKeyFingerprint}", shown.StandardOutput);

        var openssh = ProcessRunner.RunChecked(new ProcessSpec("ssh-keygen", "-lf", Path.Combine(fixture.WorkDir, "emulator", "malta-le", "keys", "ssh_host_ed25519_key.pub")), "ssh-keygen -lf", TestContext.Current.CancellationToken);
        Assert.Contains(fixture.Image.HostKeyFingerprint, openssh.StandardOutput);
    }

    [Fact]
    public void A_changed_boot_script_rebuilds_the_image_and_keeps_the_keys()
    {
        var workDir = fixture.NewWorkDir("rebuild");
        var first = fixture.BuildImage(workDir, fixture.Board);

        var log = new RecordingBuildLog();
        var changed = fixture.BuildImage(workDir, fixture.Board, log, bootScript: "#!/bin/sh\necho changed\n");

        Assert.NotEqual(first.Stamp, changed.Stamp);
        Assert.Contains(log.Lines, l => l.StartsWith("Rebuilding the device image for malta-le: its boot scripts, keys or recipe settings changed", StringComparison.Ordinal));
        Assert.Equal(first.HostKeyFingerprint, changed.HostKeyFingerprint);
        Assert.Equal("#!/bin/sh\necho changed\n", CpioEntries.Read(changed.Initramfs)["etc/init.d/rcS"].Text);
        Assert.Equal(["image", "keys"], Directory.GetFileSystemEntries(Path.Combine(workDir, "emulator", "malta-le"))
            .Select(Path.GetFileName).Where(n => !n!.StartsWith('.')).Order(StringComparer.Ordinal).ToArray());
    }

    [Fact]
    public void A_kernel_module_the_kernel_lacks_fails_clearly_and_keeps_the_previous_image()
    {
        var workDir = fixture.NewWorkDir("badmodule");
        var good = fixture.BuildImage(workDir, fixture.Board);
        var board = OverriddenBoard("nic-modules = [\"mii\", \"pcnet32\"]", "nic-modules = [\"mii\", \"pcnet33\"]");

        var error = Assert.Throws<CrossboardException>(() => fixture.BuildImage(workDir, board));

        Assert.Contains(board.SourceFile, error.Message);
        Assert.Contains("nic-modules names 'pcnet33'", error.Message);
        Assert.Contains("has no pcnet33.ko", error.Message);
        var still = DeviceImage.Load(Path.Combine(workDir, "emulator", "malta-le", "image"));
        Assert.NotNull(still);
        Assert.Equal(good.Stamp, still.Stamp);
        Assert.Equal(["image", "keys"], Directory.GetDirectories(Path.Combine(workDir, "emulator", "malta-le"))
            .Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()); // no half-built image beside it
    }

    [Fact]
    public void The_sftp_switch_adds_sftp_server_and_scp_and_the_device_then_serves_sftp()
    {
        var board = OverriddenBoard("sftp = false", "sftp = true");
        var workDir = fixture.NewWorkDir("sftp");

        var image = fixture.BuildImage(workDir, board);

        Assert.True(image.Sftp);
        var entries = CpioEntries.Read(image.Initramfs);
        Assert.True(entries["usr/lib/openssh/sftp-server"].IsFile);
        Assert.Equal("openssh/sftp-server", entries["usr/lib/sftp-server"].Text); // where dropbear looks
        Assert.True(entries["usr/bin/scp"].IsFile);

        var instance = new EmulatorMachine(new RecordingBuildLog(), EmulatorFixture.Yes).Start(board, image, workDir);
        try
        {
            var target = EmulatorDevices.Target(instance);
            using var sftp = new Renci.SshNet.SftpClient(new Renci.SshNet.ConnectionInfo(target.Host, target.Port, target.User,
                new Renci.SshNet.PrivateKeyAuthenticationMethod(target.User, new Renci.SshNet.PrivateKeyFile(target.IdentityFiles[0]))));
            sftp.HostKeyReceived += (_, e) => e.CanTrust = "SHA256:" + e.FingerPrintSHA256 == target.HostKeyPin;
            sftp.Connect();
            Assert.Contains(sftp.ListDirectory("/usr/sbin"), f => f.Name == "dropbear");
        }
        finally
        {
            new EmulatorMachine(new RecordingBuildLog(), EmulatorFixture.Yes).Stop(board.Name, workDir);
        }
    }

    /// <summary>malta-le from a recipe folder where one line of the built-in recipe is replaced.</summary>
    private Board OverriddenBoard(string line, string replacement)
    {
        var text = File.ReadAllText(Path.Combine(RepoPaths.Recipes, "malta-le.toml"));
        Assert.Contains(line, text);
        _recipes.Write("malta-le.toml", text.Replace(line, replacement));
        return RecipeCatalog.Load(RepoPaths.Recipes, RepoPaths.Toolchains, _recipes.Path).GetBoard("malta-le");
    }
}
