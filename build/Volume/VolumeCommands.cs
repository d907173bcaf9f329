using Crossboard.Machine;

namespace Crossboard.Volume;

/// <summary>
/// The commands that make a case-sensitive volume, one builder per platform, so that what runs
/// and what an error message tells the user to run are the same text.
/// </summary>
public static class VolumeCommands
{
    public const string Label = "crossboard-sdk";

    // Linux: a sparse ext4 image, loop-mounted (needs root).
    public static ProcessSpec LinuxFormat(string image) => new("mkfs.ext4", "-q", "-F", "-L", Label, image);
    public static ProcessSpec LinuxMount(string image, string mountPoint) => new("mount", "-o", "loop", image, mountPoint);
    public static ProcessSpec LinuxUnmount(string mountPoint) => new("umount", mountPoint);
    public static ProcessSpec LinuxCreateSparse(string image, long sizeMb) => new("truncate", "-s", Size(sizeMb).ToUpperInvariant(), image);

    // macOS: a sparse "Case-sensitive APFS" disk image (hdiutil appends .sparseimage), attached at the SDK folder.
    public static ProcessSpec MacCreate(string imageWithoutExtension, long sizeMb) =>
        new("hdiutil", "create", "-size", Size(sizeMb), "-type", "SPARSE", "-fs", "Case-sensitive APFS", "-volname", Label, imageWithoutExtension);

    public static ProcessSpec MacAttach(string sparseImage, string mountPoint) =>
        new("hdiutil", "attach", "-nobrowse", "-mountpoint", mountPoint, sparseImage);

    // Windows 10 1803+: a per-directory flag; needs the WSL feature (or Developer Mode) and an empty folder.
    public static ProcessSpec WindowsEnable(string dir) => new("fsutil.exe", "file", "setCaseSensitiveInfo", dir, "enable");

    /// <summary>"20g" or "128m": the size as truncate (upper-cased) and hdiutil take it.</summary>
    public static string Size(long sizeMb) => sizeMb % 1024 == 0 ? $"{sizeMb / 1024}g" : $"{sizeMb}m";

    /// <summary>The commands as a user runs them, with sudo where root is needed.</summary>
    public static string Render(IEnumerable<ProcessSpec> specs, bool sudo) =>
        string.Join(Environment.NewLine, specs.Select(s => "  " + (sudo ? "sudo " : "") + s));
}
