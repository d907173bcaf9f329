using Crossboard.Machine;

namespace Crossboard.Deploy;

/// <summary>
/// What the device's shell offers, probed once per connection: busybox builds differ (OpenWrt
/// trims applets), so nothing is assumed.
/// </summary>
public sealed record DeviceFacts(IReadOnlySet<string> Commands, bool IsRoot)
{
    /// <summary>The commands crossboard may use when present.</summary>
    public static readonly string[] Probed = ["cat", "sha256sum", "md5sum", "gunzip", "scp", "setsid", "sudo", "head", "tail"];

    public bool Has(string command) => Commands.Contains(command);

    /// <summary>The checksum the device can compute: sha256sum, else md5sum (busybox has both unless trimmed).</summary>
    public string? ChecksumTool => Has("sha256sum") ? "sha256sum" : Has("md5sum") ? "md5sum" : null;

    /// <summary>
    /// The checksum that proves an upload arrived whole: md5sum, else sha256sum. The check is
    /// against damage (a truncated or corrupted write), not an attacker, whom the SSH channel's
    /// own integrity check already stops; busybox's md5sum reads 2.2 times as fast as its
    /// sha256sum (50 MB: 80 against 180 ms on a PC; on a MIPS board the ratio is larger).
    /// </summary>
    public string? VerifyTool => Has("md5sum") ? "md5sum" : ChecksumTool;

    public string Describe() => Probed.Length == 0 ? "" : string.Join(", ", Probed.Select(c => Has(c) ? c : "no " + c));
}

/// <summary>The state of the install target on the device before a deploy.</summary>
/// <param name="Checksum">
/// The installed binary's checksum (with <see cref="DeviceFacts.ChecksumTool"/>); null when there is
/// none, or when it was not computed because a cheaper look already proved it differs.
/// </param>
/// <param name="BackupBytes">Size of the existing backup, null when there is none.</param>
/// <param name="RemovedLeftover">A partial upload from an interrupted deploy was found and removed.</param>
/// <param name="FreeBytes">Free space where the target lives (df), null when the device would not say.</param>
/// <param name="FreeOn">The mount point df reported it for.</param>
/// <param name="Writable">Whether the login user can write the target's directory.</param>
/// <param name="Exists">Whether a file is installed at the target path.</param>
/// <param name="Size">The installed file's size in bytes.</param>
/// <param name="Differs">Why the installed file is known to differ without a full checksum ("size", "head"); null otherwise.</param>
public sealed record TargetState(
    string? Checksum,
    long? BackupBytes,
    bool RemovedLeftover,
    bool IsDirectory,
    long? FreeBytes,
    string? FreeOn,
    bool Writable,
    bool DirectoryExists,
    bool Exists = false,
    long? Size = null,
    string? Differs = null)
{
    public static TargetState Parse(string output)
    {
        string? checksum = null, freeOn = null, differs = null;
        long? backup = null, free = null, statfsFree = null, size = null;
        bool leftover = false, isDir = false, writable = false, exists = false, present = false;
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
                case "present":
                    present = true;
                    break;
                case "size" when long.TryParse(value, out var s):
                    size = s;
                    break;
                case "differs":
                    differs = value.Length > 0 ? value : "content";
                    break;
                case "sum" when value.Length > 0:
                    checksum = value.ToLowerInvariant();
                    present = true;
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

        return new TargetState(checksum, backup, leftover, isDir, free ?? statfsFree, freeOn, writable, exists, present, size, differs);
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

/// <summary>Who may write the install directory: decides whether commands run under sudo.</summary>
public enum Privilege
{
    /// <summary>Logged in as root.</summary>
    Root,
    /// <summary>The login user can write the directory itself.</summary>
    Writable,
    /// <summary>Only through passwordless sudo.</summary>
    Sudo,
    /// <summary>Neither: the deploy must stop with a clear message.</summary>
    None,
}

/// <summary>
/// Who a path on the device belongs to, as the look saw it (asked only about a path that exists
/// and that crossboard's record does not list: the rest is crossboard's own).
/// </summary>
/// <param name="Exists">Something is there (a file, or a link, even a dangling one).</param>
/// <param name="Record">crossboard's record of it; null when crossboard did not install it.</param>
/// <param name="LinkTo">Where it points, when it is a symbolic link.</param>
/// <param name="Busybox">It is busybox itself or one of its applets (a link, or a hard link, to /bin/busybox).</param>
/// <param name="PackageLists">The package manager's file lists that name it (/usr/lib/opkg/info/*.list, /var/lib/dpkg/info/*.list).</param>
public sealed record PathFacts(bool Exists, InstalledFile? Record, string? LinkTo, bool Busybox, IReadOnlyList<string> PackageLists)
{
    public static readonly PathFacts Absent = new(false, null, null, false, []);

    /// <summary>There, and crossboard has no record of installing it.</summary>
    public bool Foreign => Exists && Record is null;

    /// <summary>The packages that own it, as "opkg package busybox" or "dpkg package openssh-client".</summary>
    public IEnumerable<string> Packages => PackageLists.Select(list => (list.StartsWith("/usr/lib/opkg/", StringComparison.Ordinal) ? "opkg" : "dpkg") +
        " package " + Path.GetFileName(list)[..^".list".Length]);

    /// <summary>Who it belongs to, for a message: its packages, busybox, the link, or only "not crossboard's".</summary>
    public string Owner(string manifest)
    {
        var owners = Packages.ToList();
        if (Busybox)
        {
            owners.Add(LinkTo is null ? "busybox (an applet: a hard link to /bin/busybox)" : $"busybox (an applet: a link to {LinkTo})");
        }
        else if (LinkTo is not null)
        {
            owners.Add($"a symbolic link to {LinkTo}");
        }

        return owners.Count > 0
            ? string.Join("; ", owners)
            : $"installed by something other than crossboard (its record, {manifest}, does not list it)";
    }
}

/// <summary>What the device can do, the target's state, and, when a binary to compare with was given, whether it is already installed.</summary>
/// <param name="Privilege">How the install directory can be written.</param>
/// <param name="Same">The installed binary is the expected one (its full checksum matched on the device) and crossboard's record lists it.</param>
/// <param name="Service">When <paramref name="Same"/> and a service script was folded in: its answer (output after the marker, the exit status); null otherwise.</param>
public sealed record DeviceLook(DeviceFacts Facts, TargetState State, Privilege Privilege, bool Same, RemoteResult? Service)
{
    /// <summary>Bytes at the start of a file whose checksum is compared first: a mismatch there proves the files differ without reading all of one.</summary>
    public const int HeadBytes = 64 * 1024;

    /// <summary>
    /// Files at least this large have their first <see cref="HeadBytes"/> compared before the full
    /// checksum: a few milliseconds wasted when the binary is the same, the whole file's hash
    /// saved when it differs (0.2 s for 50 MB with busybox sha256sum on a PC).
    /// </summary>
    public const long HeadCheckFrom = 4L << 20;

    /// <summary>The line between the look's answer and the folded-in service script's output.</summary>
    public const string ServiceMarker = "--crossboard-service--";

    /// <summary>"sudo -n " when writing needs sudo, "" otherwise (None is refused before anything is written).</summary>
    public string Sudo => Privilege == Privilege.Sudo ? "sudo -n " : "";

    /// <summary>Where crossboard's record of what it installed is, for this login (see <see cref="InstallRecord"/>).</summary>
    public string Manifest { get; init; } = InstallRecord.SystemManifest;

    /// <summary>The install target: crossboard's record of it, or who else it belongs to.</summary>
    public PathFacts Target { get; init; } = PathFacts.Absent;

    /// <summary>The target's backup, &lt;target&gt;.bak.</summary>
    public PathFacts Backup { get; init; } = PathFacts.Absent;

    /// <summary>The service definition (init script or unit), when the service style has one.</summary>
    public PathFacts ServiceFile { get; init; } = PathFacts.Absent;

    /// <summary>The md5 of a service definition crossboard has no record of (to tell one it wrote before it kept records).</summary>
    public string? ServiceFileMd5 { get; init; }

    /// <summary>The installed binary is the expected one, but crossboard's record does not list it (installed by hand, or before records were kept).</summary>
    public bool Identical { get; init; }

    /// <summary>What the target is besides a file: the device's init, its SSH server, its shell, busybox (the path each of those resolves to).</summary>
    public IReadOnlyList<string> Vital { get; init; } = [];

    /// <summary>
    /// Looks at the device and the install target in ONE command (each command is a round trip,
    /// and on a slow device a fork or two): which commands exist, the uid, whether the directory
    /// is writable (or sudo works without a password), a leftover &lt;target&gt;.new (removed), the
    /// backup, free space, the installed binary, and crossboard's record of what it installed
    /// (read with shell builtins: no process). When <paramref name="expected"/> is given,
    /// the installed binary is compared with it: a different size, or a different checksum of the
    /// first <see cref="HeadBytes"/>, proves it differs without hashing the whole file; otherwise
    /// the full checksum decides, on the device (md5sum, else sha256sum). When it is the same, the
    /// record lists it and <paramref name="serviceScript"/> is given, that script runs too (with
    /// sudo where needed), so a deploy with nothing to send is one round trip. Otherwise the look
    /// also asks who owns each path a deploy would write that the record does not list (the
    /// target, its backup, <paramref name="serviceFile"/>): a package's file list, busybox, a
    /// link, or the device's init, SSH server or shell.
    /// Busybox df fails on "/" of a rootfs and for a directory that does not exist yet, so it is
    /// asked about the nearest existing directory, with stat -f as a fallback.
    /// </summary>
    public static DeviceLook Run(DeviceConnection connection, string target, ExpectedBinary? expected = null, string? serviceScript = null, string? serviceFile = null)
    {
        var output = connection.Run(Script(target, expected, serviceScript, serviceFile), $"look at the device and {target}");
        return Parse(output, connection, target, serviceFile);
    }

    public static string Script(string target, ExpectedBinary? expected, string? serviceScript, string? serviceFile = null)
    {
        var script = new System.Text.StringBuilder()
            .Append($"t={RemoteShell.Quote(target)}; d={RemoteShell.Quote(RemoteShell.DirectoryOf(target))}; f={RemoteShell.Quote(serviceFile ?? "")}\n")
            .Append($"for c in {string.Join(' ', DeviceFacts.Probed)}; do command -v \"$c\" >/dev/null 2>&1 && echo \"have $c\"; done\n")
            .Append("u=$(id -u 2>/dev/null); echo \"uid $u\"\n")
            .Append("[ -d \"$t\" ] && echo isdir\n")
            .Append("[ -e \"$t.new\" ] && rm -f \"$t.new\" && echo leftover\n")
            .Append("p=\"$d\"; while [ ! -d \"$p\" ]; do p=$(dirname \"$p\"); done\n")
            .Append("[ \"$p\" = \"$d\" ] && echo direxists\n")
            .Append("[ -w \"$p\" ] && echo writable\n")
            .Append("if [ \"$u\" = 0 ]; then v=root; elif [ -w \"$p\" ]; then v=writable; " +
                "elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then v=sudo; else v=none; fi; echo \"priv $v\"\n")
            // crossboard's record: /etc for root (or through sudo), the user's home for a user who
            // writes a directory of their own. Read with builtins only: this runs on every deploy.
            .Append($"mf={InstallRecord.SystemManifest}; [ \"$v\" = writable ] && mf=\"{InstallRecord.UserManifest}\"; echo \"manifest $mf\"\n")
            .Append("r=; rb=; rv=\n")
            .Append("if [ -f \"$mf\" ]; then while read -r ra rs rz rw rd rp; do case \"$ra\" in '#'*|'') continue ;; esac; " +
                "case \"$rp\" in \"$t\") r=\"$ra $rs $rz $rw $rd\" ;; \"$t.bak\") rb=\"$ra $rs $rz $rw $rd\" ;; \"$f\") rv=\"$ra $rs $rz $rw $rd\" ;; esac; done < \"$mf\"; fi\n")
            .Append("[ -n \"$r\" ] && echo \"rec $r\"; [ -n \"$rb\" ] && echo \"b:rec $rb\"; [ -n \"$f\" ] && [ -n \"$rv\" ] && echo \"s:rec $rv\"\n")
            .Append("s=; m=\n")
            .Append("if [ -f \"$t\" ]; then\n")
            // ls, not wc -c: busybox wc reads the whole file (35 ms for 1.2 MiB on the emulated MIPS board).
            .Append("  echo present; set -- $(ls -lnL \"$t\"); z=$5; echo \"size $z\"\n");
        if (expected is { } want)
        {
            // md5sum where busybox has it (it reads 2.2 times as fast as sha256sum; see
            // DeviceFacts.VerifyTool), else sha256sum: k is the tool, w the whole file's expected
            // sum, e the first HeadBytes' (empty: no head check).
            var headCheck = want.Size >= HeadCheckFrom && want.HeadMd5 is not null;
            script
                .Append($"  if command -v md5sum >/dev/null 2>&1; then k=md5sum; w={want.Md5}; e={(headCheck ? want.HeadMd5 : "")}\n")
                .Append($"  elif command -v sha256sum >/dev/null 2>&1; then k=sha256sum; w={want.Sha256}; e={(headCheck ? want.HeadSha256 : "")}\n")
                .Append("  else k=; fi\n")
                .Append("  if [ -n \"$k\" ]; then\n")
                .Append($"    if [ \"$z\" != {want.Size} ]; then echo \"differs size\"\n")
                .Append($"    elif [ -n \"$e\" ] && command -v head >/dev/null 2>&1 && h=$(head -c {HeadBytes} \"$t\" | $k) && [ ${{#h}} -ge 32 ] && [ \"${{h%% *}}\" != \"$e\" ]; then echo \"differs head\"\n")
                .Append("    else s=$($k \"$t\"); s=${s%% *}; echo \"sum $s\"; [ \"$s\" = \"$w\" ] && m=1; fi\n")
                .Append("  fi\n");
        }
        else
        {
            script.Append("  if command -v sha256sum >/dev/null 2>&1; then s=$(sha256sum \"$t\"); echo \"sum ${s%% *}\"; elif command -v md5sum >/dev/null 2>&1; then s=$(md5sum \"$t\"); echo \"sum ${s%% *}\"; fi\n");
        }

        script.Append("fi\n");
        // The same bytes that crossboard did not record (copied by hand, or installed before
        // records were kept) are not "the same deploy": the full look below decides about them.
        script.Append("if [ -n \"$m\" ] && [ -z \"$r\" ]; then echo identical; m=; fi\n");
        // Free space, the backup's size and who owns what matter only for an upload: not asked when the binary is the same.
        script
            .Append("if [ -z \"$m\" ]; then\n")
            .Append("  [ -f \"$t.bak\" ] && set -- $(ls -lnL \"$t.bak\") && echo \"bak $5\"\n")
            .Append("  f2=$(df -Pk \"$p\" 2>/dev/null | tail -n 1); if [ -n \"$f2\" ]; then echo \"df $f2\"; else echo \"statfs $(stat -f -c '%S %a' \"$p\" 2>/dev/null) $p\"; fi\n")
            // Who owns a path crossboard has no record of: a link (busybox's applets are links), busybox
            // itself, a package (opkg's or dpkg's file lists; with a merged /usr, dpkg may list /bin/x for /usr/bin/x).
            .Append("  who() {\n")
            .Append("    echo \"${1}exists\"\n")
            .Append("    [ -L \"$2\" ] && echo \"${1}link $(readlink \"$2\" 2>/dev/null)\"\n")
            .Append("    [ \"$2\" -ef /bin/busybox ] && echo \"${1}busybox\"\n")
            .Append("    a=$2; case \"$a\" in /usr/*) b=${a#/usr} ;; *) b=/usr$a ;; esac\n")
            .Append("    for l in $(grep -lxF -e \"$a\" -e \"$b\" /usr/lib/opkg/info/*.list /var/lib/dpkg/info/*.list 2>/dev/null); do echo \"${1}listed $l\"; done\n")
            .Append("  }\n")
            .Append("  if [ -e \"$t\" ] || [ -L \"$t\" ]; then if [ -n \"$r\" ]; then echo exists; else\n")
            .Append("    who '' \"$t\"\n")
            // The files the device cannot do without, by the path each really runs from: init,
            // the SSH server serving this very command (its parent), the shell, busybox.
            .Append("    c=$(cd -P \"$d\" 2>/dev/null && pwd)/${t##*/}\n")
            .Append("    for x in /proc/1/exe \"/proc/$PPID/exe\" /bin/sh /bin/busybox; do y=$(readlink -f \"$x\" 2>/dev/null); [ -n \"$y\" ] && [ \"$y\" = \"$c\" ] && echo \"vital $x\"; done\n")
            .Append("  fi; fi\n")
            .Append("  if [ -e \"$t.bak\" ] || [ -L \"$t.bak\" ]; then if [ -n \"$rb\" ]; then echo b:exists; else who b: \"$t.bak\"; fi; fi\n")
            .Append("  if [ -n \"$f\" ] && { [ -e \"$f\" ] || [ -L \"$f\" ]; }; then if [ -n \"$rv\" ]; then echo s:exists; else who s: \"$f\"; " +
                "x=$(md5sum \"$f\" 2>/dev/null) && echo \"s:md5 ${x%% *}\"; fi; fi\n")
            .Append("fi\n");
        if (expected is not null && serviceScript is not null)
        {
            // Only for the very binary expected (its checksum matched, and crossboard installed
            // it): the app is made to run, under sudo when that is how the directory is written;
            // the output after the marker is the service script's own, and so is the exit status.
            script
                .Append($"if [ -n \"$m\" ]; then echo same; echo {ServiceMarker}\n")
                .Append($"  x={RemoteShell.Quote(serviceScript)}\n")
                // No subshell around eval (a fork: 3 ms on the emulated board): nothing after it but
                // exit, so the script's variables and its own exit (e.g. a failed start) change nothing.
                .Append("  case $v in root|writable) eval \"$x\" ;; sudo) sudo -n sh -c \"$x\" ;; *) true ;; esac\n")
                .Append("  exit $?\n")
                .Append("fi\n");
        }
        else
        {
            script.Append("[ -n \"$m\" ] && echo same\n");
        }

        // A test that failed last (no backup, say) would otherwise be the script's exit status.
        script.Append("exit 0\n");
        return script.ToString();
    }

    private static DeviceLook Parse(RemoteResult result, DeviceConnection connection, string target, string? serviceFile)
    {
        var marker = result.Output.IndexOf(ServiceMarker + "\n", StringComparison.Ordinal);
        var lookOutput = marker < 0 ? result.Output : result.Output[..marker];
        if (marker < 0 && !result.Succeeded)
        {
            throw new CrossboardException(
                $"Looking at {target} failed on device '{connection.Target.Name}' (exit {result.ExitStatus?.ToString() ?? "signal " + result.ExitSignal}): {result.Diagnostic}");
        }

        var commands = new HashSet<string>(StringComparer.Ordinal);
        var root = false;
        var privilege = Privilege.None;
        var same = false;
        var identical = false;
        var manifest = InstallRecord.SystemManifest;
        string? serviceMd5 = null;
        var vital = new List<string>();
        var paths = new Dictionary<string, PathFactsBuilder>(StringComparer.Ordinal)
        {
            [""] = new(target), ["b:"] = new(target + ".bak"), ["s:"] = new(serviceFile ?? ""),
        };
        foreach (var line in lookOutput.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("have ", StringComparison.Ordinal))
            {
                commands.Add(line[5..]);
            }
            else if (line == "uid 0")
            {
                root = true;
            }
            else if (line.StartsWith("priv ", StringComparison.Ordinal))
            {
                privilege = line[5..] switch
                {
                    "root" => Privilege.Root,
                    "writable" => Privilege.Writable,
                    "sudo" => Privilege.Sudo,
                    _ => Privilege.None,
                };
            }
            else if (line == "same")
            {
                same = true;
            }
            else if (line == "identical")
            {
                identical = true;
            }
            else if (line.StartsWith("manifest ", StringComparison.Ordinal))
            {
                manifest = line[9..];
            }
            else if (line.StartsWith("vital ", StringComparison.Ordinal))
            {
                vital.Add(line[6..]);
            }
            else if (line.StartsWith("s:md5 ", StringComparison.Ordinal))
            {
                serviceMd5 = line[6..];
            }
            else
            {
                var prefix = line.StartsWith("b:", StringComparison.Ordinal) ? "b:" : line.StartsWith("s:", StringComparison.Ordinal) ? "s:" : "";
                paths[prefix].Read(line[prefix.Length..]);
            }
        }

        var state = TargetState.Parse(lookOutput);
        var service = marker < 0
            ? null
            : result with { Output = result.Output[(marker + ServiceMarker.Length + 1)..] };
        return new DeviceLook(new DeviceFacts(commands, root), state, privilege, same, service)
        {
            Manifest = manifest,
            Target = paths[""].Build(),
            Backup = paths["b:"].Build(),
            ServiceFile = paths["s:"].Build(),
            ServiceFileMd5 = serviceMd5,
            Identical = identical,
            Vital = vital,
        };
    }

    /// <summary>Collects one path's lines of the look ("rec ...", "exists", "link ...", "busybox", "listed ...").</summary>
    private sealed class PathFactsBuilder(string path)
    {
        private readonly List<string> _lists = new();
        private bool _exists;
        private InstalledFile? _record;
        private string? _link;
        private bool _busybox;

        public void Read(string line)
        {
            var (key, value) = line.IndexOf(' ') is var space and > 0 ? (line[..space], line[(space + 1)..]) : (line, "");
            switch (key)
            {
                case "rec":
                    _record = InstalledFile.Parse(value, path);
                    break;
                case "exists":
                    _exists = true;
                    break;
                case "link":
                    _link = value.Length > 0 ? value : "?";
                    break;
                case "busybox":
                    _busybox = true;
                    break;
                case "listed":
                    _lists.Add(value);
                    break;
            }
        }

        public PathFacts Build() => new(_exists, _record, _link, _busybox, _lists);
    }
}

/// <summary>The binary a deploy puts on the device, as the device can check it (with md5sum, or sha256sum where busybox lacks it).</summary>
/// <param name="Size">Bytes.</param>
/// <param name="Sha256">Lower-case hex of the whole file.</param>
/// <param name="Md5">Lower-case hex of the whole file.</param>
/// <param name="HeadSha256">Lower-case hex of the first <see cref="DeviceLook.HeadBytes"/> (null for a file no larger than that).</param>
/// <param name="HeadMd5">The same, md5.</param>
public sealed record ExpectedBinary(long Size, string Sha256, string Md5, string? HeadSha256, string? HeadMd5)
{
    public static ExpectedBinary Of(string path, long size, string sha256, string md5)
    {
        string? headSha256 = null, headMd5 = null;
        if (size > DeviceLook.HeadBytes)
        {
            using var stream = File.OpenRead(path);
            var buffer = new byte[DeviceLook.HeadBytes];
            stream.ReadExactly(buffer);
            headSha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(buffer));
            headMd5 = Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(buffer));
        }

        return new ExpectedBinary(size, sha256.ToLowerInvariant(), md5.ToLowerInvariant(), headSha256, headMd5);
    }
}
