using Crossboard.Machine;

namespace Crossboard.Deploy;

/// <summary>What a deploy may write, once the look has said who owns what (see <see cref="InstallGuard.Check"/>).</summary>
/// <param name="AdoptBinary">The binary there is this very build, installed without a record (by hand, or before records were kept): record it, send nothing.</param>
/// <param name="AdoptServiceFile">The service definition there is the one crossboard writes, unrecorded: record it.</param>
/// <param name="Forced">Files --force lets the deploy replace although crossboard did not install them (each warned about).</param>
public sealed record InstallPlan(bool AdoptBinary, bool AdoptServiceFile, IReadOnlyList<string> Forced);

/// <summary>
/// Keeps Deploy and Rollback to what crossboard installed. A deploy never writes over a file its
/// record (<see cref="InstallRecord"/>) does not list, unless --force says so; and never, not even
/// with --force, over what keeps the device reachable and bootable: the SSH server, busybox, the
/// shell, init, procd and ubus, the package manager, and the tools crossboard's own device
/// commands use (a revert and a Rollback need them). Those are refused by name before any
/// connection, and on the device by the path init, the SSH server, the shell and busybox really
/// run from.
/// </summary>
public static class InstallGuard
{
    /// <summary>Names an app may not have: the programs (and init scripts, units) the device needs to boot and be reached, and crossboard's own device tools.</summary>
    public static readonly IReadOnlyDictionary<string, string> NeverReplaced = Describe(
        ("the SSH server", ["dropbear", "sshd", "sshd-session", "ssh"]),
        ("busybox and the shell", ["busybox", "sh", "ash", "bash", "dash", "hush"]),
        ("init and OpenWrt's system daemons", ["init", "procd", "ubus", "ubusd", "rpcd", "netifd", "logd", "systemd", "udevd"]),
        ("the package manager", ["opkg", "apk", "dpkg", "apt", "apt-get"]),
        ("a boot or network init script", ["boot", "done", "network", "networking", "firewall", "sysfixtime", "sysctl", "system", "umount", "urandom_seed", "getty"]),
        ("a tool crossboard's own device commands use (a revert and a Rollback need it)",
            ["cat", "chmod", "cp", "df", "dirname", "grep", "gunzip", "head", "id", "ln", "ls", "md5sum", "mkdir", "mv", "readlink", "rm",
             "setsid", "sha256sum", "sleep", "stat", "sudo", "sync", "tail", "systemctl", "journalctl", "logread"]));

    /// <summary>Refuses, before any connection, an app whose name is one the device cannot do without.</summary>
    public static void RefuseVitalName(string app, string action = "deploy")
    {
        if (NeverReplaced.TryGetValue(app, out var what))
        {
            throw new CrossboardException(
                $"crossboard does not {action} an app named '{app}': that is the name of {what}, which crossboard never replaces on a device, not even with --force " +
                "(a broken one can lock you out of the device). Give the binary another name (the cargo [[bin]] name, or the --artifact file's name). Nothing was sent.");
        }
    }

    /// <summary>
    /// Decides what a deploy may write after the look: throws naming each file crossboard did not
    /// install and its owner (unless --force, which only warns), and always for a vital file.
    /// </summary>
    /// <param name="serviceContentMd5">The md5 of the service definition crossboard would write (null: no definition).</param>
    public static InstallPlan Check(DeviceLook look, string targetPath, string? serviceFile, string? serviceContentMd5, bool force, DeviceLog log, string device)
    {
        if (look.Vital.Count > 0)
        {
            var what = string.Join(", ", look.Vital.Select(VitalName).Distinct());
            throw new CrossboardException(
                $"{targetPath} on device '{device}' is {what}: crossboard never replaces it, not even with --force (the device would not boot, or nobody could log in). " +
                "Give the binary another name or choose another --install-dir. Nothing was uploaded; the device is unchanged.");
        }

        var target = look.Target;
        var adoptBinary = look.Identical && target.PackageLists.Count == 0 && target.LinkTo is null && !target.Busybox;
        var foreign = new List<(string Path, string Owner)>();
        if (target.Foreign && !adoptBinary)
        {
            foreign.Add((targetPath, target.Owner(look.Manifest)));
        }

        // The backup is written only when a binary is there to keep.
        if (target.Exists && !adoptBinary && look.Backup.Foreign)
        {
            foreign.Add((targetPath + ".bak", look.Backup.Owner(look.Manifest) + $"; a deploy keeps the replaced binary under this name"));
        }

        var service = look.ServiceFile;
        var adoptService = serviceFile is not null && service.Foreign && service.PackageLists.Count == 0 && service.LinkTo is null &&
            look.ServiceFileMd5 is not null && look.ServiceFileMd5 == serviceContentMd5;
        if (serviceFile is not null && service.Foreign && !adoptService)
        {
            foreign.Add((serviceFile, service.Owner(look.Manifest)));
        }

        if (foreign.Count == 0)
        {
            return new InstallPlan(adoptBinary, adoptService, []);
        }

        var list = string.Join(Environment.NewLine, foreign.Select(f => $"  - {f.Path}: {f.Owner}"));
        if (!force)
        {
            // A plain file of this app's name, owned by no package: likely a crossboard from before the record.
            var plain = target.Foreign && target.PackageLists.Count == 0 && target.LinkTo is null && !target.Busybox
                ? $" If {targetPath} is this app installed by a crossboard that kept no record yet, or by hand, --force once replaces it and records it."
                : "";
            throw new CrossboardException(
                $"Deploying would replace {(foreign.Count == 1 ? "a file" : "files")} on device '{device}' that crossboard did not install:" + Environment.NewLine +
                list + Environment.NewLine +
                "Nothing was uploaded; the device is unchanged. Give the binary another name or choose another --install-dir; " +
                $"or, if replacing {(foreign.Count == 1 ? "it" : "them")} is what you want, deploy with --force (the replaced binary is kept as <file>.bak, which --target=Rollback puts back)." +
                plain);
        }

        foreach (var (path, owner) in foreign)
        {
            log.Warning($"--force: replacing {path}, which crossboard did not install ({owner}).");
        }

        return new InstallPlan(adoptBinary, adoptService, foreign.Select(f => f.Path).ToList());
    }

    /// <summary>
    /// Refuses a Rollback that would put back or replace something crossboard did not install, or
    /// a backup checked for another board.
    /// </summary>
    public static void CheckRollback(DeviceLook look, string targetPath, string board, string device)
    {
        if (look.Vital.Count > 0)
        {
            throw new CrossboardException($"{targetPath} on device '{device}' is {string.Join(", ", look.Vital.Select(VitalName).Distinct())}: crossboard never replaces it. Nothing was changed.");
        }

        if (look.Backup.Record is not { } backup)
        {
            throw new CrossboardException(
                $"{targetPath}.bak on device '{device}' is not a backup crossboard made ({look.Backup.Owner(look.Manifest)}): Rollback puts back only what Deploy kept. Nothing was changed.");
        }

        if (look.Target.Foreign)
        {
            throw new CrossboardException(
                $"{targetPath} on device '{device}' was not installed by crossboard ({look.Target.Owner(look.Manifest)}): Rollback replaces only what Deploy installed. Nothing was changed.");
        }

        if (backup.Board != "-" && !backup.Board.Equals(board, StringComparison.OrdinalIgnoreCase))
        {
            throw new CrossboardException(
                $"{targetPath}.bak on device '{device}' was deployed for board {backup.Board} (its fit was checked for that board), but this Rollback is for board {board}. " +
                $"Run it with --board={backup.Board}. Nothing was changed.");
        }
    }

    private static string VitalName(string source) => source switch
    {
        "/proc/1/exe" => "the device's init (what /proc/1/exe runs)",
        "/bin/sh" => "the device's shell (what /bin/sh runs)",
        "/bin/busybox" => "busybox itself",
        _ when source.StartsWith("/proc/", StringComparison.Ordinal) => "the SSH server this very connection is served by",
        _ => source,
    };

    private static Dictionary<string, string> Describe(params (string What, string[] Names)[] groups) =>
        groups.SelectMany(g => g.Names.Select(n => (n, g.What))).ToDictionary(p => p.n, p => p.What, StringComparer.Ordinal);
}
