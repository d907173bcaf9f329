namespace Crossboard.Deploy;

/// <summary>
/// Builds the POSIX shell text sent to the device. Devices run busybox ash (OpenWrt) or bash
/// (Raspberry Pi OS): everything here is plain POSIX sh and busybox applets.
/// </summary>
public static class RemoteShell
{
    /// <summary>One word for the remote shell, whatever the text holds (single quotes, spaces, $).</summary>
    public static string Quote(string text) => "'" + text.Replace("'", "'\\''") + "'";

    /// <summary>The directory part of a device path ("/usr/bin/app" gives "/usr/bin").</summary>
    public static string DirectoryOf(string path)
    {
        var slash = path.TrimEnd('/').LastIndexOf('/');
        return slash <= 0 ? "/" : path[..slash];
    }

    /// <summary>A device path joined the Unix way, whatever the host's separator.</summary>
    public static string Join(string directory, string name) => directory.TrimEnd('/') + "/" + name;
}
