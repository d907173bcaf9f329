using Crossboard.Host;

namespace Crossboard.Deploy;

/// <summary>
/// What the device's shell offers, probed once per connection with one command: busybox builds
/// differ (OpenWrt trims applets), so nothing is assumed.
/// </summary>
public sealed record DeviceFacts(IReadOnlySet<string> Commands, bool IsRoot)
{
    /// <summary>The commands crossboard may use when present.</summary>
    public static readonly string[] Probed = ["sha256sum", "md5sum", "gunzip", "scp", "setsid", "sudo"];

    public bool Has(string command) => Commands.Contains(command);

    /// <summary>The checksum the device can compute: sha256sum, else md5sum (busybox has both unless trimmed).</summary>
    public string? ChecksumTool => Has("sha256sum") ? "sha256sum" : Has("md5sum") ? "md5sum" : null;

    public static DeviceFacts Probe(DeviceConnection connection)
    {
        var script =
            $"for c in {string.Join(' ', Probed)}; do command -v \"$c\" >/dev/null 2>&1 && echo \"have $c\"; done; " +
            "echo \"uid $(id -u 2>/dev/null)\"";
        var output = connection.RunChecked(script, "probe the device's commands", "Probing the device's shell failed");
        var commands = new HashSet<string>(StringComparer.Ordinal);
        var root = false;
        foreach (var line in output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("have ", StringComparison.Ordinal))
            {
                commands.Add(line[5..]);
            }
            else if (line == "uid 0")
            {
                root = true;
            }
        }

        return new DeviceFacts(commands, root);
    }

    public string Describe() => Probed.Length == 0 ? "" : string.Join(", ", Probed.Select(c => Has(c) ? c : "no " + c));
}

/// <summary>The state of the install target on the device before a deploy.</summary>
/// <param name="Checksum">The installed binary's checksum (with <see cref="DeviceFacts.ChecksumTool"/>), null when there is none.</param>
/// <param name="BackupBytes">Size of the existing backup, null when there is none.</param>
/// <param name="RemovedLeftover">A partial upload from an interrupted deploy was found and removed.</param>
/// <param name="FreeBytes">Free space where the target lives (df), null when the device would not say.</param>
/// <param name="FreeOn">The mount point df reported it for.</param>
/// <param name="Writable">Whether the login user can write the target's directory.</param>
public sealed record TargetState(
    string? Checksum,
    long? BackupBytes,
    bool RemovedLeftover,
    bool IsDirectory,
    long? FreeBytes,
    string? FreeOn,
    bool Writable,
    bool DirectoryExists)
{
    /// <summary>
    /// Looks at the target in one command: a leftover &lt;target&gt;.new (removed), the installed
    /// binary's checksum, the backup, and free space. Busybox df fails on "/" of a rootfs and
    /// for a directory that does not exist yet, so it is asked about the nearest existing
    /// directory, with stat -f as a fallback.
    /// </summary>
    public static TargetState Inspect(DeviceConnection connection, string target, string? checksumTool, string sudo)
    {
        var sum = checksumTool is null ? "" : $"[ -f \"$t\" ] && {checksumTool} \"$t\" | {{ read s _; echo \"sum $s\"; }}; ";
        var script =
            $"t={RemoteShell.Quote(target)}; d={RemoteShell.Quote(RemoteShell.DirectoryOf(target))}; " +
            "[ -d \"$t\" ] && echo isdir; " +
            $"[ -e \"$t.new\" ] && {sudo}rm -f \"$t.new\" && echo leftover; " +
            sum +
            "[ -f \"$t.bak\" ] && echo \"bak $(wc -c < \"$t.bak\")\"; " +
            "p=\"$d\"; while [ ! -d \"$p\" ]; do p=$(dirname \"$p\"); done; " +
            "[ \"$p\" = \"$d\" ] && echo direxists; " +
            "[ -w \"$p\" ] && echo writable; " +
            "echo \"df $(df -Pk \"$p\" 2>/dev/null | tail -n 1)\"; " +
            "echo \"statfs $(stat -f -c '%S %a' \"$p\" 2>/dev/null) $p\"";
        var output = connection.RunChecked(script, $"inspect {target}", $"Looking at {target} failed");
        return Parse(output);
    }

    public static TargetState Parse(string output)
    {
        string? checksum = null, freeOn = null;
        long? backup = null, free = null, statfsFree = null;
        bool leftover = false, isDir = false, writable = false, exists = false;
        foreach (var line in output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var (key, value) = line.IndexOf(' ') is var space and > 0 ? (line[..space], line[(space + 1)..].Trim()) : (line, "");
            switch (key)
            {
                case "isdir":
                    isDir = true;
                    break;
                case "leftover":
                    leftover = true;
                    break;
                case "direxists":
                    exists = true;
                    break;
                case "writable":
                    writable = true;
                    break;
                case "sum" when value.Length > 0:
                    checksum = value.ToLowerInvariant();
                    break;
                case "bak" when long.TryParse(value, out var b):
                    backup = b;
                    break;
                case "df":
                    (free, freeOn) = ParseDf(value) is { } df ? (df.FreeBytes, df.MountPoint) : (free, freeOn);
                    break;
                case "statfs":
                    var parts = value.Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
                    if (parts.Length == 3 && long.TryParse(parts[0], out var blockSize) && long.TryParse(parts[1], out var blocks))
                    {
                        statfsFree = blockSize * blocks;
                        freeOn ??= parts[2];
                    }

                    break;
            }
        }

        return new TargetState(checksum, backup, leftover, isDir, free ?? statfsFree, freeOn, writable, exists);
    }

    /// <summary>
    /// The last line of "df -Pk": "Filesystem 1024-blocks Used Available Capacity Mounted-on". The
    /// filesystem name and the mount point may hold spaces, so it is read from the capacity field.
    /// </summary>
    public static (long FreeBytes, string MountPoint)? ParseDf(string line)
    {
        var match = System.Text.RegularExpressions.Regex.Match(line, @"(\d+)\s+(\d+)\s+(\d+)\s+(\d+|-)%?\s+(/.*)$");
        if (!match.Success || !long.TryParse(match.Groups[3].Value, out var availableKb))
        {
            return null;
        }

        return (availableKb * 1024, match.Groups[5].Value.Trim());
    }
}
