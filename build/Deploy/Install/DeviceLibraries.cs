using System.Text;
using Crossboard.Toolchains;

namespace Crossboard.Deploy;

/// <summary>
/// Whether the device has the shared libraries a dynamically linked binary NEEDs (its ELF's
/// DT_NEEDED sonames), asked with one busybox-compatible command before anything is uploaded:
/// each soname is looked for in the folders the loader searches (/lib, /usr/lib, their multiarch
/// folders, and those named by /etc/ld.so.conf* and musl's /etc/ld-musl-*.path). Missing ones
/// refuse the deploy, naming the package that provides each (opkg on OpenWrt, apt-get on
/// Debian-based devices).
/// </summary>
public static class DeviceLibraries
{
    /// <summary>What glibc itself and gcc's runtime provide, beside the <see cref="CLibraries"/>: (soname prefix, Debian package, OpenWrt package).</summary>
    private static readonly (string Prefix, string Debian, string OpenWrt)[] Base =
    [
        ("libc.so.", "libc6", "libc"),
        ("libm.so.", "libc6", "libc"),
        ("libdl.so.", "libc6", "libc"),
        ("libpthread.so.", "libc6", "libc"),
        ("librt.so.", "libc6", "libc"),
        ("libutil.so.", "libc6", "libc"),
        ("ld-linux", "libc6", "libc"),
        ("ld.so.", "libc6", "libc"),
        ("libgcc_s.so.", "libgcc-s1", "libgcc"),
        ("libstdc++.so.", "libstdc++6", "libstdcpp"),
        ("libatomic.so.", "libatomic1", "libatomic"),
    ];

    /// <summary>The one command: "missing SONAME" for each absent one, then "have opkg" / "have apt-get".</summary>
    public static string Script(IEnumerable<string> sonames)
    {
        var script = new StringBuilder()
            .Append("d='/lib /usr/lib /lib64 /usr/lib64 /usr/local/lib'\n")
            .Append("for x in /lib/*-linux-* /usr/lib/*-linux-*; do [ -d \"$x\" ] && d=\"$d $x\"; done\n")
            .Append("for f in /etc/ld.so.conf /etc/ld.so.conf.d/*.conf /etc/ld-musl-*.path; do [ -r \"$f\" ] && d=\"$d $(sed -e 's/#.*//' -e '/^include/d' -e 's/[:,]/ /g' \"$f\")\"; done\n")
            .Append("for s in ").Append(string.Join(' ', sonames.Select(RemoteShell.Quote))).Append("; do\n")
            .Append("  h=; for x in $d; do [ -e \"$x/$s\" ] && { h=1; break; }; done\n")
            .Append("  [ -n \"$h\" ] || echo \"missing $s\"\n")
            .Append("done\n")
            .Append("command -v opkg >/dev/null 2>&1 && echo 'have opkg'\n")
            .Append("command -v apt-get >/dev/null 2>&1 && echo 'have apt-get'\n")
            .Append("true\n");
        return script.ToString();
    }

    /// <summary>The sonames the output says are missing, and the package managers the device has.</summary>
    public static (IReadOnlyList<string> Missing, bool Opkg, bool Apt) Parse(string output)
    {
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var missing = lines.Where(l => l.StartsWith("missing ", StringComparison.Ordinal)).Select(l => l["missing ".Length..]).ToList();
        return (missing, lines.Contains("have opkg"), lines.Contains("have apt-get"));
    }

    /// <summary>(Debian package, OpenWrt package) providing <paramref name="soname"/>, when crossboard knows it.</summary>
    public static (string Debian, string OpenWrt)? PackageOf(string soname)
    {
        if (CLibraries.All.FirstOrDefault(l => l.Sonames.Contains(soname)) is { } library)
        {
            return (library.DebianRuntime, library.OpenWrtPackage);
        }

        return Base.FirstOrDefault(b => soname.StartsWith(b.Prefix, StringComparison.Ordinal)) is { Debian: not null } known ? (known.Debian, known.OpenWrt) : null;
    }

    /// <summary>Asks the device (one command) and refuses, before the upload, when it lacks any of <paramref name="needed"/>.</summary>
    /// <param name="emulated">The device is the emulated one, which has no package manager: its image carries what the app declares.</param>
    public static void Require(DeviceConnection connection, string appName, IReadOnlyList<string> needed, string device, IBuildLog log, string? logFile, bool emulated = false)
    {
        if (needed.Count == 0)
        {
            return; // static: nothing to look for
        }

        var answer = connection.Run(Script(needed), "look for the shared libraries the app needs");
        if (!answer.Succeeded)
        {
            log.Warning($"Could not tell whether device '{device}' has the shared libraries {appName} needs ({string.Join(", ", needed)}): deploying without that check.");
            return;
        }

        var (missing, opkg, apt) = Parse(answer.Output);
        if (missing.Count == 0)
        {
            log.Verbose($"The device has the shared libraries {appName} needs: {string.Join(", ", needed)}");
            return;
        }

        throw new CrossboardException(Refusal(appName, device, missing, opkg, apt) + (emulated && !opkg && !apt
            ? " On the emulated device: its image carries the runtime of the C libraries the app's Cargo.toml declares (c-libraries); declare them there, " +
              "and a Deploy rebuilds the image and restarts the device (a library removed from a running device comes back with --target=EmulatorStop, then Deploy)."
            : ""), logFile);
    }

    public static string Refusal(string appName, string device, IReadOnlyList<string> missing, bool opkg, bool apt)
    {
        var known = missing.Select(PackageOf).ToList();
        var debian = known.OfType<(string Debian, string OpenWrt)>().Select(p => p.Debian).Distinct().ToList();
        var openwrt = known.OfType<(string Debian, string OpenWrt)>().Select(p => p.OpenWrt).Distinct().ToList();
        var unknown = missing.Where((_, i) => known[i] is null).ToList();
        var text = new StringBuilder()
            .Append($"{appName} is linked dynamically and needs {string.Join(", ", missing)}, which device '{device}' does not have; nothing was uploaded. ");
        if (debian.Count > 0)
        {
            var install = new List<string>();
            if (opkg || !apt)
            {
                install.Add($"opkg update && opkg install {string.Join(' ', openwrt)}" + (opkg ? "" : " (OpenWrt)"));
            }

            if (apt || !opkg)
            {
                install.Add($"apt-get install {string.Join(' ', debian)}" + (apt ? "" : " (Debian-based devices)"));
            }

            text.Append($"Install on the device: {string.Join(", or ", install)}. ");
        }

        if (unknown.Count > 0)
        {
            text.Append($"Install the package that provides {string.Join(", ", unknown)} on the device (opkg find '*{unknown[0]}*', or apt-file search {unknown[0]}). ");
        }

        text.Append("Or link the app statically, where its libraries' archives exist (a board whose libc differs from the toolchain's links statically).");
        return text.ToString();
    }
}
