using Crossboard.Machine;

namespace Crossboard.Volume;

public enum HostPlatform
{
    Linux,
    MacOS,
    Windows,
}

/// <summary>What PrepareVolume found or did for the SDK folder.</summary>
public sealed record VolumeResult(string Dir, string Action, string? Image = null);

/// <summary>
/// Makes the SDK folder (work-dir/sdk) case-sensitive, which OpenWrt's build requires. Already
/// case-sensitive (most Linux filesystems): nothing to do. Otherwise: Linux loop-mounts an ext4
/// image (root needed; otherwise the exact commands to run), macOS creates (or reuses) and
/// attaches a sparse "Case-sensitive APFS" image, Windows sets the folder's case-sensitive flag
/// (or points to WSL and --docker). Images live in the work dir, sparse, sized by --sdk-volume-size.
/// </summary>
public sealed class SdkVolume(IBuildLog log, HostPlatform platform, bool isRoot, ICommandRunner? host = null)
{
    public const int DefaultSizeGb = 20;

    private readonly ICommandRunner _host = host ?? LocalCommandRunner.Instance;

    public static HostPlatform CurrentPlatform =>
        OperatingSystem.IsWindows() ? HostPlatform.Windows : OperatingSystem.IsMacOS() ? HostPlatform.MacOS : HostPlatform.Linux;

    public static bool CurrentUserIsRoot => !OperatingSystem.IsWindows() && Environment.UserName == "root";

    public static string LinuxImage(string workDir) => Path.Combine(workDir, "sdk-volume.img");
    public static string MacImage(string workDir) => Path.Combine(workDir, "sdk-volume");

    /// <param name="sizeMb">The image's size (sparse where the filesystem allows); --sdk-volume-size gives it in GB.</param>
    public VolumeResult Prepare(string workDir, string sdkDir, long sizeMb = DefaultSizeGb * 1024L, CancellationToken cancellation = default)
    {
        if (sizeMb < 64)
        {
            throw new CrossboardException($"--sdk-volume-size: {sizeMb} MB is too small; give the size in GB, at least 1 (OpenWrt's toolchain build needs 10-15 GB).");
        }

        Directory.CreateDirectory(sdkDir);
        if (CaseSensitivity.IsCaseSensitive(sdkDir))
        {
            log.Information($"{sdkDir} is case-sensitive; nothing to do.");
            return new VolumeResult(sdkDir, "already case-sensitive");
        }

        if (Directory.EnumerateFileSystemEntries(sdkDir).Any())
        {
            throw new CrossboardException(
                $"{sdkDir} is on a case-insensitive filesystem and is not empty, so a case-sensitive volume cannot be put there. Move its contents away (an SDK tree made there is not usable: OpenWrt refuses case-insensitive filesystems), then run again.");
        }

        return platform switch
        {
            HostPlatform.Linux => PrepareLinux(workDir, sdkDir, sizeMb, cancellation),
            HostPlatform.MacOS => PrepareMac(workDir, sdkDir, sizeMb, cancellation),
            _ => PrepareWindows(sdkDir, cancellation),
        };
    }

    private VolumeResult PrepareLinux(string workDir, string sdkDir, long sizeMb, CancellationToken cancellation)
    {
        var image = LinuxImage(workDir);
        var exists = File.Exists(image);
        if (!isRoot)
        {
            var steps = exists
                ? new[] { VolumeCommands.LinuxMount(image, sdkDir) }
                : [VolumeCommands.LinuxCreateSparse(image, sizeMb), VolumeCommands.LinuxFormat(image), VolumeCommands.LinuxMount(image, sdkDir)];
            throw new CrossboardException(
                $"{sdkDir} is on a case-insensitive filesystem; OpenWrt builds only on a case-sensitive one. Mounting a case-sensitive ext4 image there needs root. Run:{Environment.NewLine}" +
                VolumeCommands.Render(steps, sudo: true) + Environment.NewLine +
                $"  sudo chown \"$(id -u):$(id -g)\" {sdkDir}{Environment.NewLine}then run crossboard again (or choose a --work-dir on a case-sensitive filesystem).");
        }

        if (!exists)
        {
            log.Information($"{sdkDir} is case-insensitive: creating a {VolumeCommands.Size(sizeMb)} sparse ext4 image {image} for it.");
            try
            {
                using (var file = new FileStream(image, FileMode.CreateNew))
                {
                    file.SetLength(sizeMb << 20);
                }

                _host.RunChecked(VolumeCommands.LinuxFormat(image), $"Formatting {image} as ext4 failed", cancellation);
            }
            catch
            {
                File.Delete(image);
                throw;
            }
        }
        else
        {
            log.Information($"{sdkDir} is case-insensitive: mounting the existing image {image} there.");
        }

        _host.RunChecked(VolumeCommands.LinuxMount(image, sdkDir), $"Mounting {image} on {sdkDir} failed", cancellation);
        return Checked(sdkDir, new VolumeResult(sdkDir, exists ? "mounted the existing ext4 image" : "created and mounted an ext4 image", image));
    }

    private VolumeResult PrepareMac(string workDir, string sdkDir, long sizeMb, CancellationToken cancellation)
    {
        var image = MacImage(workDir) + ".sparseimage";
        var exists = File.Exists(image);
        if (!exists)
        {
            log.Information($"{sdkDir} is case-insensitive: creating a {VolumeCommands.Size(sizeMb)} sparse Case-sensitive APFS image {image}.");
            _host.RunChecked(VolumeCommands.MacCreate(MacImage(workDir), sizeMb), $"Creating {image} failed", cancellation);
        }
        else
        {
            log.Information($"{sdkDir} is case-insensitive: attaching the existing image {image} there.");
        }

        _host.RunChecked(VolumeCommands.MacAttach(image, sdkDir), $"Attaching {image} at {sdkDir} failed", cancellation);
        return Checked(sdkDir, new VolumeResult(sdkDir, exists ? "attached the existing APFS image" : "created and attached a case-sensitive APFS image", image));
    }

    private VolumeResult PrepareWindows(string sdkDir, CancellationToken cancellation)
    {
        var spec = VolumeCommands.WindowsEnable(sdkDir);
        var result = _host.Run(spec, cancellation);
        if (!result.Succeeded)
        {
            throw new CrossboardException(
                $"{sdkDir} is case-insensitive and `{spec}` failed ({ProcessRunner.TailOf(result.StandardOutput + result.StandardError, 3)}). " +
                "OpenWrt does not build natively on Windows anyway: run crossboard inside WSL (on its own ext4 filesystem, not /mnt/c), or use --docker.");
        }

        return Checked(sdkDir, new VolumeResult(sdkDir, "set the folder's case-sensitive flag"));
    }

    private VolumeResult Checked(string sdkDir, VolumeResult result)
    {
        if (!CaseSensitivity.IsCaseSensitive(sdkDir))
        {
            throw new CrossboardException($"{sdkDir} is still case-insensitive after: {result.Action}. Check the mount (mount | grep {sdkDir}).");
        }

        log.Information($"{sdkDir}: {result.Action}; it is case-sensitive now.");
        return result;
    }
}
