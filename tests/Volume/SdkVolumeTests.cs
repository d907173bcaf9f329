using Crossboard.Machine;
using Crossboard.Tests.Support;
using Crossboard.Volume;

namespace Crossboard.Tests.Volume;

/// <summary>
/// PrepareVolume's service on real filesystems, as root: the probe on a real case-insensitive
/// volume (exFAT over FUSE on a loop device, FIELD-NOTES section 7) and the ext4 image it
/// loop-mounts there. (An ordinary folder: CaseSensitivityTests; macOS and Windows: VolumeCommandsTests.)
/// </summary>
[Tier(TestTier.NeedsRoot)]
public sealed class SdkVolumeTests
{
    [Fact]
    public void On_a_case_insensitive_exfat_volume_an_ext4_image_is_made_and_mounted_once()
    {
        if (!SdkVolume.CurrentUserIsRoot)
        {
            Assert.Skip("needs root: loop devices and mounts (CI runs as root)");
        }

        using var exfat = ExfatVolume.Create();
        var work = Path.Combine(exfat.MountPoint, "work");
        var sdk = Path.Combine(work, "sdk");
        Directory.CreateDirectory(work);
        Assert.False(CaseSensitivity.IsCaseSensitive(work)); // the real thing: exFAT does not tell a from A
        var log = new RecordingBuildLog();
        var cancel = TestContext.Current.CancellationToken;

        // Without root: the exact commands to run, nothing done.
        var refused = Assert.Throws<CrossboardException>(() => new SdkVolume(log, HostPlatform.Linux, isRoot: false).Prepare(work, sdk, 128, cancel));
        Assert.Contains("is on a case-insensitive filesystem; OpenWrt builds only on a case-sensitive one", refused.Message);
        Assert.Contains($"  sudo truncate -s 128M {SdkVolume.LinuxImage(work)}", refused.Message);
        Assert.Contains($"  sudo mkfs.ext4 -q -F -L crossboard-sdk {SdkVolume.LinuxImage(work)}", refused.Message);
        Assert.Contains($"  sudo mount -o loop {SdkVolume.LinuxImage(work)} {sdk}", refused.Message);
        Assert.False(File.Exists(SdkVolume.LinuxImage(work)));

        try
        {
            var made = new SdkVolume(log, HostPlatform.Linux, isRoot: true).Prepare(work, sdk, 128, cancel);

            Assert.Equal("created and mounted an ext4 image", made.Action);
            Assert.Equal(SdkVolume.LinuxImage(work), made.Image);
            Assert.True(CaseSensitivity.IsCaseSensitive(sdk));
            Assert.Contains($" {sdk} ext4 ", File.ReadAllText("/proc/self/mounts"));

            var again = new SdkVolume(log, HostPlatform.Linux, isRoot: true).Prepare(work, sdk, 128, cancel);
            Assert.Equal("already case-sensitive", again.Action);

            // After an unmount (a reboot), the existing image is mounted again, keeping what it held.
            File.WriteAllText(Path.Combine(sdk, "Kept"), "x");
            ProcessRunner.RunChecked(VolumeCommands.LinuxUnmount(sdk), "umount", cancel);
            var remounted = new SdkVolume(log, HostPlatform.Linux, isRoot: true).Prepare(work, sdk, 128, cancel);
            Assert.Equal("mounted the existing ext4 image", remounted.Action);
            Assert.True(File.Exists(Path.Combine(sdk, "Kept")));
            Assert.False(File.Exists(Path.Combine(sdk, "kept")));
        }
        finally
        {
            ProcessRunner.Run(VolumeCommands.LinuxUnmount(sdk), CancellationToken.None);
        }
    }

    [Fact]
    public void A_non_empty_case_insensitive_folder_is_refused_before_anything_is_mounted_over_it()
    {
        if (!SdkVolume.CurrentUserIsRoot)
        {
            Assert.Skip("needs root: loop devices and mounts (CI runs as root)");
        }

        using var exfat = ExfatVolume.Create();
        var sdk = Path.Combine(exfat.MountPoint, "sdk");
        Directory.CreateDirectory(Path.Combine(sdk, "openwrt-24.10"));

        var error = Assert.Throws<CrossboardException>(() =>
            new SdkVolume(new RecordingBuildLog(), HostPlatform.Linux, isRoot: true).Prepare(exfat.MountPoint, sdk, 128, TestContext.Current.CancellationToken));

        Assert.Contains("is on a case-insensitive filesystem and is not empty", error.Message);
        Assert.True(Directory.Exists(Path.Combine(sdk, "openwrt-24.10")));
        Assert.False(File.Exists(SdkVolume.LinuxImage(exfat.MountPoint)));
    }


    /// <summary>A real exFAT filesystem over FUSE on a loop device (case-insensitive, case-preserving), removed on dispose.</summary>
    private sealed class ExfatVolume : IDisposable
    {
        private readonly TempDir _dir = new("exfat");
        private string? _device;

        public string MountPoint => _dir.Combine("mnt");

        public static ExfatVolume Create()
        {
            var volume = new ExfatVolume();
            try
            {
                var image = volume._dir.Combine("exfat.img");
                using (var file = File.Create(image))
                {
                    file.SetLength(512L << 20);
                }

                ProcessRunner.RunChecked(new ProcessSpec("mkfs.exfat", image), "mkfs.exfat");
                volume._device = ProcessRunner.RunChecked(new ProcessSpec("losetup", "-f", "--show", image), "losetup").StandardOutput.Trim();
                Directory.CreateDirectory(volume.MountPoint);
                ProcessRunner.RunChecked(new ProcessSpec("mount.exfat-fuse", volume._device, volume.MountPoint), "mount.exfat-fuse");
                return volume;
            }
            catch
            {
                volume.Dispose();
                throw;
            }
        }

        public void Dispose()
        {
            ProcessRunner.Run(new ProcessSpec("umount", MountPoint));
            if (_device is not null)
            {
                ProcessRunner.Run(new ProcessSpec("losetup", "-d", _device));
            }

            _dir.Dispose();
        }
    }
}
