namespace Crossboard.Deploy;

/// <summary>
/// One file crossboard installed on a device, as its record there says: one line of
/// <see cref="InstallRecord.SystemManifest"/>, "app checksum size time board path" (the path last,
/// so that it may hold spaces). The checksum is "md5:HEX" or "sha256:HEX" (what the device
/// computed or the build measured; "-" when unknown); the board is the one the binary was checked
/// for ("-" for a file crossboard only kept, e.g. the device's own binary replaced with --force).
/// </summary>
public sealed record InstalledFile(string App, string Checksum, long Size, string Time, string Board, string Path)
{
    /// <summary>The app of a file crossboard only keeps: the device's own, replaced with --force and kept as the backup.</summary>
    public const string DeviceOwn = "-";

    /// <summary>The line's fields before the path.</summary>
    public string Fields => $"{Field(App)} {Field(Checksum)} {Size} {Field(Time)} {Field(Board)}";

    /// <summary>The same file under another name (the backup of the binary, say).</summary>
    public InstalledFile At(string path) => this with { Path = path };

    /// <summary>The hex digest when the checksum was made with <paramref name="tool"/> (md5sum, sha256sum), else null.</summary>
    public string? DigestFor(string tool) =>
        Checksum.StartsWith(tool.Replace("sum", "", StringComparison.Ordinal) + ":", StringComparison.Ordinal) ? Checksum[(Checksum.IndexOf(':') + 1)..] : null;

    /// <summary>Reads "app checksum size time board" (what the look prints for a path); null when malformed.</summary>
    public static InstalledFile? Parse(string fields, string path)
    {
        var parts = fields.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length == 5 && long.TryParse(parts[2], out var size)
            ? new InstalledFile(parts[0], parts[1], size, parts[3], parts[4], path)
            : null;
    }

    /// <summary>Fields never hold spaces (the device reads the line with "read"): an app called "my app" is recorded as "my_app".</summary>
    private static string Field(string text) => text.Length == 0 ? "-" : string.Concat(text.Select(c => char.IsWhiteSpace(c) ? '_' : c));
}

/// <summary>
/// crossboard's record, on the device, of what it installed there: the binary, its backup, the
/// service definition. Deploy replaces only what is in it (or, with --force, a file it names);
/// Rollback puts back only a backup it lists; a revert removes what a failed first install added.
/// The record lives in /etc/crossboard/installed (written as root, or through sudo), or in
/// ~/.crossboard/installed for a user who deploys into a directory of their own. Every edit is
/// one rewrite and a rename, with shell builtins but mkdir and mv: it runs inside the commands
/// that install, so it costs no round trip of its own.
/// </summary>
public static class InstallRecord
{
    public const string SystemManifest = "/etc/crossboard/installed";

    /// <summary>For a login that writes its own install directory but not /etc (shell syntax: the device expands $HOME).</summary>
    public const string UserManifest = "$HOME/.crossboard/installed";

    public const string Header = "# crossboard: the files it installed on this device (app checksum size time board path); Deploy replaces only these, Rollback restores only these";

    /// <summary>
    /// The shell function that edits the record ($mf): "rec PATH FIELDS [PATH FIELDS]..." sets
    /// each PATH's line (FIELDS "-" removes it) in one rewrite, then renames it into place.
    /// </summary>
    public const string Functions =
        "rec() {\n" +
        "  mkdir -p \"${mf%/*}\" || return 1\n" +
        "  {\n" +
        $"    echo '{Header}'\n" +
        "    if [ -f \"$mf\" ]; then\n" +
        "      while read -r ra rs rz rw rb rp; do\n" +
        "        case \"$ra\" in '#'*|'') continue ;; esac\n" +
        "        k=; n=0; for x in \"$@\"; do n=$((n+1)); [ $((n%2)) = 1 ] && [ \"$x\" = \"$rp\" ] && k=1; done\n" +
        "        [ -n \"$k\" ] || echo \"$ra $rs $rz $rw $rb $rp\"\n" +
        "      done < \"$mf\"\n" +
        "    fi\n" +
        "    while [ $# -ge 2 ]; do [ \"$2\" = - ] || echo \"$2 $1\"; shift 2; done\n" +
        "  } > \"$mf.new\" && mv -f \"$mf.new\" \"$mf\"\n" +
        "}\n";

    /// <summary>The shell that points $mf at the record (a path as the look printed it, or with $HOME unexpanded).</summary>
    public static string Locate(string manifest) =>
        manifest.StartsWith("$HOME/", StringComparison.Ordinal)
            ? $"mf=\"$HOME\"/{RemoteShell.Quote(manifest[6..])}\n"
            : $"mf={RemoteShell.Quote(manifest)}\n";

    /// <summary>A call of <see cref="Functions"/>' rec: each path gets its fields (null removes its line); exits 4 when the record cannot be written.</summary>
    public static string Set(params (string Path, string? Fields)[] edits) =>
        "rec " + string.Join(' ', edits.Select(e => $"{RemoteShell.Quote(e.Path)} {RemoteShell.Quote(e.Fields ?? "-")}")) + " || exit 4\n";

    /// <summary>Where a service definition's previous content is kept while a deploy may still be reverted (beside the record).</summary>
    public static string PreviousCopy(string file) => "\"${mf%/*}\"/" + RemoteShell.Quote(file.Replace('/', '_').TrimStart('_') + ".prev");

    /// <summary>The time a record line carries: the build host's clock in UTC (a small board may have no clock of its own).</summary>
    public static string Now(TimeProvider? clock = null) => (clock ?? TimeProvider.System).GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
